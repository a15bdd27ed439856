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
#include <span>
#include <string_view>

#include "eq/runtime/tensor.hpp"

namespace eq::kernels {

// Elementwise functions of one argument (docs/language.md §2 and §9, plus the
// helpers gradients need: sign, step = [x > 0], recip = 1/x,
// gelu_grad = gelu′ = Φ(x) + x·φ(x), elu_grad = elu′ = [x > 0] + [x ≤ 0]·eˣ).
// gelu is the erf form x·Φ(x); elu has α = 1; erf, gelu, elu and their
// helpers are vmath's (vectorised, accuracy in runtime/vmath_erf.hpp).
// clang-format off
#define EQ_UNARY_KERNELS(X) \
  X(neg) X(sigmoid) X(tanh) X(relu) X(softplus) X(exp) X(log) X(log1p) X(expm1) \
  X(sqrt) X(abs) X(sin) X(cos) X(square) X(sign) X(step) X(recip) X(erf) X(gelu) \
  X(gelu_grad) X(elu) X(elu_grad) X(floor)
// clang-format on

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
// clang-format off
#define EQ_BINARY_KERNELS(X)                                                            \
  X(add) X(sub) X(mul) X(div) X(pow) X(max) X(min) X(eq) X(ne) X(lt) X(gt) X(le) X(ge) \
  X(leaky_relu) X(leaky_relu_grad)
// clang-format on

enum class Binary {
#define EQ_X(name) name,
  EQ_BINARY_KERNELS(EQ_X)
#undef EQ_X
};

// logsumexp = log Σ eˣ, shifted by the max so that it neither overflows nor
// loses the small terms; an empty or all -∞ range gives -∞, a +∞ gives +∞.
enum class Reduce { sum, mean, max, min, logsumexp };

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

// Reduces one axis of x and keeps it with size 1: out.shape is x.shape with
// shape[axis] = 1, so out broadcasts back onto x (the adjoint of a
// reduction is `expand` of the incoming gradient, times eq(x, out) for
// max / min, or e^(x - out) for logsumexp). axis counts the axes as stored
// (a batched value's batch is axis 0): 0 ≤ axis < rank. An empty axis gives
// what reduce() gives. Sums accumulate in double. out must not alias x.
void reduce_axis(Reduce op, ConstView x, int axis, View out);

// Sums x over the axes that broadcasting added or stretched, to out.shape
// (which must broadcast to x.shape). The adjoint of broadcasting.
// out must not alias x.
void sum_to_shape(ConstView x, View out);

// out = a where c ≠ 0, else b (a NaN in c counts as ≠ 0), with numpy
// broadcasting of all three: out.shape is the broadcast of c, a and b
// (c is 1 / 0 data in the float dtype, as the comparisons make). out may
// alias an operand that already has out's shape. clip(x, lo, hi) needs no
// kernel of its own: it is min(max(x, lo), hi), two binary ops that fuse
// into one loop, and their gradients (through eq) route g to x exactly
// where lo ≤ x ≤ hi.
void where(ConstView c, ConstView a, ConstView b, View out);

// Over the last axis, each row shifted by its max. y.shape == x.shape.
void softmax(ConstView x, View y);
void logsoftmax(ConstView x, View y);

// Swaps the last two axes (a vector or scalar is copied). out must not alias x.
void transpose(ConstView x, View out);

// Matrix products over a stack of per-example matrices (docs/language.md §9).
// An operand of rank 3 is a stack [B, rows, cols], one matrix per example;
// an operand of rank 2 is one matrix shared by every example (a param). At
// least one operand is a stack, and two stacks share B. op(a) = aᵀ per
// example when trans_a (likewise b); out is [B, m, n] with op(a) [m, k],
// op(b) [k, n]. Vectors take part as [.., 1, k] rows or [.., k, 1] columns
// (reshapes, which cost nothing). out must not alias a or b.
// Mismatches throw eq::Error naming both shapes.
void batched_matmul(ConstView a, bool trans_a, ConstView b, bool trans_b, View out);

// out = Σ_b op(a[b])·op(b[b]) over two stacks [B, r, c] sharing B: the
// gradient of a matrix shared by every example of a per-example product.
// out [m, n] must not alias a or b. aᵀ·b (the gradient of W in X·W) is one
// gemm over the stacked batch, [B·r, m]ᵀ·[B·r, n]; the other flags take one
// gemm per example, accumulated. B = 0 gives zeros.
void batched_matmul_sum(ConstView a, bool trans_a, ConstView b, bool trans_b, View out);

// How batched_matmul computes a product.
enum class BatchedForm : std::uint8_t {
  // One gemm over the stacked batch: X·W with a shared W is [B·m, k]·[k, n];
  // the same holds for Xᵀ·W when m = 1 and, with the stack on the right, for
  // W·x (n = 1: [B, k]·Wᵀ) and w·Xᵀ (m = 1: [B·n, k]·wᵀ, a gemv).
  stacked,
  // One gemm per example (OpenBLAS 0.3.21 has no batched or strided gemm):
  // two stacks, or a shared operand whose layout does not fold.
  per_example,
};
// The form batched_matmul takes for these shapes and flags (no checks).
BatchedForm batched_form(const Shape& a, bool trans_a, const Shape& b, bool trans_b);

// Joins parts along the last axis: out.last() is the sum of the parts'
// last axes, in order. The leading axes of each part broadcast to out's
// (a param [H] joins a batch [B, V] into [B, H + V]). Parts are rank ≥ 1
// (a scalar takes part as [1]). out must not alias a part. The adjoint:
// part p's gradient is slice(g, last axis, offset_p, offset_p + size_p),
// summed (sum_to_shape) over the axes the part was broadcast along.
void concat(std::span<const ConstView> parts, View out);

// out = x[start:stop] along `axis` (0 ≤ start ≤ stop ≤ x.shape[axis]):
// out.shape is x.shape with shape[axis] = stop - start; when stop - start
// == 1, out may also drop the axis (X[i], the row pick: the same elements
// in the same order). Copies contiguous runs. out must not alias x.
void slice(ConstView x, int axis, std::int64_t start, std::int64_t stop, View out);
// The adjoint of slice: out is zero except out[start:start + n] along
// `axis`, which is g (n = g's size on that axis; g may lack the axis when
// n = 1, as for slice). out must not alias g.
void unslice(ConstView g, int axis, std::int64_t start, View out);

// One-hot products as lookups. w is [m, n]; idx is i32 [count] with values in
// [0, n); out is [count, m]: out[b, :] = w[:, idx[b]]. An index out of range
// throws eq::Error naming it.
void gather_columns(ConstView w, ConstView idx, View out);
// The adjoint: dw[:, idx[b]] += g[b, :] for each b (dw is accumulated into,
// not cleared). g is [count, m], dw is [m, n].
void scatter_add_columns(ConstView g, ConstView idx, View dw);
// Row lookups (an embedding: onehot(idx) · w). w is [n, m]; idx is i32 of
// any shape with values in [0, n); out is idx's shape followed by m:
// out[…, :] = w[idx[…], :], one contiguous row copied per index. An index out
// of range throws eq::Error naming it, before anything is written.
void gather_rows(ConstView w, ConstView idx, View out);
// The adjoint: dw[idx[…], :] += g[…, :] for each index (dw is accumulated
// into, not cleared; repeated indices add up). g is idx's shape followed by
// m, dw is [n, m].
void scatter_add_rows(ConstView g, ConstView idx, View dw);

// Reproducible noise (runtime/philox.hpp). The value drawn for element j
// of example row r is a function of (seed, stream, step, r, j) alone: not
// of the batch size, of where the batch was cut (first_row), of the thread
// count or of the order of the calls. So a run resumed at step s, or a
// batch split over several processes, draws the same numbers.
struct NoiseKey {
  std::uint64_t seed = 0;      // the run's seed
  std::uint64_t stream = 0;    // which noise value of the program
  std::uint64_t step = 0;      // the training step (or evaluation batch)
  std::int64_t first_row = 0;  // the example index of out's row 0
};
// out is [rows, ...]: axis 0 counts examples (rank 0 is one row of one
// element); element j of row i is drawn for example first_row + i.
// Normal draws are Marsaglia's polar method on the counter's own uniforms,
// in double, rounded to out's dtype. Uniform draws are in [lo, hi) (in f32
// rounding may give hi itself).
void random_normal(const NoiseKey& key, double mean, double stddev, View out);
void random_uniform(const NoiseKey& key, double lo, double hi, View out);
// Dropout's mask: each element is 1/(1 - p) with probability 1 - p, else 0
// (0 ≤ p < 1; anything else throws eq::Error). dropout(x) = x · mask, and
// its gradient is g · mask.
void dropout_mask(const NoiseKey& key, double p, View out);

void fill(View out, double value);  // any dtype, i32 included
// Same numel, any shapes and dtypes (f32 / f64 / i32 converted as by a cast);
// out may be x itself.
void copy(ConstView x, View out);
// out = alpha * x + beta * out (out may not alias x unless identical); same
// shapes. beta == 0 does not read out (so stale NaNs there do not propagate).
void axpby(double alpha, ConstView x, double beta, View out);

}  // namespace eq::kernels
