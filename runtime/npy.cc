// NumPy .npy files. Layout (numpy.lib.format): the magic "\x93NUMPY", a major
// and minor version byte, the header length (2 bytes little-endian in 1.0, 4
// in 2.0 and 3.0), the header — a Python dict literal such as
// {'descr': '<f4', 'fortran_order': False, 'shape': (3, 4), } padded with
// spaces and ended by '\n' — then the data. Rules and dtypes: data.hpp.
#include <bit>
#include <cstring>
#include <map>

#include "eq/runtime/data.hpp"
#include "eq/runtime/error.hpp"
#include "eq/runtime/file_io.hpp"

namespace eq {
namespace {

static_assert(std::endian::native == std::endian::little, "npy I/O assumes little-endian");

constexpr std::string_view kMagic = "\x93NUMPY";

// The subset of Python literals a header uses.
struct PyValue {
  enum class Kind { string, boolean, none, integer, sequence } kind = Kind::none;
  std::string text;
  std::int64_t integer = 0;
  std::vector<PyValue> items;
};

class HeaderParser {
 public:
  HeaderParser(std::string_view text, const std::string& path) : s_(text), path_(path) {}

  std::map<std::string, PyValue> dict() {
    std::map<std::string, PyValue> out;
    expect('{');
    while (!peek('}')) {
      PyValue key = value();
      if (key.kind != PyValue::Kind::string) fail("a key is not a string");
      expect(':');
      out[key.text] = value();
      if (!peek('}')) expect(',');
    }
    expect('}');
    skip_space();
    if (pos_ != s_.size()) fail("unexpected text after the dict");
    return out;
  }

  [[noreturn]] void fail(const std::string& what) const {
    std::string shown(s_.substr(0, s_.find_last_not_of(" \n") + 1));
    throw Error(path_ + ": bad header: " + what + " in \"" + shown + "\"");
  }

 private:
  void skip_space() {
    while (pos_ < s_.size() && (s_[pos_] == ' ' || s_[pos_] == '\n' || s_[pos_] == '\t')) ++pos_;
  }
  bool peek(char c) {
    skip_space();
    return pos_ < s_.size() && s_[pos_] == c;
  }
  void expect(char c) {
    if (!peek(c)) fail(std::string("expected '") + c + "' at byte " + std::to_string(pos_));
    ++pos_;
  }
  bool word(std::string_view w) {
    if (s_.substr(pos_, w.size()) != w) return false;
    pos_ += w.size();
    return true;
  }
  PyValue value() {
    skip_space();
    PyValue v;
    if (pos_ >= s_.size()) fail("unexpected end");
    char c = s_[pos_];
    if (c == '\'' || c == '"') {
      std::size_t close = s_.find(c, pos_ + 1);
      if (close == std::string_view::npos) fail("unterminated string");
      v.kind = PyValue::Kind::string;
      v.text = std::string(s_.substr(pos_ + 1, close - pos_ - 1));
      pos_ = close + 1;
    } else if (c == '(' || c == '[') {
      char end = c == '(' ? ')' : ']';
      ++pos_;
      v.kind = PyValue::Kind::sequence;
      while (!peek(end)) {
        v.items.push_back(value());
        if (!peek(end)) expect(',');
      }
      ++pos_;
    } else if (word("True")) {
      v.kind = PyValue::Kind::boolean;
      v.integer = 1;
    } else if (word("False")) {
      v.kind = PyValue::Kind::boolean;
    } else if (word("None")) {
      v.kind = PyValue::Kind::none;
    } else if (c >= '0' && c <= '9') {
      v.kind = PyValue::Kind::integer;
      while (pos_ < s_.size() && s_[pos_] >= '0' && s_[pos_] <= '9')
        if (__builtin_mul_overflow(v.integer, 10, &v.integer) ||
            __builtin_add_overflow(v.integer, s_[pos_++] - '0', &v.integer))
          fail("a size is too large");
      if (pos_ < s_.size() && s_[pos_] == 'L') ++pos_;  // Python 2 longs
    } else {
      fail("unexpected '" + std::string(1, c) + "' at byte " + std::to_string(pos_));
    }
    return v;
  }

  std::string_view s_;
  const std::string& path_;
  std::size_t pos_ = 0;
};

std::string shape_tuple(const std::vector<std::int64_t>& dims) {
  std::string s = "(";
  for (std::size_t i = 0; i < dims.size(); ++i) s += (i ? ", " : "") + std::to_string(dims[i]);
  return s + (dims.size() == 1 ? ",)" : ")");
}

// Converts stored integers to our i32, checking that each fits.
template <class Int>
void narrow_to_i32(const char* src, Tensor& out, const std::string& path) {
  std::int32_t* dst = out.data<std::int32_t>();
  for (std::int64_t i = 0; i < out.numel(); ++i) {
    Int v;
    std::memcpy(&v, src + i * static_cast<std::int64_t>(sizeof(Int)), sizeof(Int));
    if (v < INT32_MIN || v > INT32_MAX)
      throw Error(path + ": element " + std::to_string(i) + " is " + std::to_string(v) +
                  ", which does not fit in 32 bits (integer arrays hold class indices)");
    dst[i] = static_cast<std::int32_t>(v);
  }
}

}  // namespace

Tensor decode_npy(std::string_view b, const std::string& path) {
  if (b.size() < 10 || b.substr(0, 6) != kMagic)
    throw Error(path + ": not a .npy file (no \\x93NUMPY magic)");
  int major = static_cast<unsigned char>(b[6]), minor = static_cast<unsigned char>(b[7]);
  if (!((major == 1 || major == 2 || major == 3) && minor == 0))
    throw Error(path + ": unsupported .npy format version " + std::to_string(major) + "." +
                std::to_string(minor));
  int len_bytes = major == 1 ? 2 : 4;
  std::size_t start = 8 + static_cast<std::size_t>(len_bytes);
  if (b.size() < start) throw Error(path + ": the file ends inside its header");
  std::uint64_t header_len = read_le(b, 8, len_bytes);
  if (header_len > b.size() - start) throw Error(path + ": the file ends inside its header");
  std::string_view header = b.substr(start, header_len);
  HeaderParser parser(header, path);
  std::map<std::string, PyValue> dict = parser.dict();
  for (const char* key : {"descr", "fortran_order", "shape"})
    if (!dict.count(key)) parser.fail(std::string("no '") + key + "' key");
  if (dict.size() != 3) parser.fail("unknown keys");

  const PyValue& descr = dict["descr"];
  const PyValue& fortran = dict["fortran_order"];
  const PyValue& shape = dict["shape"];
  if (descr.kind == PyValue::Kind::sequence)
    throw Error(path + ": structured arrays are not supported");
  if (descr.kind != PyValue::Kind::string) parser.fail("'descr' is not a string");
  if (fortran.kind != PyValue::Kind::boolean) parser.fail("'fortran_order' is not True or False");
  if (shape.kind != PyValue::Kind::sequence) parser.fail("'shape' is not a tuple");
  std::vector<std::int64_t> dims;
  for (const PyValue& d : shape.items) {
    if (d.kind != PyValue::Kind::integer) parser.fail("'shape' is not a tuple of sizes");
    dims.push_back(d.integer);
  }
  if (dims.size() > static_cast<std::size_t>(kMaxRank))
    throw Error(path + ": shape " + shape_tuple(dims) + " has " + std::to_string(dims.size()) +
                " axes; eq supports at most " + std::to_string(kMaxRank));
  // Fortran order only matters when some axis has more than one layout.
  if (fortran.integer && dims.size() > 1)
    throw Error(path +
                ": Fortran-ordered arrays are not supported; save with np.ascontiguousarray");

  // '=' is native order, which is little-endian here; '|' marks a type
  // without byte order, meaningful only for one-byte types.
  std::string type = descr.text;
  if (type.size() == 3 && type[0] == '=') type[0] = '<';
  if (type == "|u1" || type == "<u1") type = "|u1";
  if (type == "|i1" || type == "<i1") type = "|i1";
  DType dtype;
  std::size_t item;
  if (type == "<f4")
    dtype = DType::f32, item = 4;
  else if (type == "<f8")
    dtype = DType::f64, item = 8;
  else if (type == "<i4")
    dtype = DType::i32, item = 4;
  else if (type == "<i8")
    dtype = DType::i32, item = 8;
  else if (type == "|u1" || type == "|i1")
    dtype = DType::i32, item = 1;
  else if (type.size() > 1 && type[0] == '>')
    throw Error(path + ": big-endian dtype '" + descr.text +
                "' is not supported; save with arr.astype('<" + type.substr(1) + "')");
  else
    throw Error(path + ": dtype '" + descr.text +
                "' is not supported (eq reads <f4, <f8, <i4, <i8, |u1 and |i1)");

  // The size the header declares, checked against the file before anything
  // is allocated: a 128-byte file may declare 256 GiB.
  const Shape declared{std::span<const std::int64_t>(dims)};
  std::uint64_t need;
  try {
    need = static_cast<std::uint64_t>(byte_size(declared, static_cast<std::int64_t>(item)));
  } catch (const Error& e) {
    throw Error(path + ": " + e.what());
  }
  std::string_view data = b.substr(start + header_len);
  std::string what =
      descr.text + " " + shape_tuple(dims) + " needs " + std::to_string(need) + " bytes";
  if (data.size() < need)
    throw Error(path + ": data is truncated: " + what + " but the file has " +
                std::to_string(data.size()) + " after the header");
  if (data.size() > need)
    throw Error(path + ": " + std::to_string(data.size() - need) + " bytes after the data (" +
                what + ")");

  Tensor out(dtype, declared);
  if (item == dtype_size(dtype))
    std::memcpy(out.raw(), data.data(), need);
  else if (type == "<i8")
    narrow_to_i32<std::int64_t>(data.data(), out, path);
  else if (type == "|u1")
    narrow_to_i32<std::uint8_t>(data.data(), out, path);
  else
    narrow_to_i32<std::int8_t>(data.data(), out, path);
  return out;
}

Tensor load_npy(const std::string& path) { return decode_npy(read_file(path), path); }

namespace {

std::string npy_header(const Tensor& t) {
  std::string descr = t.dtype() == DType::f32 ? "<f4" : t.dtype() == DType::f64 ? "<f8" : "<i4";
  std::vector<std::int64_t> dims(t.shape().begin(), t.shape().end());
  std::string dict =
      "{'descr': '" + descr + "', 'fortran_order': False, 'shape': " + shape_tuple(dims) + ", }";
  // Pad with spaces and end with '\n' so the data starts 64-byte aligned.
  std::size_t total = 10 + dict.size() + 1;
  dict.append((64 - total % 64) % 64, ' ');
  dict += '\n';
  std::string out(kMagic);
  out += '\x01';
  out += '\x00';
  out += static_cast<char>(dict.size() & 0xff);
  out += static_cast<char>(dict.size() >> 8);
  return out + dict;
}

}  // namespace

std::string encode_npy(const Tensor& t) {
  return npy_header(t) + std::string(static_cast<const char*>(t.raw()), t.bytes());
}

void save_npy(const std::string& path, const Tensor& t) {
  std::string header = npy_header(t);
  ByteChunk chunks[] = {{header.data(), header.size()}, {t.raw(), t.bytes()}};
  write_file_atomically(path, chunks);
}

}  // namespace eq
