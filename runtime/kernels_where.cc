// where(c, a, b): the elementwise choice, with numpy broadcasting of three
// operands. The common call (all three of out's shape, e.g. a Huber loss or
// a mask over a batch) is one flat loop the compiler vectorises; anything
// else walks out in rank-4 order with each operand read through its
// broadcast strides (0 on a stretched axis), the innermost axis again taken
// as a flat loop when every operand is contiguous along it.
#include <string>

#include "eq/runtime/kernels.hpp"
#include "eq/runtime/kernels_detail.hpp"

namespace eq::kernels {

namespace {

template <class T>
inline T pick(T c, T a, T b) {
  return c != T(0) ? a : b;
}  // NaN ≠ 0

template <class T>
void inner(const T* c, std::int64_t sc, const T* a, std::int64_t sa, const T* b, std::int64_t sb,
           T* out, std::int64_t n) {
  if (sc == 1 && sa == 1 && sb == 1) {
    for (std::int64_t i = 0; i < n; ++i) out[i] = pick(c[i], a[i], b[i]);
  } else {
    for (std::int64_t i = 0; i < n; ++i) out[i] = pick(c[i * sc], a[i * sa], b[i * sb]);
  }
}

template <class T>
void where_typed(const T* c, const Shape& cs, const T* a, const Shape& as, const T* b,
                 const Shape& bs, T* out, const Shape& os) {
  const std::int64_t n = os.numel();
  if (n == 0) return;
  if (cs.numel() == n && as.numel() == n && bs.numel() == n) return inner(c, 1, a, 1, b, 1, out, n);
  detail::Padded d = detail::pad(os), st_c = detail::broadcast_strides(cs),
                 st_a = detail::broadcast_strides(as), st_b = detail::broadcast_strides(bs);
  T* o = out;
  for (std::int64_t i0 = 0; i0 < d.dim[0]; ++i0)
    for (std::int64_t i1 = 0; i1 < d.dim[1]; ++i1)
      for (std::int64_t i2 = 0; i2 < d.dim[2]; ++i2) {
        auto at = [&](const detail::Padded& s) {
          return i0 * s.dim[0] + i1 * s.dim[1] + i2 * s.dim[2];
        };
        inner(c + at(st_c), st_c.dim[3], a + at(st_a), st_a.dim[3], b + at(st_b), st_b.dim[3], o,
              d.dim[3]);
        o += d.dim[3];
      }
}

}  // namespace

void where(ConstView c, ConstView a, ConstView b, View out) {
  DType t = detail::common_float(a.dtype, b.dtype, "where");
  detail::common_float(c.dtype, t, "where");
  detail::common_float(out.dtype, t, "where");
  Shape ab, expect;
  if (!detail::try_broadcast(a.shape, b.shape, ab) || !detail::try_broadcast(c.shape, ab, expect))
    throw Error("where: cannot broadcast " + c.shape.str() + ", " + a.shape.str() + " and " +
                b.shape.str());
  if (!(out.shape == expect))
    throw Error("where: " + c.shape.str() + ", " + a.shape.str() + " and " + b.shape.str() +
                " give " + expect.str() + ", but the output is " + out.shape.str());
  detail::dispatch_float(t, [&](auto tag) {
    using T = decltype(tag);
    where_typed(c.as<T>(), c.shape, a.as<T>(), a.shape, b.as<T>(), b.shape, out.as<T>(), out.shape);
  });
}

}  // namespace eq::kernels
