// batched_matmul: products of per-example matrices (a stack [B, r, c] per
// operand, or one shared matrix [r, c]).
//
// OpenBLAS 0.3.21 has neither cblas_?gemm_batch nor a strided-batched gemm,
// so the kernel looks for a layout in which the whole batch is ONE gemm and
// otherwise calls gemm once per example (each call a real product: the
// per-example matrices are at least a few rows). The folds (out[i] is
// op(a[i])·op(b) or op(a)·op(b[i]); everything row-major, contiguous):
//   - stack · shared, a not transposed: the stack is [B·m, k] and out is
//     [B·m, n]: one gemm. (Q = X·W_q in attention.)
//   - stack · shared, a transposed, m = 1: each a[i] is a column [k, 1],
//     so the stack is [B, k] and out [B, n]: one gemm.
//   - shared · stack, n = 1: each op(b[i]) is k contiguous numbers, so the
//     stack is [B, k] and out[i] (m contiguous) = [B, k]·op(a)ᵀ: one gemm.
//   - shared · stack transposed, m = 1: out[i] = b[i]·op(a)ᵀ, so out as
//     [B·n] = [B·n, k]·(the k numbers of a): one gemv.
// Two stacks always loop: out[i] = op(a[i])·op(b[i]) has no common factor.
// batched_matmul_sum (Σ over i) folds when a is transposed and b is not:
// Σ a[i]ᵀ·b[i] is the stack [B·r, m] transposed times the stack [B·r, n].
#include <cstring>
#include <string>

#include "eq/runtime/blas.hpp"
#include "eq/runtime/kernels.hpp"
#include "eq/runtime/kernels_detail.hpp"

namespace eq::kernels {

namespace {

// One operand: its stored matrix shape, whether it is a stack, and op().
struct Operand {
  bool stack;
  std::int64_t batch, rows, cols;  // as stored; batch is 1 for a shared matrix
  bool trans;
  std::int64_t op_rows() const { return trans ? cols : rows; }
  std::int64_t op_cols() const { return trans ? rows : cols; }
};

Operand operand(const Shape& s, bool trans) {
  const bool stack = s.rank() == 3;
  return {stack, stack ? s[0] : 1, s[s.rank() - 2], s[s.rank() - 1], trans};
}

std::string show(const Shape& s, bool trans) { return s.str() + (trans ? "ᵀ" : ""); }

blas::Trans flag(bool t) { return t ? blas::Trans::yes : blas::Trans::no; }

}  // namespace

BatchedForm batched_form(const Shape& a_shape, bool trans_a, const Shape& b_shape, bool trans_b) {
  const Operand a = operand(a_shape, trans_a), b = operand(b_shape, trans_b);
  if (a.stack && b.stack) return BatchedForm::per_example;
  if (a.stack)
    return !a.trans || a.op_rows() == 1 ? BatchedForm::stacked : BatchedForm::per_example;
  const bool n_is_1 = b.op_cols() == 1, m_is_1 = a.op_rows() == 1;
  return n_is_1 || (b.trans && m_is_1) ? BatchedForm::stacked : BatchedForm::per_example;
}

void batched_matmul(ConstView av, bool trans_a, ConstView bv, bool trans_b, View out) {
  const DType t = detail::common_float(av.dtype, bv.dtype, "batched matmul");
  detail::common_float(out.dtype, t, "batched matmul");
  const int ra = av.shape.rank(), rb = bv.shape.rank();
  if ((ra != 2 && ra != 3) || (rb != 2 && rb != 3) || (ra == 2 && rb == 2))
    throw Error(
        "batched matmul: expects a stack of matrices [B, r, c] and a stack or a matrix; got " +
        av.shape.str() + " and " + bv.shape.str());
  const Operand a = operand(av.shape, trans_a), b = operand(bv.shape, trans_b);
  const std::int64_t m = a.op_rows(), k = a.op_cols(), n = b.op_cols();
  if (k != b.op_rows() || (a.stack && b.stack && a.batch != b.batch))
    throw Error("batched matmul: cannot multiply " + show(av.shape, trans_a) + " by " +
                show(bv.shape, trans_b));
  const std::int64_t batch = a.stack ? a.batch : b.batch;
  const Shape expect{batch, m, n};
  if (!(out.shape == expect))
    throw Error("batched matmul: " + show(av.shape, trans_a) + " by " + show(bv.shape, trans_b) +
                " gives " + expect.str() + ", but the output is " + out.shape.str());
  if (batch == 0) return;

  if (batched_form(av.shape, trans_a, bv.shape, trans_b) == BatchedForm::stacked) {
    if (a.stack)  // [B·m, k]·op(b), the stack read as rows of k (m = 1 when transposed)
      return blas::gemm(t, blas::Trans::no, flag(b.trans), batch * m, n, k, 1.0, av.data, k,
                        bv.data, b.cols, 0.0, out.data, n);
    if (n == 1)  // [B, k]·op(a)ᵀ: op(a)ᵀ is a as stored read with the flag flipped
      return blas::gemm(t, blas::Trans::no, flag(!a.trans), batch, m, k, 1.0, bv.data, k, av.data,
                        a.cols, 0.0, out.data, m);
    // m = 1, b transposed: [B·n, k] times a's k contiguous numbers.
    return blas::gemv(t, blas::Trans::no, batch * n, k, 1.0, bv.data, k, av.data, 0.0, out.data);
  }
  const std::int64_t esize = static_cast<std::int64_t>(dtype_size(t));
  const std::int64_t a_step = a.stack ? a.rows * a.cols * esize : 0;
  const std::int64_t b_step = b.stack ? b.rows * b.cols * esize : 0;
  const std::int64_t o_step = m * n * esize;
  const char* pa = static_cast<const char*>(av.data);
  const char* pb = static_cast<const char*>(bv.data);
  char* po = static_cast<char*>(out.data);
  for (std::int64_t i = 0; i < batch; ++i, pa += a_step, pb += b_step, po += o_step)
    blas::gemm(t, flag(a.trans), flag(b.trans), m, n, k, 1.0, pa, a.cols, pb, b.cols, 0.0, po, n);
}

void batched_matmul_sum(ConstView av, bool trans_a, ConstView bv, bool trans_b, View out) {
  const DType t = detail::common_float(av.dtype, bv.dtype, "batched matmul sum");
  detail::common_float(out.dtype, t, "batched matmul sum");
  if (av.shape.rank() != 3 || bv.shape.rank() != 3 || av.shape[0] != bv.shape[0])
    throw Error(
        "batched matmul sum: expects two stacks of matrices [B, r, c] with the same B; got " +
        av.shape.str() + " and " + bv.shape.str());
  const Operand a = operand(av.shape, trans_a), b = operand(bv.shape, trans_b);
  const std::int64_t m = a.op_rows(), k = a.op_cols(), n = b.op_cols();
  if (k != b.op_rows())
    throw Error("batched matmul sum: cannot multiply " + show(av.shape, trans_a) + " by " +
                show(bv.shape, trans_b));
  const Shape expect{m, n};
  if (!(out.shape == expect))
    throw Error("batched matmul sum: " + show(av.shape, trans_a) + " by " +
                show(bv.shape, trans_b) + " gives " + expect.str() + ", but the output is " +
                out.shape.str());
  const std::int64_t batch = a.batch;
  if (batch == 0 || k == 0) {
    std::memset(out.data, 0,
                static_cast<std::size_t>(m * n * static_cast<std::int64_t>(dtype_size(t))));
    return;
  }
  if (a.trans && !b.trans)  // [B·k, m]ᵀ·[B·k, n]: the batch joins the inner axis
    return blas::gemm(t, blas::Trans::yes, blas::Trans::no, m, n, batch * k, 1.0, av.data, a.cols,
                      bv.data, b.cols, 0.0, out.data, n);
  const std::int64_t esize = static_cast<std::int64_t>(dtype_size(t));
  const char* pa = static_cast<const char*>(av.data);
  const char* pb = static_cast<const char*>(bv.data);
  for (std::int64_t i = 0; i < batch;
       ++i, pa += a.rows * a.cols * esize, pb += b.rows * b.cols * esize)
    blas::gemm(t, flag(a.trans), flag(b.trans), m, n, k, 1.0, pa, a.cols, pb, b.cols,
               i == 0 ? 0.0 : 1.0, out.data, n);
}

}  // namespace eq::kernels
