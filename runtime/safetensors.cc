#include "eq/runtime/safetensors.hpp"

#include <algorithm>
#include <bit>
#include <cstdint>
#include <cstring>
#include <limits>
#include <nlohmann/json.hpp>
#include <tuple>
#include <unordered_set>

#include "eq/runtime/error.hpp"
#include "eq/runtime/file_io.hpp"

namespace eq {
namespace {

// Tensor bytes go to and from the file unchanged, which is only right on a
// little-endian machine (every machine eq targets).
static_assert(std::endian::native == std::endian::little, "safetensors I/O assumes little-endian");

// The reference implementation refuses larger headers; so do we, so a corrupt
// length cannot make us parse gigabytes as JSON.
constexpr std::uint64_t kMaxHeader = 100u << 20;

using Json = nlohmann::json;
using OrderedJson = nlohmann::ordered_json;

// Every dtype name of the format, so an unsupported one reads differently from a typo.
bool known_dtype(std::string_view s) {
  static const char* names[] = {"BOOL", "U8",  "I8",  "F8_E5M2", "F8_E4M3", "I16", "U16", "F16",
                                "BF16", "I32", "U32", "F32",     "F64",     "I64", "U64"};
  return std::any_of(std::begin(names), std::end(names), [&](const char* n) { return s == n; });
}

bool parse_dtype(std::string_view s, DType& out) {
  if (s == "F32")
    out = DType::f32;
  else if (s == "F64")
    out = DType::f64;
  else if (s == "I32")
    out = DType::i32;
  else
    return false;
  return true;
}

std::string offsets_str(std::uint64_t begin, std::uint64_t end) {
  return "[" + std::to_string(begin) + ", " + std::to_string(end) + "]";
}

struct Entry {
  std::string name;
  DType dtype;
  Shape shape;
  std::uint64_t begin, end;
};

// Reads one tensor's header entry, checking its fields against each other
// and against the size of the data section.
Entry parse_entry(const std::string& file, const std::string& name, const Json& j,
                  std::uint64_t data_size) {
  std::string at = file + ": tensor '" + name + "': ";
  if (!j.is_object()) throw Error(at + "entry is not an object");
  for (const char* key : {"dtype", "shape", "data_offsets"})
    if (!j.contains(key)) throw Error(at + "missing \"" + key + "\"");

  Entry e{name, DType::f32, Shape{}, 0, 0};
  const Json& dt = j["dtype"];
  if (!dt.is_string()) throw Error(at + "\"dtype\" is not a string");
  std::string dts = dt.get<std::string>();
  if (!parse_dtype(dts, e.dtype)) {
    if (known_dtype(dts))
      throw Error(at + "dtype " + dts + " is not supported (eq reads F32, F64 and I32)");
    throw Error(at + "unknown dtype '" + dts + "'");
  }

  const Json& sh = j["shape"];
  if (!sh.is_array() ||
      !std::all_of(sh.begin(), sh.end(), [](const Json& d) { return d.is_number_unsigned(); }))
    throw Error(at + "\"shape\" is not a list of sizes");
  if (sh.size() > static_cast<std::size_t>(kMaxRank))
    throw Error(at + "shape has " + std::to_string(sh.size()) + " axes; eq supports at most " +
                std::to_string(kMaxRank));
  // The byte size, checked (checked.hpp): the dims come from an untrusted file.
  std::vector<std::int64_t> dims;
  for (const Json& d : sh) {
    const std::uint64_t v = d.get<std::uint64_t>();
    if (v > static_cast<std::uint64_t>(std::numeric_limits<std::int64_t>::max()))
      throw Error(at + "a tensor axis of " + std::to_string(v) +
                  " elements is larger than this machine can address");
    dims.push_back(static_cast<std::int64_t>(v));
  }
  e.shape = Shape(std::span<const std::int64_t>(dims));
  std::uint64_t bytes;
  try {
    bytes = static_cast<std::uint64_t>(byte_size(e.shape, e.dtype));
  } catch (const Error& size) {
    throw Error(at + size.what());
  }

  const Json& off = j["data_offsets"];
  if (!off.is_array() || off.size() != 2 || !off[0].is_number_unsigned() ||
      !off[1].is_number_unsigned())
    throw Error(at + "\"data_offsets\" is not a pair of byte offsets");
  e.begin = off[0].get<std::uint64_t>();
  e.end = off[1].get<std::uint64_t>();
  if (e.end < e.begin)
    throw Error(at + "data_offsets " + offsets_str(e.begin, e.end) + " end before they begin");
  if (e.end - e.begin != bytes)
    throw Error(at + "data_offsets " + offsets_str(e.begin, e.end) + " hold " +
                std::to_string(e.end - e.begin) + " bytes but " + dts + " " + e.shape.str() +
                " needs " + std::to_string(bytes));
  if (e.end > data_size)
    throw Error(at + "data_offsets " + offsets_str(e.begin, e.end) + " pass the end of the data (" +
                std::to_string(data_size) + " bytes; is the file truncated?)");
  return e;
}

// The first pass over the header, with nlohmann's SAX interface: it finds
// the first key that appears twice in one object (the DOM parser keeps the
// last one silently, and its callback parser, which could see them, is
// quadratic in the size of an object: 31 s for 40,000 tensors), bounds the
// nesting (a header is three levels deep; a hostile one of 100 MB could nest
// millions), and turns every JSON fault into an eq::Error — a syntax error,
// or a number no double holds (`1e400`), which the DOM parser reports as an
// exception of another kind.
class HeaderCheck final : public Json::json_sax_t {
 public:
  explicit HeaderCheck(const std::string& file) : file_(file) {}

  bool null() override { return true; }
  bool boolean(bool) override { return true; }
  bool number_integer(number_integer_t) override { return true; }
  bool number_unsigned(number_unsigned_t) override { return true; }
  bool number_float(number_float_t, const string_t&) override { return true; }
  bool string(string_t&) override { return true; }
  bool binary(binary_t&) override { return true; }
  bool start_object(std::size_t) override {
    keys_.emplace_back();
    return enter();
  }
  bool key(string_t& k) override {
    if (!keys_.back().insert(k).second && duplicate_.empty()) duplicate_ = k;
    return true;
  }
  bool end_object() override {
    keys_.pop_back();
    --depth_;
    return true;
  }
  bool start_array(std::size_t) override { return enter(); }
  bool end_array() override {
    --depth_;
    return true;
  }
  bool parse_error(std::size_t position, const std::string& last_token,
                   const nlohmann::detail::exception& e) override {
    if (e.id == 406)  // out_of_range: a number past double
      error_ = "the number " + last_token + " is out of range";
    else  // nlohmann counts bytes from 1; we count from 0, like data_offsets.
      error_ =
          "error at byte " + std::to_string(position > 0 ? position - 1 : 0) + " of the header";
    return false;
  }

  // Throws the first fault found, if any.
  void check() const {
    if (!error_.empty()) throw Error(file_ + ": header is not valid JSON (" + error_ + ")");
    if (!duplicate_.empty()) throw Error(file_ + ": header names '" + duplicate_ + "' twice");
  }

 private:
  static constexpr int kMaxDepth = 8;
  bool enter() {
    if (++depth_ <= kMaxDepth) return true;
    error_ = "nested more than " + std::to_string(kMaxDepth) + " levels deep";
    return false;
  }

  const std::string& file_;
  std::vector<std::unordered_set<std::string>> keys_;  // per open object
  int depth_ = 0;
  std::string duplicate_, error_;
};

Json parse_header(const std::string& file, std::string_view text) {
  HeaderCheck check(file);
  Json::sax_parse(text.begin(), text.end(), &check);
  check.check();
  // The text is valid JSON now, so the DOM parse cannot fail.
  Json header = Json::parse(text.begin(), text.end(), nullptr, /*allow_exceptions=*/false);
  EQ_ASSERT(!header.is_discarded(), "a header that passed the SAX check failed to parse");
  if (!header.is_object()) throw Error(file + ": header is not a JSON object");
  return header;
}

}  // namespace

std::string_view safetensors_dtype_name(DType dtype) {
  switch (dtype) {
    case DType::f32:
      return "F32";
    case DType::f64:
      return "F64";
    case DType::i32:
      return "I32";
  }
  return "?";
}

const Tensor* SafetensorsFile::find(std::string_view name) const {
  for (const auto& [n, t] : tensors)
    if (n == name) return &t;
  return nullptr;
}

namespace {

// The header bytes, padded with spaces so the data starts 8-byte aligned.
std::string encode_header(const SafetensorsFile& file) {
  OrderedJson header = OrderedJson::object();
  if (!file.metadata.empty()) {
    OrderedJson meta = OrderedJson::object();
    for (const auto& [k, v] : file.metadata) meta[k] = v;
    header["__metadata__"] = std::move(meta);
  }
  std::uint64_t offset = 0;
  for (const auto& [name, t] : file.tensors) {
    if (name == "__metadata__")
      throw Error("cannot save a tensor named '__metadata__' (the name is reserved)");
    if (header.contains(name)) throw Error("cannot save two tensors named '" + name + "'");
    OrderedJson entry = OrderedJson::object();
    entry["dtype"] = safetensors_dtype_name(t.dtype());
    entry["shape"] = OrderedJson::array();
    for (std::int64_t d : t.shape()) entry["shape"].push_back(d);
    entry["data_offsets"] = {offset, offset + t.bytes()};
    offset += t.bytes();
    header[name] = std::move(entry);
  }
  std::string text;
  try {
    text = header.dump();
  } catch (const OrderedJson::type_error&) {
    throw Error("cannot save: a tensor name or metadata string is not valid UTF-8");
  }
  text.append((8 - text.size() % 8) % 8, ' ');
  return text;
}

std::string length_prefix(std::uint64_t n) {
  std::string out(8, '\0');
  for (int i = 0; i < 8; ++i) out[i] = static_cast<char>((n >> (8 * i)) & 0xff);
  return out;
}

}  // namespace

std::string encode_safetensors(const SafetensorsFile& file) {
  std::string header = encode_header(file);
  std::string out = length_prefix(header.size()) + header;
  for (const auto& [name, t] : file.tensors)
    out.append(static_cast<const char*>(t.raw()), t.bytes());
  return out;
}

void save_safetensors(const std::string& path, const SafetensorsFile& file) {
  std::string header;
  try {
    header = encode_header(file);
  } catch (const Error& e) {
    throw Error(path + ": " + e.what());
  }
  // Stream the tensors straight from their storage: no copy of the weights.
  std::string prefix = length_prefix(header.size());
  std::vector<ByteChunk> chunks{{prefix.data(), prefix.size()}, {header.data(), header.size()}};
  for (const auto& [name, t] : file.tensors) chunks.push_back({t.raw(), t.bytes()});
  write_file_atomically(path, chunks);
}

SafetensorsFile decode_safetensors(std::string_view bytes, const std::string& name) {
  if (bytes.size() < 8)
    throw Error(name + ": not a safetensors file: " + std::to_string(bytes.size()) +
                " bytes, too short for the 8-byte header length");
  const std::uint64_t n = read_le(bytes, 0, 8);
  std::uint64_t rest = bytes.size() - 8;
  // A length that does not fit, before anything but a JSON object ('{'):
  // some other kind of file (an .eq given as weights), not a damaged one.
  if ((n > kMaxHeader || n > rest) && rest > 0 && bytes[8] != '{')
    throw Error(name +
                ": not a safetensors file (it does not start with a header length and a "
                "JSON header)");
  if (n > kMaxHeader)
    throw Error(name + ": header length " + std::to_string(n) + " is over the 100 MB limit");
  if (n > rest)
    throw Error(name + ": header length " + std::to_string(n) +
                " is larger than the rest of the file (" + std::to_string(rest) + " bytes)");
  Json header = parse_header(name, bytes.substr(8, n));
  std::string_view data = bytes.substr(8 + n);

  SafetensorsFile file;
  file.path = name;
  std::vector<Entry> entries;
  for (const auto& [key, value] : header.items()) {
    if (key == "__metadata__") {
      if (!value.is_object()) throw Error(name + ": \"__metadata__\" is not an object");
      for (const auto& [mk, mv] : value.items()) {
        if (!mv.is_string())
          throw Error(name + ": \"__metadata__\" value of '" + mk + "' is not a string");
        file.metadata[mk] = mv.get<std::string>();
      }
      continue;
    }
    entries.push_back(parse_entry(name, key, value, data.size()));
  }

  // The tensors must tile the data exactly: sorted by offset, each begins
  // where the previous one ended, and the last ends at the end of the file.
  std::sort(entries.begin(), entries.end(), [](const Entry& a, const Entry& b) {
    return std::tie(a.begin, a.end) < std::tie(b.begin, b.end);
  });
  std::uint64_t cursor = 0;
  const Entry* previous = nullptr;
  auto gap = [&](std::uint64_t from, std::uint64_t to) {
    return Error(name + ": bytes [" + std::to_string(from) + ", " + std::to_string(to) +
                 ") of the data belong to no tensor");
  };
  for (const Entry& e : entries) {
    if (e.begin > cursor) throw gap(cursor, e.begin);
    if (e.begin < cursor)
      throw Error(name + ": tensors '" + previous->name + "' " +
                  offsets_str(previous->begin, previous->end) + " and '" + e.name + "' " +
                  offsets_str(e.begin, e.end) + " overlap");
    cursor = e.end;
    previous = &e;
  }
  if (cursor < data.size()) throw gap(cursor, data.size());

  for (const Entry& e : entries) {
    Tensor t(e.dtype, e.shape);
    std::memcpy(t.raw(), data.data() + e.begin, t.bytes());
    file.tensors.emplace_back(e.name, std::move(t));
  }
  return file;
}

SafetensorsFile load_safetensors(const std::string& path) {
  return decode_safetensors(read_file(path), path);
}

void expect_tensor(const SafetensorsFile& file, std::string_view name, DType dtype,
                   const Shape& shape, std::span<const std::string> declared) {
  // Weights made in memory (Trainer::weights) have no file to name.
  std::string at = (file.path.empty() ? std::string("the weights") : file.path) + ": ";
  const Tensor* t = file.find(name);
  if (!t) {
    std::string msg = at + "no tensor '" + std::string(name) + "'";
    if (!declared.empty()) {
      msg += " (the model's parameters are ";
      for (std::size_t i = 0; i < declared.size(); ++i) msg += (i ? ", " : "") + declared[i];
      msg += ")";
    }
    throw Error(msg);
  }
  at += "tensor '" + std::string(name) + "' ";
  if (!(t->shape() == shape))
    throw Error(at + "has shape " + t->shape().str() + " but the model declares " + shape.str());
  if (t->dtype() != dtype)
    throw Error(at + "is " + std::string(safetensors_dtype_name(t->dtype())) +
                " but the model expects " + std::string(safetensors_dtype_name(dtype)));
}

void expect_tensors(const SafetensorsFile& file, std::span<const TensorSpec> specs) {
  std::vector<std::string> names;
  for (const TensorSpec& s : specs) names.push_back(s.name);
  for (const TensorSpec& s : specs) expect_tensor(file, s.name, s.dtype, s.shape, names);
}

}  // namespace eq
