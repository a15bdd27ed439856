// Shared helpers of the kernel tests: seeded random tensors, an independent
// broadcasting index map for reference loops, and a comparison that reports
// the first mismatching element. References are float64 loops written in the
// tests, never calls into the kernels under test.
#pragma once

#include <cmath>
#include <cstdint>
#include <random>
#include <sstream>
#include <string>
#include <vector>

#include "eq/runtime/tensor.hpp"

namespace eq::testing {

template <class T>
constexpr DType dtype_of() {
  return sizeof(T) == 4 ? DType::f32 : DType::f64;
}

// Relative tolerances: float32 kernels vs a float64 reference, and float64.
template <class T>
constexpr double tolerance() {
  return sizeof(T) == 4 ? 1e-5 : 1e-12;
}

using Rng = std::mt19937_64;

// Uniform values in [lo, hi), stored in `dtype` (so the reference reads the
// very values the kernel reads, after rounding to f32).
inline Tensor random_tensor(Rng& rng, Shape shape, DType dtype, double lo = -1, double hi = 1) {
  Tensor t(dtype, shape);
  std::uniform_real_distribution<double> u(lo, hi);
  for (std::int64_t i = 0; i < t.numel(); ++i) t.set(i, u(rng));
  return t;
}

// A random shape of rank in [min_rank, max_rank], each axis in [1, max_dim].
inline Shape random_shape(Rng& rng, int min_rank = 0, int max_rank = 4, std::int64_t max_dim = 5) {
  int rank = std::uniform_int_distribution<int>(min_rank, max_rank)(rng);
  std::vector<std::int64_t> dims;
  for (int i = 0; i < rank; ++i)
    dims.push_back(std::uniform_int_distribution<std::int64_t>(1, max_dim)(rng));
  return Shape(std::span<const std::int64_t>(dims));
}

// The multi-index of flat position `flat` in `shape` (row-major).
inline std::vector<std::int64_t> unflatten(std::int64_t flat, const Shape& shape) {
  std::vector<std::int64_t> idx(static_cast<std::size_t>(shape.rank()));
  for (int a = shape.rank() - 1; a >= 0; --a) {
    idx[a] = flat % shape[a];
    flat /= shape[a];
  }
  return idx;
}

// The flat position in `operand` of the element that broadcasting maps to
// out-index `idx`: axes aligned on the right, size-1 axes pinned at 0.
inline std::int64_t broadcast_source(const std::vector<std::int64_t>& idx, const Shape& operand) {
  std::int64_t flat = 0;
  int shift = static_cast<int>(idx.size()) - operand.rank();
  for (int a = 0; a < operand.rank(); ++a) {
    std::int64_t i = operand[a] == 1 ? 0 : idx[static_cast<std::size_t>(a + shift)];
    flat = flat * operand[a] + i;
  }
  return flat;
}

// "" when every element of got is within tol * max(1, |want|) of want (and
// NaN / inf only where want has the same); otherwise the first mismatch.
inline std::string mismatch(const Tensor& got, const std::vector<double>& want, double tol) {
  if (got.numel() != static_cast<std::int64_t>(want.size()))
    return "size " + std::to_string(got.numel()) + " vs " + std::to_string(want.size());
  for (std::int64_t i = 0; i < got.numel(); ++i) {
    double g = got.at(i), w = want[static_cast<std::size_t>(i)];
    bool ok = std::isfinite(w) ? std::fabs(g - w) <= tol * std::fmax(1.0, std::fabs(w))
                               : (std::isnan(w) ? std::isnan(g) : g == w);
    if (!ok) {
      std::ostringstream s;
      s.precision(17);
      s << "element " << i << " of " << got.shape().str() << ": got " << g << ", want " << w;
      return s.str();
    }
  }
  return "";
}

}  // namespace eq::testing
