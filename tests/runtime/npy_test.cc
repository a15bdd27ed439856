#include <catch2/catch.hpp>

#include "eq/runtime/data.hpp"
#include "eq/runtime/error.hpp"
#include "io_test_util.hpp"

using eq::DType;
using eq::Shape;
using eq::Tensor;
using namespace eq::test;

namespace {

// A version 1.0 file assembled by hand: magic, version, 2-byte header length,
// the dict padded to 64-byte alignment and ended by '\n', then `data`.
std::string npy_v1(const std::string& dict, const std::string& data) {
  std::string header = dict;
  while ((10 + header.size() + 1) % 64 != 0) header += ' ';
  header += '\n';
  return std::string("\x93NUMPY\x01\x00", 8) + le(header.size(), 2) + header + data;
}

std::string npy_v2(const std::string& dict, const std::string& data) {
  std::string header = dict + "\n";
  return std::string("\x93NUMPY\x02\x00", 8) + le(header.size(), 4) + header + data;
}

std::string dict(const std::string& descr, const std::string& shape, bool fortran = false) {
  return "{'descr': '" + descr + "', 'fortran_order': " + (fortran ? "True" : "False") +
         ", 'shape': " + shape + ", }";
}

}  // namespace

TEST_CASE("npy: each supported dtype reads to the right tensor", "[npy]") {
  Tensor f4 = eq::decode_npy(npy_v1(dict("<f4", "(2, 3)"), bytes_of<float>({1, 2, 3, 4, 5, -6.5f})),
                             "a.npy");
  CHECK(f4.dtype() == DType::f32);
  CHECK(f4.shape() == Shape{2, 3});
  CHECK(f4.to_vector() == std::vector<double>{1, 2, 3, 4, 5, -6.5});

  Tensor f8 =
      eq::decode_npy(npy_v1(dict("<f8", "(3,)"), bytes_of<double>({0.1, -1e300, 2})), "a.npy");
  CHECK(f8.dtype() == DType::f64);
  CHECK(f8.to_vector() == std::vector<double>{0.1, -1e300, 2});

  Tensor i4 = eq::decode_npy(npy_v1(dict("<i4", "(2,)"), bytes_of<std::int32_t>({-7, 2147483647})),
                             "a.npy");
  CHECK(i4.dtype() == DType::i32);
  CHECK(i4.to_vector() == std::vector<double>{-7, 2147483647});

  // int64 class indices narrow to int32.
  Tensor i8 = eq::decode_npy(
      npy_v1(dict("<i8", "(3,)"), bytes_of<std::int64_t>({0, 9, -2147483648LL})), "a.npy");
  CHECK(i8.dtype() == DType::i32);
  CHECK(i8.to_vector() == std::vector<double>{0, 9, -2147483648.0});

  Tensor u1 = eq::decode_npy(npy_v1(dict("|u1", "(2,)"), "\x03\xff"), "a.npy");
  CHECK(u1.to_vector() == std::vector<double>{3, 255});
  Tensor i1 = eq::decode_npy(npy_v1(dict("|i1", "(2,)"), "\x03\xff"), "a.npy");
  CHECK(i1.to_vector() == std::vector<double>{3, -1});

  // '=' is native order (little-endian here); a scalar has shape ().
  Tensor s = eq::decode_npy(npy_v1(dict("=f8", "()"), bytes_of<double>({2.5})), "a.npy");
  CHECK(s.shape() == Shape{});
  CHECK(s.at(0) == 2.5);
  // Fortran order means nothing for one axis.
  CHECK(eq::decode_npy(npy_v1(dict("<f4", "(2,)", true), bytes_of<float>({1, 2})), "a.npy").at(1) ==
        2);
  // Version 2.0 (4-byte header length), double quotes and no trailing comma.
  Tensor v2 =
      eq::decode_npy(npy_v2("{\"descr\": \"<f4\", \"fortran_order\": False, \"shape\": (1, 2)}",
                            bytes_of<float>({7, 8})),
                     "a.npy");
  CHECK(v2.shape() == Shape{1, 2});
  CHECK(v2.to_vector() == std::vector<double>{7, 8});
}

TEST_CASE("npy: save writes the version 1.0 layout, and load reads it back", "[npy]") {
  Tensor t = Tensor::from(Shape{2, 2}, {1, 2, 3, 4}, DType::f32);
  std::string expected = npy_v1("{'descr': '<f4', 'fortran_order': False, 'shape': (2, 2), }",
                                bytes_of<float>({1, 2, 3, 4}));
  CHECK(eq::encode_npy(t) == expected);
  CHECK((expected.size() - 16) % 64 == 0);  // the data starts 64-byte aligned

  CHECK(eq::encode_npy(Tensor::from(Shape{3}, {1, 2, 3}, DType::i32)) ==
        npy_v1(dict("<i4", "(3,)"), bytes_of<std::int32_t>({1, 2, 3})));

  ScratchDir dir;
  for (DType d : {DType::f32, DType::f64, DType::i32}) {
    Tensor u = Tensor::from(Shape{2, 1, 3}, {1, -2, 3, 4, 5, 6}, d);
    eq::save_npy(dir.file("u.npy"), u);
    Tensor v = eq::load_npy(dir.file("u.npy"));
    CHECK(v.dtype() == d);
    CHECK(v.shape() == u.shape());
    CHECK(v.to_vector() == u.to_vector());
  }
  CHECK(dir.entries() == std::vector<std::string>{"u.npy"});
}

TEST_CASE("npy: every fault in a file has its own message", "[npy]") {
  auto load = [](const std::string& bytes) { return eq::decode_npy(bytes, "x.npy"); };
  const std::string four = bytes_of<float>({1, 2, 3, 4});
  CHECK_THROWS_WITH(load("PK\x03\x04 not npy at all"),
                    "x.npy: not a .npy file (no \\x93NUMPY magic)");
  CHECK_THROWS_WITH(load("\x93NUMPY"), "x.npy: not a .npy file (no \\x93NUMPY magic)");
  CHECK_THROWS_WITH(load(std::string("\x93NUMPY\x04\x00\x10\x00", 10)),
                    "x.npy: unsupported .npy format version 4.0");
  CHECK_THROWS_WITH(load(std::string("\x93NUMPY\x01\x00\xff\x00{", 11)),
                    "x.npy: the file ends inside its header");
  CHECK_THROWS_WITH(
      load(npy_v1(dict("<f4", "(2, 2)", true), four)),
      "x.npy: Fortran-ordered arrays are not supported; save with np.ascontiguousarray");
  CHECK_THROWS_WITH(
      load(npy_v1(dict("<c8", "(2,)"), four)),
      "x.npy: dtype '<c8' is not supported (eq reads <f4, <f8, <i4, <i8, |u1 and |i1)");
  CHECK_THROWS_WITH(load(npy_v1(dict(">f4", "(4,)"), four)),
                    "x.npy: big-endian dtype '>f4' is not supported; save with arr.astype('<f4')");
  CHECK_THROWS_WITH(
      load(npy_v1("{'descr': [('a', '<f4')], 'fortran_order': False, 'shape': (1,), }", four)),
      "x.npy: structured arrays are not supported");
  CHECK_THROWS_WITH(
      load(npy_v1(dict("<f4", "(2, 3)"), four)),
      "x.npy: data is truncated: <f4 (2, 3) needs 24 bytes but the file has 16 after the header");
  CHECK_THROWS_WITH(load(npy_v1(dict("<f4", "(3,)"), four)),
                    "x.npy: 4 bytes after the data (<f4 (3,) needs 12 bytes)");
  CHECK_THROWS_WITH(load(npy_v1(dict("<f4", "(1, 1, 1, 1, 4)"), four)),
                    "x.npy: shape (1, 1, 1, 1, 4) has 5 axes; eq supports at most 4");
  CHECK_THROWS_WITH(
      load(npy_v1("{'descr': '<f4', 'shape': (4,), }", four)),
      "x.npy: bad header: no 'fortran_order' key in \"{'descr': '<f4', 'shape': (4,), }\"");
  CHECK_THROWS_WITH(
      load(npy_v1("{'descr': '<f4', 'fortran_order': False, 'shape': 4, }", four)),
      "x.npy: bad header: 'shape' is not a tuple in \"{'descr': '<f4', 'fortran_order': False, "
      "'shape': 4, }\"");
  CHECK_THROWS_WITH(
      load(npy_v1("{'descr': '<f4' 'fortran_order': False}", four)),
      "x.npy: bad header: expected ',' at byte 16 in \"{'descr': '<f4' 'fortran_order': False}\"");
  CHECK_THROWS_WITH(
      load(npy_v1(dict("<i8", "(2,)"), bytes_of<std::int64_t>({1, 3000000000LL}))),
      "x.npy: element 1 is 3000000000, which does not fit in 32 bits (integer arrays hold class "
      "indices)");
  ScratchDir dir;
  CHECK_THROWS_WITH(eq::load_npy(dir.file("none.npy")),
                    dir.file("none.npy") + ": cannot read: No such file or directory");
}

// Issue 17, items 3 and 5: the size a header declares is checked against the
// file before anything is allocated (a 128-byte file declaring 2^30 × 64
// floats asked for 256 GiB first), and a size past int64 is an error with the
// figure rather than a wrapped count.
TEST_CASE("npy: a declared size is checked against the file before allocating", "[npy]") {
  auto load = [](const std::string& bytes) { return eq::decode_npy(bytes, "x.npy"); };
  const std::string big = npy_v1(dict("<f4", "(1073741824, 64)"), "");
  CHECK(big.size() == 128);
  CHECK_THROWS_WITH(load(big),
                    "x.npy: data is truncated: <f4 (1073741824, 64) needs 274877906944 "
                    "bytes but the file has 0 after the header");
  CHECK_THROWS_WITH(
      load(npy_v1(dict("<f8", "(1099511627776, 1099511627776)"), "")),
      "x.npy: a tensor of 1099511627776 × 1099511627776 elements is larger than this machine can "
      "address");
  CHECK_THROWS_WITH(
      load(npy_v1(dict("<f8", "(4, 1152921504606846976)"), "")),
      "x.npy: a tensor of 4 × 1152921504606846976 elements of 8 bytes is larger than this machine "
      "can address");
  CHECK_THROWS_WITH(load(npy_v1(dict("<i8", "(9223372036854775808,)"), "")),
                    "x.npy: bad header: a size is too large in \"{'descr': '<i8', 'fortran_order': "
                    "False, 'shape': (9223372036854775808,), }\"");
}
