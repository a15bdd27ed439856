// Elementwise kernels of one operand: unary, fill, copy, axpby, and the
// runtime-dispatched scalar forms apply(). Each unary op gets its own loop
// (unary_loop<op, T>), chosen by one switch per call, never per element.
#include <cstring>

#include "eq/runtime/kernels.hpp"
#include "eq/runtime/kernels_detail.hpp"
#include "eq/runtime/scalar_math.hpp"
#include "eq/runtime/vmath.hpp"

namespace eq::kernels {

std::string_view name(Unary op) {
  switch (op) {
#define EQ_X(name)  \
  case Unary::name: \
    return #name;
    EQ_UNARY_KERNELS(EQ_X)
#undef EQ_X
  }
  return "unary";
}

std::string_view name(Binary op) {
  switch (op) {
#define EQ_X(name)   \
  case Binary::name: \
    return #name;
    EQ_BINARY_KERNELS(EQ_X)
#undef EQ_X
  }
  return "binary";
}

namespace {

// y may equal x (in place): each element is read before it is written.
// The transcendental ops go to vmath's block functions (the same bits as
// unary_fn, plus an AVX2 clone); the rest are loops here.
template <Unary op, class T>
void unary_loop(const T* x, T* y, std::int64_t n) {
  for (std::int64_t i = 0; i < n; ++i) y[i] = unary_fn<op>(x[i]);
}

template <class T>
void unary_typed(Unary op, const T* x, T* y, std::int64_t n) {
  switch (op) {
#define EQ_V(name)  \
  case Unary::name: \
    return vmath::name(x, y, n);
    EQ_VMATH_FUNCTIONS(EQ_V)
#undef EQ_V
    default:
      break;
  }
  switch (op) {
#define EQ_X(name)  \
  case Unary::name: \
    return unary_loop<Unary::name>(x, y, n);
    EQ_UNARY_KERNELS(EQ_X)
#undef EQ_X
  }
}

template <class From, class To>
void convert(const From* x, To* y, std::int64_t n) {
  for (std::int64_t i = 0; i < n; ++i) y[i] = static_cast<To>(x[i]);
}

template <class From>
void convert_from(const From* x, View out) {
  std::int64_t n = out.numel();
  switch (out.dtype) {
    case DType::f32:
      return convert(x, out.as<float>(), n);
    case DType::f64:
      return convert(x, out.as<double>(), n);
    case DType::i32:
      return convert(x, out.as<std::int32_t>(), n);
  }
}

}  // namespace

void unary(Unary op, ConstView x, View y) {
  std::string_view what = name(op);
  DType t = detail::common_float(x.dtype, y.dtype, what);
  check_same_shape(x.shape, y.shape, what);
  detail::dispatch_float(t, [&](auto tag) {
    using T = decltype(tag);
    unary_typed<T>(op, x.as<T>(), y.as<T>(), x.numel());
  });
}

void fill(View out, double value) {
  std::int64_t n = out.numel();
  switch (out.dtype) {
    case DType::f32: {
      float v = static_cast<float>(value), *p = out.as<float>();
      for (std::int64_t i = 0; i < n; ++i) p[i] = v;
      return;
    }
    case DType::f64: {
      double* p = out.as<double>();
      for (std::int64_t i = 0; i < n; ++i) p[i] = value;
      return;
    }
    case DType::i32: {
      auto v = static_cast<std::int32_t>(value);
      std::int32_t* p = out.as<std::int32_t>();
      for (std::int64_t i = 0; i < n; ++i) p[i] = v;
      return;
    }
  }
}

void copy(ConstView x, View out) {
  if (x.numel() != out.numel())
    throw Error("copy: element counts differ: " + x.shape.str() + " vs " + out.shape.str());
  if (x.dtype == out.dtype) {
    // memmove: copying a buffer onto itself (or a reshaped view of it) is allowed.
    if (x.numel() > 0)
      std::memmove(out.data, x.data, static_cast<std::size_t>(x.numel()) * dtype_size(x.dtype));
    return;
  }
  switch (x.dtype) {
    case DType::f32:
      return convert_from(x.as<float>(), out);
    case DType::f64:
      return convert_from(x.as<double>(), out);
    case DType::i32:
      return convert_from(x.as<std::int32_t>(), out);
  }
}

void axpby(double alpha, ConstView x, double beta, View out) {
  DType t = detail::common_float(x.dtype, out.dtype, "axpby");
  check_same_shape(x.shape, out.shape, "axpby");
  detail::dispatch_float(t, [&](auto tag) {
    using T = decltype(tag);
    const T* xs = x.as<T>();
    T* ys = out.as<T>();
    T a = static_cast<T>(alpha), b = static_cast<T>(beta);
    std::int64_t n = x.numel();
    // beta == 0 does not read out (BLAS's convention): stale NaNs in a fresh
    // buffer must not leak into the result.
    if (beta == 0) {
      for (std::int64_t i = 0; i < n; ++i) ys[i] = a * xs[i];
    } else {
      for (std::int64_t i = 0; i < n; ++i) ys[i] = a * xs[i] + b * ys[i];
    }
  });
}

double apply(Unary op, double x) {
  switch (op) {
#define EQ_X(name)  \
  case Unary::name: \
    return unary_fn<Unary::name>(x);
    EQ_UNARY_KERNELS(EQ_X)
#undef EQ_X
  }
  return 0;
}

double apply(Binary op, double a, double b) {
  switch (op) {
#define EQ_X(name)   \
  case Binary::name: \
    return binary_fn<Binary::name>(a, b);
    EQ_BINARY_KERNELS(EQ_X)
#undef EQ_X
  }
  return 0;
}

}  // namespace eq::kernels
