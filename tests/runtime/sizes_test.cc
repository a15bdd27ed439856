// Issue 17, item 3: every size in the runtime is computed with overflow
// checks, and a size past what the machine can address is an eq::Error that
// states the figure — never a wrapped-around count that a buffer is then
// sized by.
#include <catch2/catch.hpp>
#include <cstdint>
#include <limits>

#include "eq/runtime/checked.hpp"
#include "eq/runtime/error.hpp"
#include "eq/runtime/memory.hpp"
#include "eq/runtime/tape.hpp"
#include "eq/runtime/tensor.hpp"

using eq::DType;
using eq::Shape;
using eq::Tensor;

namespace {
constexpr std::int64_t kMax = std::numeric_limits<std::int64_t>::max();
constexpr std::int64_t k2to62 = std::int64_t{1} << 62;  // 4611686018427387904
}  // namespace

TEST_CASE("checked_mul and checked_add give exact results or say the figure", "[sizes]") {
  CHECK(eq::checked_mul(3, 5) == 15);
  CHECK(eq::checked_mul(k2to62, 1) == k2to62);
  CHECK(eq::checked_mul(0, kMax) == 0);
  CHECK(eq::checked_add(kMax - 1, 1) == kMax);
  CHECK_THROWS_WITH(eq::checked_mul(k2to62, 2),
                    "4611686018427387904 × 2 bytes is larger than this machine can address");
  CHECK_THROWS_WITH(eq::checked_mul(k2to62, 4, "elements"),
                    "4611686018427387904 × 4 elements is larger than this machine can address");
  CHECK_THROWS_WITH(eq::checked_add(kMax, 1),
                    "9223372036854775807 + 1 bytes is larger than this machine can address");
  CHECK_THROWS_AS(eq::checked_mul(kMax, kMax), eq::Error);
}

TEST_CASE("Shape::numel past 2^63 is an error naming the shape", "[sizes]") {
  CHECK(Shape{k2to62, 1}.numel() == k2to62);
  CHECK(Shape{k2to62, 128, 0}.numel() == 0);  // an empty tensor, whatever the other axes
  CHECK_THROWS_WITH((Shape{k2to62, 128}.numel()),
                    "a tensor of 4611686018427387904 × 128 elements is larger than this machine "
                    "can address");
  CHECK_THROWS_WITH((Shape{1 << 20, 1 << 20, 1 << 20, 1 << 20}.numel()),
                    "a tensor of 1048576 × 1048576 × 1048576 × 1048576 elements is larger than "
                    "this machine can address");
}

TEST_CASE("a tensor's byte size past 2^63 is an error naming the figure", "[sizes]") {
  // 2^62 elements fit in int64; 2^62 × 4 bytes do not.
  CHECK(eq::byte_size(Shape{k2to62 / 8}, DType::f64) == k2to62);
  CHECK_THROWS_WITH(eq::byte_size(Shape{k2to62}, DType::f32),
                    "a tensor of 4611686018427387904 elements of 4 bytes is larger than this "
                    "machine can address");
  CHECK_THROWS_WITH((eq::byte_size(Shape{k2to62 / 128, 128}, DType::f64)),
                    "a tensor of 36028797018963968 × 128 elements of 8 bytes is larger than this "
                    "machine can address");
  // Construction computes the size before it allocates anything.
  CHECK_THROWS_WITH((Tensor(DType::f32, Shape{k2to62, 128})),
                    "a tensor of 4611686018427387904 × 128 elements is larger than this machine "
                    "can address");
  CHECK_THROWS_WITH(Tensor(DType::i32, Shape{k2to62}),
                    "a tensor of 4611686018427387904 elements of 4 bytes is larger than this "
                    "machine can address");
}

TEST_CASE("a tape's buffer sizes are checked for the batch they are asked for", "[sizes]") {
  eq::runtime::Value v;
  v.dtype = DType::f32;
  v.batched = true;
  v.dims = Shape{k2to62 / 4};
  CHECK(v.bytes(1) == k2to62);
  CHECK_THROWS_WITH(v.bytes(4),
                    "a tensor of 4 × 1152921504606846976 elements of 4 bytes is larger than this "
                    "machine can address");

  eq::runtime::Buffer b;
  b.per_batch_bytes = std::int64_t{1} << 40;
  CHECK(b.capacity(2) == std::int64_t{1} << 41);
  CHECK_THROWS_WITH(b.capacity(std::int64_t{1} << 30),
                    "a batch of 1073741824 examples of 1099511627776 bytes each is larger than "
                    "this machine can address");

  eq::runtime::Tape tape;
  tape.buffers.resize(2);
  for (auto& buffer : tape.buffers) buffer.fixed_bytes = k2to62;
  CHECK_THROWS_WITH(tape.total_bytes(1),
                    "4611686018427387904 + 4611686018427387904 bytes is larger than this machine "
                    "can address");
}

TEST_CASE("an allocation larger than the machine is an error with the figure", "[sizes]") {
  // 2^46 bytes (64 TiB) is more than any machine these tests run on has.
  try {
    Tensor t(DType::f32, Shape{std::int64_t{1} << 40, 16});
    FAIL("allocated 64 TiB");
  } catch (const eq::Error& e) {
    const std::string m = e.what();
    CHECK(
        m.starts_with("out of memory: a tensor of 1099511627776 × 16 elements of 4 bytes needs "
                      "70368744177664 bytes (64 TiB), more than this machine has ("));
  }
  CHECK(eq::human_bytes(0) == "0 bytes");
  CHECK(eq::human_bytes(1) == "1 byte");
  CHECK(eq::human_bytes(1023) == "1023 bytes");
  CHECK(eq::human_bytes(1536) == "1.5 KiB");
  CHECK(eq::human_bytes(std::int64_t{64} << 40) == "64 TiB");
  CHECK(eq::human_bytes(std::int64_t{3} << 29) == "1.5 GiB");
  CHECK(eq::memory_limit() > 0);
}

TEST_CASE("views and rows know their bytes, checked", "[sizes]") {
  Tensor t(DType::f64, Shape{3, 5});
  CHECK(t.view().bytes() == 3 * 5 * 8);
  CHECK(eq::ConstView(t.view()).bytes() == 3 * 5 * 8);
  CHECK(eq::row_bytes(5, DType::f32) == 20);
  eq::View v{DType::f64, Shape{k2to62 / 4}, nullptr};
  CHECK_THROWS_WITH(v.bytes(),
                    "a tensor of 1152921504606846976 elements of 8 bytes is larger than this "
                    "machine can address");
  CHECK_THROWS_WITH(eq::row_bytes(k2to62, DType::i32),
                    "a tensor of 4611686018427387904 elements of 4 bytes is larger than this "
                    "machine can address");
}
