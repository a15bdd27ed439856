// softmax and logsoftmax over the last axis.
//
// Each row is shifted by its max m before exponentiating, so every exponent
// is ≤ 0: nothing overflows and the largest term is exactly 1, hence the sum
// is in [1, n] and its log is finite. logsoftmax is then (x - m) - log Σ e^(x-m),
// computed without forming softmax, so logits of ±1000 give exact results
// (0 and -2000) instead of log(0) = -inf. Sums accumulate in double.
// y may alias x: each row is read completely before any of it is written
// (softmax writes e^(x-m) over x[j] only after reading x[j]).
#include <cmath>
#include <limits>

#include "runtime/kernels.hpp"
#include "runtime/kernels_detail.hpp"

namespace eq::kernels {

namespace {

template <class T> T row_max(const T* x, std::int64_t n) {
  T m = -std::numeric_limits<T>::infinity();
  for (std::int64_t j = 0; j < n; ++j) m = x[j] > m ? x[j] : m;
  return m;
}

template <class T> void softmax_rows(const T* x, T* y, std::int64_t rows, std::int64_t n) {
  for (std::int64_t r = 0; r < rows; ++r, x += n, y += n) {
    T m = row_max(x, n);
    double sum = 0;
    for (std::int64_t j = 0; j < n; ++j) {
      T e = std::exp(x[j] - m);
      y[j] = e;
      sum += e;
    }
    T inv = static_cast<T>(1.0 / sum);
    for (std::int64_t j = 0; j < n; ++j) y[j] *= inv;
  }
}

template <class T> void logsoftmax_rows(const T* x, T* y, std::int64_t rows, std::int64_t n) {
  for (std::int64_t r = 0; r < rows; ++r, x += n, y += n) {
    T m = row_max(x, n);
    double sum = 0;
    for (std::int64_t j = 0; j < n; ++j) sum += std::exp(x[j] - m);
    T log_sum = static_cast<T>(std::log(sum));
    for (std::int64_t j = 0; j < n; ++j) y[j] = (x[j] - m) - log_sum;
  }
}

template <class F> void over_rows(ConstView x, View y, std::string_view what, F&& rows_fn) {
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
