#include "eq/runtime/safetensors.hpp"

#include <sys/resource.h>

#include <catch2/catch.hpp>
#include <chrono>
#include <csignal>

#include "eq/runtime/error.hpp"
#include "io_test_util.hpp"

using eq::DType;
using eq::SafetensorsFile;
using eq::Shape;
using eq::Tensor;
using namespace eq::test;

namespace {

// A file assembled by hand: the length prefix, `header` as is, then `data`.
std::string raw_file(const std::string& header, const std::string& data) {
  return le(header.size(), 8) + header + data;
}

SafetensorsFile sample() {
  SafetensorsFile f;
  f.tensors.emplace_back("Wᵢ", Tensor::from(Shape{2, 3}, {1, -2, 3.5, 0.25, -0, 1e-3}, DType::f32));
  f.tensors.emplace_back("b", Tensor::from(Shape{3}, {0.1, -1e300, 7}, DType::f64));
  f.tensors.emplace_back("classes", Tensor::from(Shape{4}, {0, 2, -1, 2147483647}, DType::i32));
  f.tensors.emplace_back("s", Tensor::scalar(42, DType::f32));
  f.metadata["source"] = "loss = -Σ(y*log(ŷ))";
  f.metadata["seed"] = "7";
  return f;
}

void check_same(const SafetensorsFile& a, const SafetensorsFile& b) {
  REQUIRE(a.tensors.size() == b.tensors.size());
  for (std::size_t i = 0; i < a.tensors.size(); ++i) {
    CHECK(a.tensors[i].first == b.tensors[i].first);
    const Tensor& x = a.tensors[i].second;
    const Tensor& y = b.tensors[i].second;
    CHECK(x.dtype() == y.dtype());
    CHECK(x.shape() == y.shape());
    CHECK(std::memcmp(x.raw(), y.raw(), x.bytes()) == 0);
  }
  CHECK(a.metadata == b.metadata);
}

}  // namespace

TEST_CASE("safetensors: bytes of a tiny file match a hand-assembled file", "[safetensors]") {
  SafetensorsFile f;
  f.tensors.emplace_back("a", Tensor::from(Shape{2}, {1, -2}, DType::f32));
  f.tensors.emplace_back("Wᵢ", Tensor::from(Shape{}, {5}, DType::i32));
  f.metadata["k"] = "v";
  // 135 bytes of JSON ('ᵢ' is 3 bytes in UTF-8) and one space of padding, so
  // the data starts at 8 + 136, a multiple of 8.
  std::string header =
      "{\"__metadata__\":{\"k\":\"v\"},"
      "\"a\":{\"dtype\":\"F32\",\"shape\":[2],\"data_offsets\":[0,8]},"
      "\"Wᵢ\":{\"dtype\":\"I32\",\"shape\":[],\"data_offsets\":[8,12]}} ";
  std::string expected = std::string("\x88\0\0\0\0\0\0\0", 8) + header +
                         std::string("\x00\x00\x80\x3f", 4) +  // 1.0f
                         std::string("\x00\x00\x00\xc0", 4) +  // -2.0f
                         std::string("\x05\x00\x00\x00", 4);   // 5
  CHECK(header.size() == 136);
  CHECK(eq::encode_safetensors(f) == expected);

  ScratchDir dir;
  eq::save_safetensors(dir.file("t.safetensors"), f);
  CHECK(read_bytes(dir.file("t.safetensors")) == expected);
}

TEST_CASE("safetensors: save then load gives back every tensor and the metadata", "[safetensors]") {
  ScratchDir dir;
  SafetensorsFile f = sample();
  eq::save_safetensors(dir.file("m.safetensors"), f);
  SafetensorsFile g = eq::load_safetensors(dir.file("m.safetensors"));
  check_same(f, g);
  CHECK(g.path == dir.file("m.safetensors"));
  CHECK(g.find("b")->at(1) == -1e300);
  CHECK(g.find("nope") == nullptr);
  // Only the file itself is left in the directory.
  CHECK(dir.entries() == std::vector<std::string>{"m.safetensors"});
}

TEST_CASE("safetensors: a file with no tensors and an empty tensor round-trip", "[safetensors]") {
  SafetensorsFile f;
  CHECK(eq::encode_safetensors(f) == std::string("\x08\0\0\0\0\0\0\0{}      ", 16));
  CHECK(eq::decode_safetensors(eq::encode_safetensors(f), "e").tensors.empty());
  f.tensors.emplace_back("z", Tensor(DType::f32, Shape{0, 3}));
  f.tensors.emplace_back("one", Tensor::from(Shape{1}, {3}, DType::f64));
  check_same(f, eq::decode_safetensors(eq::encode_safetensors(f), "e"));
}

TEST_CASE("safetensors: the loader orders tensors by offset and reads files we did not write",
          "[safetensors]") {
  // Keys out of offset order, spaces and newlines in the JSON, no padding.
  std::string header =
      "{ \"second\": {\"data_offsets\": [4, 8], \"shape\": [1], \"dtype\": \"F32\"},\n"
      "  \"first\": {\"shape\": [1], \"dtype\": \"I32\", \"data_offsets\": [0, 4]} }";
  SafetensorsFile f = eq::decode_safetensors(
      raw_file(header, bytes_of<std::int32_t>({-3}) + bytes_of<float>({0.5f})), "x");
  REQUIRE(f.tensors.size() == 2);
  CHECK(f.tensors[0].first == "first");
  CHECK(f.tensors[0].second.at(0) == -3);
  CHECK(f.tensors[1].first == "second");
  CHECK(f.tensors[1].second.at(0) == 0.5);
}

TEST_CASE("safetensors: another kind of file is named as not safetensors", "[safetensors]") {
  // An .eq passed as weights: its first 8 bytes read as a length far past
  // the file, and what follows is no JSON object.
  const std::string model = "# m.eq\ninput x : [4]\nparam w : [4] ~ 0\ny = w·x\noutput y\n";
  CHECK_THROWS_WITH(eq::decode_safetensors(model, "m.eq"),
                    "m.eq: not a safetensors file (it does not start with a header length and a "
                    "JSON header)");
  // A damaged safetensors file still gets the figures: its header starts '{'.
  SafetensorsFile f;
  f.tensors.emplace_back("a", Tensor::from(Shape{2}, {1, 2}, DType::f32));
  std::string bytes = eq::encode_safetensors(f);
  bytes[5] = '\x01';  // the length now runs past the file
  CHECK_THROWS_WITH(eq::decode_safetensors(bytes, "w.safetensors"),
                    Catch::Matchers::StartsWith("w.safetensors: header length "));
}

TEST_CASE("safetensors: a truncated file is an error at every cut", "[safetensors]") {
  SafetensorsFile f;
  f.tensors.emplace_back("a", Tensor::from(Shape{2}, {1, 2}, DType::f32));
  f.tensors.emplace_back("b", Tensor::from(Shape{2}, {3, 4}, DType::f64));
  std::string bytes = eq::encode_safetensors(f);
  std::uint64_t n = bytes.size() - 8 - 24;  // header length
  auto cut = [&](std::size_t size) {
    return eq::decode_safetensors(bytes.substr(0, size), "m.safetensors");
  };
  CHECK_THROWS_WITH(
      cut(0),
      "m.safetensors: not a safetensors file: 0 bytes, too short for the 8-byte header length");
  CHECK_THROWS_WITH(
      cut(7),
      "m.safetensors: not a safetensors file: 7 bytes, too short for the 8-byte header length");
  CHECK_THROWS_WITH(cut(8), "m.safetensors: header length " + std::to_string(n) +
                                " is larger than the rest of the file (0 bytes)");
  CHECK_THROWS_WITH(cut(8 + n / 2), "m.safetensors: header length " + std::to_string(n) +
                                        " is larger than the rest of the file (" +
                                        std::to_string(n / 2) + " bytes)");
  CHECK_THROWS_WITH(cut(8 + n),
                    "m.safetensors: tensor 'a': data_offsets [0, 8] pass the end of the data "
                    "(0 bytes; is the file truncated?)");
  CHECK_THROWS_WITH(cut(8 + n + 12),
                    "m.safetensors: tensor 'b': data_offsets [8, 24] pass the end of the data "
                    "(12 bytes; is the file truncated?)");
  CHECK_THROWS_WITH(cut(bytes.size() - 1),
                    "m.safetensors: tensor 'b': data_offsets [8, 24] pass the end of the "
                    "data (23 bytes; is the file truncated?)");
  CHECK_NOTHROW(cut(bytes.size()));
}

TEST_CASE("safetensors: every header fault has its own message", "[safetensors]") {
  auto load = [](const std::string& header, const std::string& data = "") {
    return eq::decode_safetensors(raw_file(header, data), "model.safetensors");
  };
  auto entry = [](const std::string& fields) { return "{\"Wᵢ\":{" + fields + "}}"; };
  const std::string eight(8, '\0');
  // Bytes counted from 0: the ']' at 7, and the end of an 11-byte header.
  CHECK_THROWS_WITH(load("{\"a\": 1]}"),
                    "model.safetensors: header is not valid JSON (error at byte 7 of the header)");
  CHECK_THROWS_WITH(load("{\"a\": [1, 2"),
                    "model.safetensors: header is not valid JSON (error at byte 11 of the header)");
  CHECK_THROWS_WITH(load("[1, 2]"), "model.safetensors: header is not a JSON object");
  CHECK_THROWS_WITH(load("{\"Wᵢ\": 3}"), "model.safetensors: tensor 'Wᵢ': entry is not an object");
  CHECK_THROWS_WITH(load(entry("\"shape\":[2],\"data_offsets\":[0,8]"), eight),
                    "model.safetensors: tensor 'Wᵢ': missing \"dtype\"");
  CHECK_THROWS_WITH(load(entry("\"dtype\":\"F32\",\"data_offsets\":[0,8]"), eight),
                    "model.safetensors: tensor 'Wᵢ': missing \"shape\"");
  CHECK_THROWS_WITH(load(entry("\"dtype\":\"F32\",\"shape\":[2]"), eight),
                    "model.safetensors: tensor 'Wᵢ': missing \"data_offsets\"");
  CHECK_THROWS_WITH(load(entry("\"dtype\":32,\"shape\":[2],\"data_offsets\":[0,8]"), eight),
                    "model.safetensors: tensor 'Wᵢ': \"dtype\" is not a string");
  CHECK_THROWS_WITH(load(entry("\"dtype\":\"F33\",\"shape\":[2],\"data_offsets\":[0,8]"), eight),
                    "model.safetensors: tensor 'Wᵢ': unknown dtype 'F33'");
  CHECK_THROWS_WITH(
      load(entry("\"dtype\":\"BF16\",\"shape\":[4],\"data_offsets\":[0,8]"), eight),
      "model.safetensors: tensor 'Wᵢ': dtype BF16 is not supported (eq reads F32, F64 and I32)");
  CHECK_THROWS_WITH(load(entry("\"dtype\":\"F32\",\"shape\":[2,-1],\"data_offsets\":[0,8]"), eight),
                    "model.safetensors: tensor 'Wᵢ': \"shape\" is not a list of sizes");
  CHECK_THROWS_WITH(
      load(entry("\"dtype\":\"F32\",\"shape\":[1,1,1,1,2],\"data_offsets\":[0,8]"), eight),
      "model.safetensors: tensor 'Wᵢ': shape has 5 axes; eq supports at most 4");
  CHECK_THROWS_WITH(
      load(entry("\"dtype\":\"F32\",\"shape\":[2],\"data_offsets\":[0]"), eight),
      "model.safetensors: tensor 'Wᵢ': \"data_offsets\" is not a pair of byte offsets");
  CHECK_THROWS_WITH(load(entry("\"dtype\":\"F32\",\"shape\":[2],\"data_offsets\":[8,0]"), eight),
                    "model.safetensors: tensor 'Wᵢ': data_offsets [8, 0] end before they begin");
  CHECK_THROWS_WITH(load(entry("\"dtype\":\"F32\",\"shape\":[128,65],\"data_offsets\":[0,400]"),
                         std::string(400, '\0')),
                    "model.safetensors: tensor 'Wᵢ': data_offsets [0, 400] hold 400 bytes but F32 "
                    "[128, 65] needs 33280");
  CHECK_THROWS_WITH(
      load(entry("\"dtype\":\"F64\",\"shape\":[4294967296,4294967296],\"data_offsets\":[0,8]"),
           eight),
      "model.safetensors: tensor 'Wᵢ': a tensor of 4294967296 × 4294967296 elements is larger "
      "than this machine can address");
  CHECK_THROWS_WITH(load("{\"a\":{\"dtype\":\"F32\",\"shape\":[1],\"data_offsets\":[0,4]},"
                         "\"a\":{\"dtype\":\"F32\",\"shape\":[1],\"data_offsets\":[4,8]}}",
                         eight),
                    "model.safetensors: header names 'a' twice");
  CHECK_THROWS_WITH(load("{\"__metadata__\":[1]}"),
                    "model.safetensors: \"__metadata__\" is not an object");
  CHECK_THROWS_WITH(load("{\"__metadata__\":{\"seed\":7}}"),
                    "model.safetensors: \"__metadata__\" value of 'seed' is not a string");
  CHECK_THROWS_WITH(eq::decode_safetensors(le(std::uint64_t{200} << 20, 8) + "{}", "h"),
                    "h: header length 209715200 is over the 100 MB limit");
}

// Issue 17, item 5: JSON that parses but holds a number no double can (the
// JSON library reports it with an exception of its own kind) is a header
// fault like any other.
TEST_CASE("safetensors: a number out of range in the header is an eq::Error", "[safetensors]") {
  auto load = [](const std::string& header) {
    return eq::decode_safetensors(raw_file(header, ""), "h.safetensors");
  };
  CHECK_THROWS_WITH(load("{\"a\":1e400}"),
                    "h.safetensors: header is not valid JSON (the number 1e400 is out of range)");
  CHECK_THROWS_WITH(load("{\"__metadata__\":{},\"a\":{\"dtype\":\"F32\",\"shape\":[-1e999]}}"),
                    "h.safetensors: header is not valid JSON (the number -1e999 is out of range)");
  // Sizes past int64 are refused with the figure, not wrapped to negative.
  CHECK_THROWS_WITH(
      load("{\"W\":{\"dtype\":\"F32\",\"shape\":[9223372036854775808],\"data_offsets\":[0,4]}}"),
      "h.safetensors: tensor 'W': a tensor axis of 9223372036854775808 elements is larger than "
      "this machine can address");
}

// Issue 17, item 6: the duplicate-key check was quadratic in the number of
// tensors (31 s for 40,000). 100,000 tensors take a fraction of a second when
// linear, and minutes when quadratic; the bound leaves room for slow
// (sanitizer) builds on a busy machine.
TEST_CASE("safetensors: a header of a hundred thousand tensors decodes in linear time",
          "[safetensors]") {
  constexpr int n = 100000;
  std::string header = "{";
  for (int i = 0; i < n; ++i)
    header += (i ? ",\"t" : "\"t") + std::to_string(i) + "\":{\"dtype\":\"F32\",\"shape\":[1]," +
              "\"data_offsets\":[" + std::to_string(4 * i) + "," + std::to_string(4 * i + 4) + "]}";
  header += "}";
  const std::string bytes = raw_file(header, std::string(4 * n, '\0'));
  const auto start = std::chrono::steady_clock::now();
  SafetensorsFile f = eq::decode_safetensors(bytes, "many.safetensors");
  const double seconds =
      std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  CHECK(f.tensors.size() == n);
  CHECK(seconds < 60);
  // A duplicate is still found, wherever it is.
  std::string twice = header;
  twice.back() = ',';
  twice += "\"t99999\":{\"dtype\":\"F32\",\"shape\":[1],\"data_offsets\":[0,4]}}";
  CHECK_THROWS_WITH(eq::decode_safetensors(raw_file(twice, std::string(4 * n, '\0')), "m"),
                    "m: header names 't99999' twice");
}

TEST_CASE("safetensors: the tensors must cover the data exactly", "[safetensors]") {
  auto load = [](const std::string& header, std::size_t data) {
    return eq::decode_safetensors(raw_file(header, std::string(data, '\0')), "m.safetensors");
  };
  auto two = [](int a0, int a1, int b0, int b1) {
    auto e = [](int x, int y) {
      return "{\"dtype\":\"F32\",\"shape\":[" + std::to_string((y - x) / 4) +
             "],\"data_offsets\":[" + std::to_string(x) + "," + std::to_string(y) + "]}";
    };
    return "{\"a\":" + e(a0, a1) + ",\"b\":" + e(b0, b1) + "}";
  };
  CHECK_NOTHROW(load(two(0, 8, 8, 16), 16));
  CHECK_THROWS_WITH(load(two(0, 8, 12, 20), 20),
                    "m.safetensors: bytes [8, 12) of the data belong to no tensor");
  CHECK_THROWS_WITH(load(two(4, 12, 12, 20), 20),
                    "m.safetensors: bytes [0, 4) of the data belong to no tensor");
  CHECK_THROWS_WITH(load(two(0, 8, 8, 16), 20),
                    "m.safetensors: bytes [16, 20) of the data belong to no tensor");
  CHECK_THROWS_WITH(load(two(0, 8, 4, 12), 12),
                    "m.safetensors: tensors 'a' [0, 8] and 'b' [4, 12] overlap");
  CHECK_THROWS_WITH(load(two(0, 8, 8, 16), 12),
                    "m.safetensors: tensor 'b': data_offsets [8, 16] pass the end of the data (12 "
                    "bytes; is the file truncated?)");
}

TEST_CASE("safetensors: a missing or unreadable file names the path", "[safetensors]") {
  ScratchDir dir;
  CHECK_THROWS_WITH(eq::load_safetensors(dir.file("no.safetensors")),
                    dir.file("no.safetensors") + ": cannot read: No such file or directory");
  CHECK_THROWS_WITH(eq::load_safetensors(dir.path()), dir.path() + ": cannot read: Is a directory");
}

TEST_CASE("safetensors: a failed save leaves the old file and no temporary", "[safetensors]") {
  ScratchDir dir;
  const std::string path = dir.file("W.safetensors");
  eq::save_safetensors(path, sample());
  const std::string old = read_bytes(path);

  SECTION("a reserved or repeated tensor name is refused before writing") {
    SafetensorsFile bad = sample();
    bad.tensors.emplace_back("__metadata__", Tensor::scalar(1));
    CHECK_THROWS_WITH(eq::save_safetensors(path, bad),
                      path + ": cannot save a tensor named '__metadata__' (the name is reserved)");
    bad.tensors.back().first = "b";
    CHECK_THROWS_WITH(eq::save_safetensors(path, bad),
                      path + ": cannot save two tensors named 'b'");
  }
  SECTION("a name that is not UTF-8 is refused") {
    SafetensorsFile bad = sample();
    bad.tensors.emplace_back("bad\xff", Tensor::scalar(1));
    CHECK_THROWS_WITH(eq::save_safetensors(path, bad),
                      path + ": cannot save: a tensor name or metadata string is not valid UTF-8");
  }
  SECTION("the disk refuses the data halfway (file size limit)") {
    // A real write failure in the middle of the data: with RLIMIT_FSIZE the
    // kernel refuses bytes past the limit (EFBIG) once SIGXFSZ is ignored.
    SafetensorsFile big;
    big.tensors.emplace_back("W", Tensor(DType::f32, Shape{1 << 16}));  // 256 KiB
    auto previous_handler = std::signal(SIGXFSZ, SIG_IGN);
    rlimit saved{};
    REQUIRE(::getrlimit(RLIMIT_FSIZE, &saved) == 0);
    rlimit low = saved;
    low.rlim_cur = 64 * 1024;
    REQUIRE(::setrlimit(RLIMIT_FSIZE, &low) == 0);
    bool threw = false;
    std::string message;
    try {
      eq::save_safetensors(path, big);
    } catch (const eq::Error& e) {
      threw = true;
      message = e.what();
    }
    ::setrlimit(RLIMIT_FSIZE, &saved);
    std::signal(SIGXFSZ, previous_handler);
    CHECK(threw);
    CHECK(message == path + ": cannot write: File too large");
  }
  SECTION("the directory does not exist") {
    std::string elsewhere = dir.file("missing/W.safetensors");
    CHECK_THROWS_WITH(
        eq::save_safetensors(elsewhere, sample()),
        elsewhere + ": cannot write: the directory " + dir.file("missing") + " does not exist");
  }
  CHECK(read_bytes(path) == old);
  CHECK(dir.entries() == std::vector<std::string>{"W.safetensors"});
}

TEST_CASE("safetensors: a successful save replaces the old file", "[safetensors]") {
  ScratchDir dir;
  const std::string path = dir.file("W.safetensors");
  write_bytes(path, "old contents");
  SafetensorsFile f = sample();
  eq::save_safetensors(path, f);
  check_same(f, eq::load_safetensors(path));
  CHECK(dir.entries() == std::vector<std::string>{"W.safetensors"});
}

TEST_CASE("safetensors: expect_tensor checks names, shapes and dtypes against the model",
          "[safetensors]") {
  SafetensorsFile f;
  f.path = "W.safetensors";
  f.tensors.emplace_back("W₁", Tensor(DType::f32, Shape{64, 128}));
  f.tensors.emplace_back("b₁", Tensor(DType::f64, Shape{64}));
  std::vector<eq::TensorSpec> specs = {{"W₁", DType::f32, Shape{64, 128}},
                                       {"W₂", DType::f32, Shape{10, 64}},
                                       {"b₁", DType::f32, Shape{64}},
                                       {"b₂", DType::f32, Shape{10}}};
  CHECK_NOTHROW(eq::expect_tensor(f, "W₁", DType::f32, Shape{64, 128}));
  CHECK_THROWS_WITH(
      eq::expect_tensor(f, "W₁", DType::f32, Shape{128, 64}),
      "W.safetensors: tensor 'W₁' has shape [64, 128] but the model declares [128, 64]");
  CHECK_THROWS_WITH(eq::expect_tensor(f, "b₁", DType::f32, Shape{64}),
                    "W.safetensors: tensor 'b₁' is F64 but the model expects F32");
  CHECK_THROWS_WITH(eq::expect_tensor(f, "W₂", DType::f32, Shape{10, 64}),
                    "W.safetensors: no tensor 'W₂'");
  CHECK_THROWS_WITH(eq::expect_tensors(f, specs),
                    "W.safetensors: no tensor 'W₂' (the model's parameters are W₁, W₂, b₁, b₂)");
}
