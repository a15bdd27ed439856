// IShape: the static shape of an IR value. Axis 0 may be the batch axis,
// whose size B is only known when the Machine runs; every other size is fixed
// at compile time. Equations describe one example (docs/language.md §5): lowering
// turns their per-example shapes into these full shapes, and from then on
// the batch axis is just axis 0 — `W·x` over a batch is one [B, n]·[n, m]ᵀ
// product.
#pragma once

#include <cstdint>
#include <string>

#include "eq/runtime/checked.hpp"
#include "eq/runtime/tensor.hpp"

namespace eq::ir {

class IShape {
 public:
  IShape() = default;
  // A shape without batch axis.
  IShape(Shape dims) : dims_(dims) {}  // NOLINT: implicit on purpose
  // `dims` preceded by the batch axis.
  static IShape batched(Shape per_example);

  bool has_batch() const { return batched_; }
  int rank() const { return dims_.rank() + (batched_ ? 1 : 0); }
  // The per-example part: the dims after the batch axis (all of them when unbatched).
  const Shape& example() const { return dims_; }
  // Size of `axis`; kBatch for the batch axis.
  static constexpr std::int64_t kBatch = -1;
  std::int64_t operator[](int axis) const;
  // The number of elements for batch size b; checked (runtime/checked.hpp).
  std::int64_t numel(std::int64_t b = 1) const {
    return checked_mul(dims_.numel(), batched_ ? b : 1, "elements");
  }
  // The concrete shape for batch size b.
  Shape at(std::int64_t b) const { return batched_ ? dims_.with_front(b) : dims_; }

  // Builders that keep the batch axis where it is.
  IShape prefix(int axes) const;              // the first `axes` axes
  IShape with_last(std::int64_t size) const;  // one more trailing axis
  IShape with_ones(int count) const;          // `count` trailing axes of size 1
  IShape swapped_last_two() const;

  std::string str() const;  // "[B, 128]", "[128, 65]", "[]"
  friend bool operator==(const IShape& a, const IShape& b) {
    return a.batched_ == b.batched_ && a.dims_ == b.dims_;
  }

 private:
  bool batched_ = false;
  Shape dims_;
};

// numpy broadcasting of two IR shapes: trailing axes equal or 1; the batch
// symbol matches only itself or 1. nullopt-like: returns false when they do not fit.
bool broadcast(const IShape& a, const IShape& b, IShape& out);

}  // namespace eq::ir
