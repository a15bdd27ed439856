// Reductions: reduce (trailing axes → one value per leading index),
// reduce_axis (one axis, kept with size 1) and sum_to_shape (the adjoint of
// broadcasting, used by every gradient of a broadcast operand).
//
// Numerics: sums of contiguous runs accumulate in double, also for f32, so a
// long Σ does not lose the small terms. The row-sum path of sum_to_shape
// (a bias gradient: [batch, n] → [n]) accumulates in T so it vectorises over
// n; its error grows with the batch, which is short.
// Empty reductions: sum 0, mean NaN (0/0), max -inf, min +inf,
// logsumexp -inf. logsumexp is m + log Σ e^(x - m) with m the max: every
// exponent is ≤ 0 and the largest term is 1, so the sum is in [1, n]. When
// m is ±inf the answer is m (x - m would be NaN).
//
// reduce_axis over a middle axis walks x as [outer, n, inner] and keeps a
// chunk of `inner` partial results on the stack: each of the n rows adds to
// the chunk in one vectorisable pass, and nothing is allocated.
#include <algorithm>
#include <cmath>
#include <limits>
#include <string>

#include "eq/runtime/kernels.hpp"
#include "eq/runtime/kernels_detail.hpp"
#include "eq/runtime/vmath.hpp"

namespace eq::kernels {

namespace {

template <class T>
double sum_run(const T* x, std::int64_t n) {
  // Four accumulators: independent additions pipeline; still double precision.
  double s0 = 0, s1 = 0, s2 = 0, s3 = 0;
  std::int64_t i = 0;
  for (; i + 4 <= n; i += 4) {
    s0 += x[i];
    s1 += x[i + 1];
    s2 += x[i + 2];
    s3 += x[i + 3];
  }
  for (; i < n; ++i) s0 += x[i];
  return (s0 + s1) + (s2 + s3);
}

template <class T>
T max_run(const T* x, std::int64_t n) {
  T m = -std::numeric_limits<T>::infinity();
  for (std::int64_t i = 0; i < n; ++i) m = x[i] > m ? x[i] : m;
  return m;
}

template <class T>
T min_run(const T* x, std::int64_t n) {
  T m = std::numeric_limits<T>::infinity();
  for (std::int64_t i = 0; i < n; ++i) m = x[i] < m ? x[i] : m;
  return m;
}

template <class T>
bool finite(T m) {
  return m > -std::numeric_limits<T>::infinity() && m < std::numeric_limits<T>::infinity();
}

template <class T>
T logsumexp_run(const T* x, std::int64_t n) {
  const T m = max_run(x, n);
  if (!finite(m)) return m;
  constexpr std::int64_t kChunk = 256;
  T chunk[kChunk];
  double sum = 0;
  for (std::int64_t j0 = 0; j0 < n; j0 += kChunk) {
    const std::int64_t len = std::min(kChunk, n - j0);
    for (std::int64_t j = 0; j < len; ++j) chunk[j] = x[j0 + j] - m;
    vmath::exp(chunk, chunk, len);
    sum += sum_run(chunk, len);
  }
  return static_cast<T>(static_cast<double>(m) + std::log(sum));
}

template <class T>
void reduce_typed(Reduce op, const T* x, std::int64_t outer, std::int64_t inner, T* out) {
  for (std::int64_t r = 0; r < outer; ++r) {
    const T* row = x + r * inner;
    switch (op) {
      case Reduce::sum:
        out[r] = static_cast<T>(sum_run(row, inner));
        break;
      case Reduce::mean:
        out[r] = static_cast<T>(sum_run(row, inner) / static_cast<double>(inner));
        break;
      case Reduce::max:
        out[r] = max_run(row, inner);
        break;
      case Reduce::min:
        out[r] = min_run(row, inner);
        break;
      case Reduce::logsumexp:
        out[r] = logsumexp_run(row, inner);
        break;
    }
  }
}

// x as [outer, n, inner] → out [outer, inner], inner > 1: chunks of the
// inner axis accumulate over the n rows.
template <class T>
void reduce_middle(Reduce op, const T* x, std::int64_t outer, std::int64_t n, std::int64_t inner,
                   T* out) {
  constexpr std::int64_t kChunk = 256;
  constexpr T inf = std::numeric_limits<T>::infinity();
  double acc[kChunk];
  T m[kChunk], e[kChunk];
  for (std::int64_t o = 0; o < outer; ++o)
    for (std::int64_t j0 = 0; j0 < inner; j0 += kChunk) {
      const std::int64_t len = std::min(kChunk, inner - j0);
      const T* base = x + o * n * inner + j0;
      T* dst = out + o * inner + j0;
      auto rows = [&](auto&& body) {
        for (std::int64_t k = 0; k < n; ++k) body(base + k * inner);
      };
      switch (op) {
        case Reduce::sum:
        case Reduce::mean: {
          std::fill(acc, acc + len, 0.0);
          rows([&](const T* row) {
            for (std::int64_t j = 0; j < len; ++j) acc[j] += row[j];
          });
          // mean of nothing: 0·(1/0) = NaN, as reduce() gives.
          const double scale = op == Reduce::mean ? 1.0 / static_cast<double>(n) : 1.0;
          for (std::int64_t j = 0; j < len; ++j) dst[j] = static_cast<T>(acc[j] * scale);
          break;
        }
        case Reduce::max:
        case Reduce::logsumexp:
          std::fill(m, m + len, -inf);
          rows([&](const T* row) {
            for (std::int64_t j = 0; j < len; ++j) m[j] = row[j] > m[j] ? row[j] : m[j];
          });
          if (op == Reduce::max) {
            std::copy(m, m + len, dst);
            break;
          }
          std::fill(acc, acc + len, 0.0);
          rows([&](const T* row) {
            for (std::int64_t j = 0; j < len; ++j) e[j] = row[j] - m[j];
            vmath::exp(e, e, len);
            for (std::int64_t j = 0; j < len; ++j) acc[j] += e[j];
          });
          for (std::int64_t j = 0; j < len; ++j)
            dst[j] =
                finite(m[j]) ? static_cast<T>(static_cast<double>(m[j]) + std::log(acc[j])) : m[j];
          break;
        case Reduce::min:
          std::fill(m, m + len, inf);
          rows([&](const T* row) {
            for (std::int64_t j = 0; j < len; ++j) m[j] = row[j] < m[j] ? row[j] : m[j];
          });
          std::copy(m, m + len, dst);
          break;
      }
    }
}

template <class T>
void sum_to_shape_typed(ConstView x, View out) {
  const T* xs = x.as<T>();
  T* os = out.as<T>();
  const std::int64_t n = x.numel(), no = out.numel(), row = x.shape.last();
  if (no == n) {  // nothing was broadcast: the same elements in the same order
    for (std::int64_t i = 0; i < n; ++i) os[i] = xs[i];
    return;
  }
  if (no == 1) {
    os[0] = static_cast<T>(sum_run(xs, n));
    return;
  }
  for (std::int64_t i = 0; i < no; ++i) os[i] = T(0);
  if (n == 0) return;
  if (no == row && out.shape.last() == row) {  // column sums of a [rows, row] matrix
    for (std::int64_t r = 0; r < n; r += row)
      for (std::int64_t j = 0; j < row; ++j) os[j] += xs[r + j];
    return;
  }
  // General case: walk x in order; out is read through its broadcast strides
  // (0 on the axes being summed), so each x element lands on its source.
  detail::Padded d = detail::pad(x.shape), so = detail::broadcast_strides(out.shape);
  const T* px = xs;
  for (std::int64_t i0 = 0; i0 < d.dim[0]; ++i0)
    for (std::int64_t i1 = 0; i1 < d.dim[1]; ++i1)
      for (std::int64_t i2 = 0; i2 < d.dim[2]; ++i2) {
        T* po = os + i0 * so.dim[0] + i1 * so.dim[1] + i2 * so.dim[2];
        if (so.dim[3] == 0) {
          *po += static_cast<T>(sum_run(px, d.dim[3]));
        } else {
          for (std::int64_t j = 0; j < d.dim[3]; ++j) po[j] += px[j];
        }
        px += d.dim[3];
      }
}

}  // namespace

void reduce(Reduce op, ConstView x, int first_axis, View out) {
  DType t = detail::common_float(x.dtype, out.dtype, "reduce");
  if (first_axis < 0 || first_axis > x.shape.rank())
    throw Error("reduce: axis " + std::to_string(first_axis) + " is out of range for " +
                x.shape.str());
  Shape expect = x.shape.prefix(first_axis);
  if (!(out.shape == expect))
    throw Error("reduce: reducing " + x.shape.str() + " from axis " + std::to_string(first_axis) +
                " gives " + expect.str() + ", but the output is " + out.shape.str());
  const std::int64_t outer = expect.numel();
  const std::int64_t inner = x.shape.drop_front(first_axis).numel();
  detail::dispatch_float(t, [&](auto tag) {
    using T = decltype(tag);
    reduce_typed<T>(op, x.as<T>(), outer, inner, out.as<T>());
  });
}

void reduce_axis(Reduce op, ConstView x, int axis, View out) {
  DType t = detail::common_float(x.dtype, out.dtype, "reduce_axis");
  if (axis < 0 || axis >= x.shape.rank())
    throw Error("reduce_axis: axis " + std::to_string(axis) + " is out of range for " +
                x.shape.str());
  Shape expect = x.shape;
  expect[axis] = 1;
  if (!(out.shape == expect))
    throw Error("reduce_axis: reducing " + x.shape.str() + " along axis " + std::to_string(axis) +
                " gives " + expect.str() + ", but the output is " + out.shape.str());
  const std::int64_t outer = x.shape.prefix(axis).numel(), n = x.shape[axis];
  const std::int64_t inner = x.shape.drop_front(axis + 1).numel();
  detail::dispatch_float(t, [&](auto tag) {
    using T = decltype(tag);
    if (inner == 1)
      reduce_typed<T>(op, x.as<T>(), outer, n, out.as<T>());
    else
      reduce_middle<T>(op, x.as<T>(), outer, n, inner, out.as<T>());
  });
}

void sum_to_shape(ConstView x, View out) {
  DType t = detail::common_float(x.dtype, out.dtype, "sum_to_shape");
  Shape joint;
  if (!detail::try_broadcast(out.shape, x.shape, joint) || !(joint == x.shape))
    throw Error("sum_to_shape: " + out.shape.str() + " does not broadcast to " + x.shape.str());
  detail::dispatch_float(t, [&](auto tag) { sum_to_shape_typed<decltype(tag)>(x, out); });
}

}  // namespace eq::kernels
