// CPU kernels over views. Every kernel works for f32 and f64 (the dtype of
// its float operands must agree; index operands are i32), writes only its
// output, allocates nothing, and allows the output to alias an elementwise
// input (in-place) unless a comment says otherwise. Shapes are checked and a
// mismatch throws eq::Error naming both shapes.
//
// Numerics: σ, softplus, log σ and friends stay finite and accurate for |x|
// up to 1e4; softmax / logsoftmax shift by the row's max.
#pragma once

#include <cstdint>
#include <string_view>

#include "runtime/tensor.hpp"

namespace eq::kernels {

// Elementwise functions of one argument (LANGUAGE.md §2 and §9, plus the
// helpers gradients need: sign, step = [x > 0], recip = 1/x,
// gelu_grad = gelu′ = Φ(x) + x·φ(x), elu_grad = elu′ = [x > 0] + [x ≤ 0]·eˣ).
// gelu is the erf form x·Φ(x); elu has α = 1; erf, gelu, elu and their
// helpers are vmath's (vectorised, accuracy in runtime/vmath_erf.hpp).
#define EQ_UNARY_KERNELS(X) \
  X(neg) X(sigmoid) X(tanh) X(relu) X(softplus) X(exp) X(log) X(log1p) X(expm1) \
  X(sqrt) X(abs) X(sin) X(cos) X(square) X(sign) X(step) X(recip) X(erf) X(gelu) \
  X(gelu_grad) X(elu) X(elu_grad) X(floor)

enum class Unary {
#define EQ_X(name) name,
  EQ_UNARY_KERNELS(EQ_X)
#undef EQ_X
};

// Elementwise functions of two arguments, numpy broadcasting.
// max / min: elementwise; pow: a^b. The comparisons eq, ne, lt, gt, le, ge
// give 1 where `a op b` holds, else 0, in the float dtype (IEEE: a NaN
// compares unequal to everything, so only ne gives 1 for it); gradients of
// max / min route through eq. leaky_relu(x, α) = x above 0, α·x below, and
// leaky_relu_grad(x, α) = 1 above 0, α below: α is the second operand, so a
// constant α is a broadcast scalar (a fused-loop immediate) and a learned α
// (PReLU) is just a parameter.
#define EQ_BINARY_KERNELS(X)                                                            \
  X(add) X(sub) X(mul) X(div) X(pow) X(max) X(min) X(eq) X(ne) X(lt) X(gt) X(le) X(ge) \
  X(leaky_relu) X(leaky_relu_grad)

enum class Binary {
#define EQ_X(name) name,
  EQ_BINARY_KERNELS(EQ_X)
#undef EQ_X
};

enum class Reduce { sum, mean, max, min };

// The op's name as spelled in the X-macro lists ("sigmoid", "add").
std::string_view name(Unary op);
std::string_view name(Binary op);

// y = f(x); y.shape == x.shape.
void unary(Unary op, ConstView x, View y);

// The numpy broadcast of two shapes (trailing axes equal or 1; a scalar goes
// with anything). Throws eq::Error naming both shapes when they do not fit.
Shape broadcast_shape(const Shape& a, const Shape& b);

// out = a (op) b with broadcasting; out.shape == broadcast_shape(a, b).
// out may alias a or b when that operand already has out's shape.
void binary(Binary op, ConstView a, ConstView b, View out);

// Reduces axes [first_axis, rank) of x: out.shape == x.shape.prefix(first_axis).
// first_axis 0 reduces everything to a scalar; rank-1 reduces the last axis.
// An empty range gives sum 0, mean NaN, max -inf, min +inf. Sums accumulate
// in double. out must not alias x.
void reduce(Reduce op, ConstView x, int first_axis, View out);

// Sums x over the axes that broadcasting added or stretched, to out.shape
// (which must broadcast to x.shape). The adjoint of broadcasting.
// out must not alias x.
void sum_to_shape(ConstView x, View out);

// Over the last axis, each row shifted by its max. y.shape == x.shape.
void softmax(ConstView x, View y);
void logsoftmax(ConstView x, View y);

// Swaps the last two axes (a vector or scalar is copied). out must not alias x.
void transpose(ConstView x, View out);

// One-hot products as lookups. w is [m, n]; idx is i32 [count] with values in
// [0, n); out is [count, m]: out[b, :] = w[:, idx[b]]. An index out of range
// throws eq::Error naming it.
void gather_columns(ConstView w, ConstView idx, View out);
// The adjoint: dw[:, idx[b]] += g[b, :] for each b (dw is accumulated into,
// not cleared). g is [count, m], dw is [m, n].
void scatter_add_columns(ConstView g, ConstView idx, View dw);

void fill(View out, double value);  // any dtype, i32 included
// Same numel, any shapes and dtypes (f32 / f64 / i32 converted as by a cast);
// out may be x itself.
void copy(ConstView x, View out);
// out = alpha * x + beta * out (out may not alias x unless identical); same
// shapes. beta == 0 does not read out (so stale NaNs there do not propagate).
void axpby(double alpha, ConstView x, double beta, View out);

}  // namespace eq::kernels
