// Block forms of eq's elementwise transcendental functions: y[i] = f(x[i])
// for i < n, float and double. Each is a plain loop over the branch-free
// one-element form in vmath_core.hpp, compiled (vmath.cc) so that it
// vectorises; results are bit-identical to the *_one forms and to
// kernels::unary_fn, whatever instruction set the loop runs on.
//
// y may equal x (in place); otherwise the ranges must not overlap. Accuracy
// and extreme values: see vmath_core.hpp (≤ 2 ulp float, ≤ 4 ulp double;
// exp over/underflows to inf / 0; log(0) = -inf; NaN in, NaN out) and
// vmath_erf.hpp (erf ≤ 2 ulp; gelu ≤ 7 ulp, ≤ 4 from x = -1 up).
#pragma once

#include <cstdint>

namespace eq::vmath {

// Each name is also a kernels::Unary op computing the same function.
// clang-format off
#define EQ_VMATH_FUNCTIONS(X)                                                            \
  X(exp) X(log) X(log1p) X(expm1) X(tanh) X(sigmoid) X(softplus) X(erf) X(gelu) X(gelu_grad) \
  X(elu) X(elu_grad)
// clang-format on

#define EQ_X(name)                                     \
  void name(const float* x, float* y, std::int64_t n); \
  void name(const double* x, double* y, std::int64_t n);
EQ_VMATH_FUNCTIONS(EQ_X)
#undef EQ_X

// The clone of the loops this CPU runs: "avx2" or "default" (eqc --version).
const char* path();

}  // namespace eq::vmath
