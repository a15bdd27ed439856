// The scalar form of every elementwise kernel: the one place where the
// numerics of σ, softplus, pow, … are written. The kernel loops instantiate
// unary_fn<op, T> / binary_fn<op, T> inside their loops (so each loop is a
// separate, vectorisable function with no per-element switch); fused loops
// of the Machine and the compiler's constant folder can use the same
// definitions, so a folded constant and a computed value always agree.
// exp, log, log1p, expm1, tanh, σ, softplus, erf, gelu and elu are eq's own
// branch-free forms (runtime/vmath_core.hpp, vmath_erf.hpp), not libm:
// loops over them vectorise.
#pragma once

#include <cmath>

#include "eq/runtime/kernels.hpp"
#include "eq/runtime/vmath_core.hpp"
#include "eq/runtime/vmath_erf.hpp"

namespace eq::kernels {

// σ(x) = 1/(1 + e^-x). For x < -88 (f32) or -709 (f64) e^-x overflows to
// +inf and 1/(1 + inf) is exactly 0, the correctly rounded limit: the inf
// only ever lands in a denominator, so there is no inf/inf = NaN (the trap of
// the other form, e^x/(1 + e^x), at x = +1000). Branch-free, so it vectorises.
template <class T>
inline T sigmoid_fn(T x) {
  return vmath::sigmoid_one(x);
}

// softplus(x) = log(1 + e^x) = max(x, 0) + log1p(e^-|x|): e^-|x| ≤ 1 never
// overflows, and log1p keeps the tail accurate (softplus(-30) ≈ e^-30, not 0).
template <class T>
inline T softplus_fn(T x) {
  return vmath::softplus_one(x);
}

template <Unary op, class T>
inline T unary_fn(T x) {
  if constexpr (op == Unary::neg)
    return -x;
  else if constexpr (op == Unary::sigmoid)
    return sigmoid_fn(x);
  else if constexpr (op == Unary::tanh)
    return vmath::tanh_one(x);
  else if constexpr (op == Unary::relu)
    return x < T(0) ? T(0) : x;  // NaN stays NaN
  else if constexpr (op == Unary::softplus)
    return softplus_fn(x);
  else if constexpr (op == Unary::exp)
    return vmath::exp_one(x);
  else if constexpr (op == Unary::log)
    return vmath::log_one(x);
  else if constexpr (op == Unary::log1p)
    return vmath::log1p_one(x);
  else if constexpr (op == Unary::expm1)
    return vmath::expm1_one(x);
  else if constexpr (op == Unary::sqrt)
    return std::sqrt(x);
  else if constexpr (op == Unary::abs)
    return std::abs(x);
  else if constexpr (op == Unary::sin)
    return std::sin(x);
  else if constexpr (op == Unary::cos)
    return std::cos(x);
  else if constexpr (op == Unary::square)
    return x * x;
  else if constexpr (op == Unary::sign)
    return T((x > T(0)) - (x < T(0)));
  else if constexpr (op == Unary::step)
    return x > T(0) ? T(1) : T(0);
  else if constexpr (op == Unary::erf)
    return vmath::erf_one(x);
  else if constexpr (op == Unary::gelu)
    return vmath::gelu_one(x);
  else if constexpr (op == Unary::gelu_grad)
    return vmath::gelu_grad_one(x);
  else if constexpr (op == Unary::elu)
    return vmath::elu_one(x);
  else if constexpr (op == Unary::elu_grad)
    return vmath::elu_grad_one(x);
  else if constexpr (op == Unary::floor)
    return std::floor(x);
  else {
    static_assert(op == Unary::recip, "a Unary op without a scalar definition");
    return T(1) / x;
  }
}

template <Binary op, class T>
inline T binary_fn(T a, T b) {
  if constexpr (op == Binary::add)
    return a + b;
  else if constexpr (op == Binary::sub)
    return a - b;
  else if constexpr (op == Binary::mul)
    return a * b;
  else if constexpr (op == Binary::div)
    return a / b;
  else if constexpr (op == Binary::pow)
    return std::pow(a, b);
  else if constexpr (op == Binary::max)
    return a < b ? b : a;
  else if constexpr (op == Binary::min)
    return b < a ? b : a;
  else if constexpr (op == Binary::eq)
    return a == b ? T(1) : T(0);
  else if constexpr (op == Binary::ne)
    return a != b ? T(1) : T(0);
  else if constexpr (op == Binary::lt)
    return a < b ? T(1) : T(0);
  else if constexpr (op == Binary::gt)
    return a > b ? T(1) : T(0);
  else if constexpr (op == Binary::le)
    return a <= b ? T(1) : T(0);
  else if constexpr (op == Binary::ge)
    return a >= b ? T(1) : T(0);
  else if constexpr (op == Binary::leaky_relu)
    return a > T(0) ? a : b * a;  // NaN: b·NaN
  else {
    static_assert(op == Binary::leaky_relu_grad, "a Binary op without a scalar definition");
    return a > T(0) ? T(1) : b;
  }
}

// Runtime-dispatched forms, in float64 (for constant folding and tests).
double apply(Unary op, double x);
double apply(Binary op, double a, double b);

}  // namespace eq::kernels
