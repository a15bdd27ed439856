// softmax and logsoftmax over the last axis.
//
// Each row is shifted by its max m before exponentiating, so every exponent
// is ≤ 0: nothing overflows and the largest term is exactly 1, hence the sum
// is in [1, n] and its log is finite. logsoftmax is then (x - m) - log Σ e^(x-m),
// computed without forming softmax, so logits of ±1000 give exact results
// (0 and -2000) instead of log(0) = -inf. Sums accumulate in double.
// y may alias x: each row is read completely before any of it is written
// (softmax writes e^(x-m) over x[j] only after reading x[j]).
// The exponentials are vmath's (vectorised); log Σ is one libm call per row.
#include <algorithm>
#include <cmath>
#include <limits>

#include "eq/runtime/kernels.hpp"
#include "eq/runtime/kernels_detail.hpp"
#include "eq/runtime/vmath.hpp"

namespace eq::kernels {

namespace {

// The row's max in 8 interleaved partial maxima (a single running max is a
// chain of dependent compares). NaNs are skipped (x > m is false for them);
// they reach the output through e^(x - m).
template <class T>
T row_max(const T* x, std::int64_t n) {
  constexpr std::int64_t kLanes = 8;
  T part[kLanes];
  for (T& p : part) p = -std::numeric_limits<T>::infinity();
  std::int64_t j = 0;
  for (; j + kLanes <= n; j += kLanes)
    for (std::int64_t k = 0; k < kLanes; ++k) part[k] = x[j + k] > part[k] ? x[j + k] : part[k];
  for (; j < n; ++j) part[0] = x[j] > part[0] ? x[j] : part[0];
  T m = part[0];
  for (std::int64_t k = 1; k < kLanes; ++k) m = part[k] > m ? part[k] : m;
  return m;
}

// Σ x in double, in 8 interleaved partial sums: one running sum is a chain
// of dependent adds (4 cycles each), which bounded softmax once exp was
// vectorised. The order is fixed, so the result is deterministic.
template <class T>
double sum_double(const T* x, std::int64_t n) {
  constexpr std::int64_t kLanes = 8;
  double part[kLanes] = {};
  std::int64_t j = 0;
  for (; j + kLanes <= n; j += kLanes)
    for (std::int64_t k = 0; k < kLanes; ++k) part[k] += x[j + k];
  for (; j < n; ++j) part[0] += x[j];
  return ((part[0] + part[1]) + (part[2] + part[3])) + ((part[4] + part[5]) + (part[6] + part[7]));
}

// y[j] = x[j] - m; then y = e^y in place (vmath allows x == y).
template <class T>
void softmax_rows(const T* x, T* y, std::int64_t rows, std::int64_t n) {
  for (std::int64_t r = 0; r < rows; ++r, x += n, y += n) {
    T m = row_max(x, n);
    for (std::int64_t j = 0; j < n; ++j) y[j] = x[j] - m;
    vmath::exp(y, y, n);
    T inv = static_cast<T>(1.0 / sum_double(y, n));
    for (std::int64_t j = 0; j < n; ++j) y[j] *= inv;
  }
}

// y[j] = x[j] - m, kept; Σ e^y is taken through a stack chunk.
template <class T>
void logsoftmax_rows(const T* x, T* y, std::int64_t rows, std::int64_t n) {
  constexpr std::int64_t kChunk = 512;
  T chunk[kChunk];
  for (std::int64_t r = 0; r < rows; ++r, x += n, y += n) {
    T m = row_max(x, n);
    for (std::int64_t j = 0; j < n; ++j) y[j] = x[j] - m;
    double sum = 0;
    for (std::int64_t j0 = 0; j0 < n; j0 += kChunk) {
      std::int64_t len = std::min(kChunk, n - j0);
      vmath::exp(y + j0, chunk, len);
      sum += sum_double(chunk, len);
    }
    T log_sum = static_cast<T>(std::log(sum));
    for (std::int64_t j = 0; j < n; ++j) y[j] -= log_sum;
  }
}

template <class F>
void over_rows(ConstView x, View y, std::string_view what, F&& rows_fn) {
  DType t = detail::common_float(x.dtype, y.dtype, what);
  check_same_shape(x.shape, y.shape, what);
  const std::int64_t n = x.shape.last(), total = x.numel();
  if (total == 0) return;
  detail::dispatch_float(t, [&](auto tag) {
    using T = decltype(tag);
    rows_fn(x.as<T>(), y.as<T>(), total / n, n);
  });
}

}  // namespace

void softmax(ConstView x, View y) {
  over_rows(x, y, "softmax", [](auto* xs, auto* ys, std::int64_t rows, std::int64_t n) {
    softmax_rows(xs, ys, rows, n);
  });
}

void logsoftmax(ConstView x, View y) {
  over_rows(x, y, "logsoftmax", [](auto* xs, auto* ys, std::int64_t rows, std::int64_t n) {
    logsoftmax_rows(xs, ys, rows, n);
  });
}

}  // namespace eq::kernels
