// Binary elementwise kernels with numpy broadcasting.
//
// The loop is templated on the op (binary_fn<op, T>) and one switch per call
// picks the instantiation. Three shapes of call take a flat loop the compiler
// vectorises, because they are nearly all the traffic of a model:
//   - equal element counts (same shape, or a shape that differs only by
//     size-1 axes, hence the same row-major order);
//   - one operand a single element (x * 0.5, 1 - σ);
//   - one operand a row repeated over the leading axes (W·x + b over a batch).
// Anything else goes through a rank-4 strided loop whose innermost axis is
// again specialised on the operands' strides (contiguous or repeated).
#include <string>

#include "eq/runtime/kernels.hpp"
#include "eq/runtime/kernels_detail.hpp"
#include "eq/runtime/scalar_math.hpp"

namespace eq::kernels {

bool detail::try_broadcast(const Shape& a, const Shape& b, Shape& out) {
  int rank = a.rank() > b.rank() ? a.rank() : b.rank();
  std::int64_t dims[kMaxRank];
  for (int i = 0; i < rank; ++i) {
    // Axis i counted from the right in both shapes; a missing axis is size 1.
    int ia = a.rank() - rank + i, ib = b.rank() - rank + i;
    std::int64_t da = ia >= 0 ? a[ia] : 1, db = ib >= 0 ? b[ib] : 1;
    if (da != db && da != 1 && db != 1) return false;
    dims[i] = da == 1 ? db : da;
  }
  out = Shape(std::span<const std::int64_t>(dims, static_cast<std::size_t>(rank)));
  return true;
}

namespace {

std::string cannot_broadcast(const Shape& a, const Shape& b) {
  return "cannot broadcast " + a.str() + " with " + b.str();
}

// One row of the strided loop: n elements, each operand at stride 1 or 0.
// The four stride patterns get their own loops so each one vectorises.
template <Binary op, class T>
void inner(const T* a, std::int64_t sa, const T* b, std::int64_t sb, T* out, std::int64_t n) {
  if (sa == 1 && sb == 1) {
    for (std::int64_t i = 0; i < n; ++i) out[i] = binary_fn<op>(a[i], b[i]);
  } else if (sa == 1 && sb == 0) {
    T y = *b;
    for (std::int64_t i = 0; i < n; ++i) out[i] = binary_fn<op>(a[i], y);
  } else if (sa == 0 && sb == 1) {
    T x = *a;
    for (std::int64_t i = 0; i < n; ++i) out[i] = binary_fn<op>(x, b[i]);
  } else {
    for (std::int64_t i = 0; i < n; ++i) out[i] = binary_fn<op>(a[i * sa], b[i * sb]);
  }
}

template <Binary op, class T>
void binary_loop(const T* a, const Shape& as, const T* b, const Shape& bs, T* out,
                 const Shape& os) {
  const std::int64_t n = os.numel(), na = as.numel(), nb = bs.numel(), row = os.last();
  if (n == 0) return;
  if (na == n && nb == n) return inner<op>(a, 1, b, 1, out, n);
  if (na == n && nb == 1) return inner<op>(a, 1, b, 0, out, n);
  if (na == 1 && nb == n) return inner<op>(a, 0, b, 1, out, n);
  if (na == n && nb == row && bs.last() == row) {
    for (std::int64_t r = 0; r < n; r += row) inner<op>(a + r, 1, b, 1, out + r, row);
    return;
  }
  if (nb == n && na == row && as.last() == row) {
    for (std::int64_t r = 0; r < n; r += row) inner<op>(a, 1, b + r, 1, out + r, row);
    return;
  }
  // General case: every operand read through its rank-4 broadcast strides.
  detail::Padded d = detail::pad(os), sa = detail::broadcast_strides(as),
                 sb = detail::broadcast_strides(bs);
  T* o = out;
  for (std::int64_t i0 = 0; i0 < d.dim[0]; ++i0)
    for (std::int64_t i1 = 0; i1 < d.dim[1]; ++i1)
      for (std::int64_t i2 = 0; i2 < d.dim[2]; ++i2) {
        const T* pa = a + i0 * sa.dim[0] + i1 * sa.dim[1] + i2 * sa.dim[2];
        const T* pb = b + i0 * sb.dim[0] + i1 * sb.dim[1] + i2 * sb.dim[2];
        inner<op>(pa, sa.dim[3], pb, sb.dim[3], o, d.dim[3]);
        o += d.dim[3];
      }
}

}  // namespace

Shape broadcast_shape(const Shape& a, const Shape& b) {
  Shape out;
  if (!detail::try_broadcast(a, b, out)) throw Error(cannot_broadcast(a, b));
  return out;
}

void binary(Binary op, ConstView a, ConstView b, View out) {
  std::string_view what = name(op);
  DType t = detail::common_float(a.dtype, b.dtype, what);
  detail::common_float(a.dtype, out.dtype, what);
  Shape expect;
  if (!detail::try_broadcast(a.shape, b.shape, expect))
    throw Error(std::string(what) + ": " + cannot_broadcast(a.shape, b.shape));
  if (!(out.shape == expect))
    throw Error(std::string(what) + ": " + a.shape.str() + " with " + b.shape.str() + " gives " +
                expect.str() + ", but the output is " + out.shape.str());
  detail::dispatch_float(t, [&](auto tag) {
    using T = decltype(tag);
    switch (op) {
#define EQ_X(name)                                                                        \
  case Binary::name:                                                                      \
    return binary_loop<Binary::name>(a.as<T>(), a.shape, b.as<T>(), b.shape, out.as<T>(), \
                                     out.shape);
      EQ_BINARY_KERNELS(EQ_X)
#undef EQ_X
    }
  });
}

}  // namespace eq::kernels
