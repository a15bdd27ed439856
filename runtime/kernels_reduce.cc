// Reductions: reduce (trailing axes → one value per leading index) and
// sum_to_shape (the adjoint of broadcasting, used by every gradient of a
// broadcast operand).
//
// Numerics: sums of contiguous runs accumulate in double, also for f32, so a
// long Σ does not lose the small terms. The row-sum path of sum_to_shape
// (a bias gradient: [batch, n] → [n]) accumulates in T so it vectorises over
// n; its error grows with the batch, which is short.
// Empty reductions: sum 0, mean NaN (0/0), max -inf, min +inf.
#include <limits>
#include <string>

#include "runtime/kernels.hpp"
#include "runtime/kernels_detail.hpp"

namespace eq::kernels {

namespace {

template <class T> double sum_run(const T* x, std::int64_t n) {
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

template <class T> T max_run(const T* x, std::int64_t n) {
  T m = -std::numeric_limits<T>::infinity();
  for (std::int64_t i = 0; i < n; ++i) m = x[i] > m ? x[i] : m;
  return m;
}

template <class T> T min_run(const T* x, std::int64_t n) {
  T m = std::numeric_limits<T>::infinity();
  for (std::int64_t i = 0; i < n; ++i) m = x[i] < m ? x[i] : m;
  return m;
}

template <class T>
void reduce_typed(Reduce op, const T* x, std::int64_t outer, std::int64_t inner, T* out) {
  for (std::int64_t r = 0; r < outer; ++r) {
    const T* row = x + r * inner;
    switch (op) {
      case Reduce::sum: out[r] = static_cast<T>(sum_run(row, inner)); break;
      case Reduce::mean:
        out[r] = static_cast<T>(sum_run(row, inner) / static_cast<double>(inner));
        break;
      case Reduce::max: out[r] = max_run(row, inner); break;
      case Reduce::min: out[r] = min_run(row, inner); break;
    }
  }
}

template <class T> void sum_to_shape_typed(ConstView x, View out) {
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
    throw Error("reduce: reducing " + x.shape.str() + " from axis " +
                std::to_string(first_axis) + " gives " + expect.str() +
                ", but the output is " + out.shape.str());
  const std::int64_t outer = expect.numel();
  const std::int64_t inner = x.shape.drop_front(first_axis).numel();
  detail::dispatch_float(t, [&](auto tag) {
    using T = decltype(tag);
    reduce_typed<T>(op, x.as<T>(), outer, inner, out.as<T>());
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
