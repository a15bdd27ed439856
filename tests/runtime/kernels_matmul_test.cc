// batched_matmul: every arrangement (stack·stack, stack·shared,
// shared·stack) × every transpose flag × sizes with axes of 1 (so each fold
// into one gemm is met), against a naive triple loop per example in
// float64; the form chosen for the cases that must fold; errors.
#include <catch2/catch.hpp>

#include "eq/runtime/error.hpp"
#include "eq/runtime/kernels.hpp"
#include "runtime/kernel_testing.hpp"

using eq::DType;
using eq::Shape;
using eq::Tensor;
using eq::kernels::BatchedForm;
using namespace eq::testing;

namespace {

// Element (r, c) of op(x) for example i: x is [B, rows, cols] or [rows, cols].
double op_at(const Tensor& x, bool trans, std::int64_t i, std::int64_t r, std::int64_t c) {
  const Shape& s = x.shape();
  const bool stack = s.rank() == 3;
  const std::int64_t rows = s[s.rank() - 2], cols = s[s.rank() - 1];
  if (trans) std::swap(r, c);
  return x.at((stack ? i * rows * cols : 0) + r * cols + c);
}

std::vector<double> reference(const Tensor& a, bool ta, const Tensor& b, bool tb,
                              std::int64_t batch, std::int64_t m, std::int64_t k, std::int64_t n) {
  std::vector<double> out;
  for (std::int64_t i = 0; i < batch; ++i)
    for (std::int64_t r = 0; r < m; ++r)
      for (std::int64_t c = 0; c < n; ++c) {
        double sum = 0;
        for (std::int64_t j = 0; j < k; ++j) sum += op_at(a, ta, i, r, j) * op_at(b, tb, i, j, c);
        out.push_back(sum);
      }
  return out;
}

// The stored shape of an operand whose op() is [r, c].
Shape stored(bool stack, std::int64_t batch, std::int64_t r, std::int64_t c, bool trans) {
  const std::int64_t rows = trans ? c : r, cols = trans ? r : c;
  return stack ? Shape{batch, rows, cols} : Shape{rows, cols};
}

}  // namespace

TEMPLATE_TEST_CASE("batched_matmul equals a loop of products for every form and flag",
                   "[kernels][matmul]", float, double) {
  const DType t = dtype_of<TestType>();
  Rng rng(50);
  int stacked = 0, looped = 0;
  for (int arrangement = 0; arrangement < 3; ++arrangement)  // both, a only, b only
    for (int flags = 0; flags < 4; ++flags)
      for (int trial = 0; trial < 12; ++trial) {
        const bool ta = flags & 1, tb = flags & 2;
        const bool sa = arrangement != 2, sb = arrangement != 1;
        auto dim = [&] { return std::int64_t(1 + rng() % 4); };
        // Half the trials pin m or n to 1 (vectors as rows / columns).
        const std::int64_t batch = dim(), m = trial % 4 == 1 ? 1 : dim(), k = dim(),
                           n = trial % 4 == 2 ? 1 : dim();
        Tensor a = random_tensor(rng, stored(sa, batch, m, k, ta), t);
        Tensor b = random_tensor(rng, stored(sb, batch, k, n, tb), t);
        Tensor out(t, Shape{batch, m, n});
        eq::kernels::fill(out.view(), NAN);  // must be overwritten
        eq::kernels::batched_matmul(a.view(), ta, b.view(), tb, out.view());
        const BatchedForm form = eq::kernels::batched_form(a.shape(), ta, b.shape(), tb);
        (form == BatchedForm::stacked ? stacked : looped)++;
        INFO(a.shape().str() << (ta ? "ᵀ" : "") << " · " << b.shape().str() << (tb ? "ᵀ" : "")
                             << (form == BatchedForm::stacked ? " (one gemm)" : " (per example)"));
        CHECK(mismatch(out, reference(a, ta, b, tb, batch, m, k, n), 10 * tolerance<TestType>()) ==
              "");
      }
  CHECK(stacked > 20);  // the folds were exercised, not only the loop
  CHECK(looped > 20);
}

TEST_CASE("batched_matmul folds the batch into one gemm where the layout allows",
          "[kernels][matmul]") {
  using eq::kernels::batched_form;
  const Shape x{32, 64, 128}, w{128, 16}, wt{16, 128};
  CHECK(batched_form(x, false, w, false) == BatchedForm::stacked);  // X·W: [B·T, D]·[D, K]
  CHECK(batched_form(x, false, wt, true) == BatchedForm::stacked);  // X·Wᵀ
  CHECK(batched_form(x, true, Shape{64, 16}, false) == BatchedForm::per_example);  // Xᵀ·W
  CHECK(batched_form(Shape{32, 128, 1}, true, w, false) == BatchedForm::stacked);  // xᵀ·W
  CHECK(batched_form(Shape{16, 128}, false, Shape{32, 128, 1}, false) ==
        BatchedForm::stacked);  // W·x, x a column per example
  CHECK(batched_form(Shape{1, 128}, false, Shape{32, 64, 128}, true) ==
        BatchedForm::stacked);  // q·Kᵀ: one gemv over [B·T, D]
  CHECK(batched_form(Shape{16, 64}, false, Shape{32, 64, 128}, false) ==
        BatchedForm::per_example);  // W·X: no fold
  CHECK(batched_form(x, false, Shape{32, 128, 64}, false) == BatchedForm::per_example);  // Q·Kᵀ
  CHECK(batched_form(x, false, x, true) == BatchedForm::per_example);
}

TEST_CASE("batched_matmul: empty batches and errors", "[kernels][matmul]") {
  Tensor a(DType::f32, Shape{0, 2, 3}), b(DType::f32, Shape{3, 4}), out(DType::f32, Shape{0, 2, 4});
  eq::kernels::batched_matmul(a.view(), false, b.view(), false, out.view());
  Tensor k0a(DType::f64, Shape{2, 3, 0}), k0b(DType::f64, Shape{2, 0, 4}),
      k0(DType::f64, Shape{2, 3, 4});
  eq::kernels::fill(k0.view(), NAN);
  eq::kernels::batched_matmul(k0a.view(), false, k0b.view(), false, k0.view());
  CHECK(k0.to_vector() == std::vector<double>(24, 0));  // an empty sum

  Tensor x(DType::f32, Shape{5, 2, 3}), y(DType::f32, Shape{4, 3, 2}), w(DType::f32, Shape{4, 2});
  Tensor o(DType::f32, Shape{5, 2, 2}), m(DType::f32, Shape{2, 3});
  CHECK_THROWS_WITH(eq::kernels::batched_matmul(x.view(), false, y.view(), false, o.view()),
                    "batched matmul: cannot multiply [5, 2, 3] by [4, 3, 2]");
  CHECK_THROWS_WITH(eq::kernels::batched_matmul(x.view(), true, w.view(), false, o.view()),
                    "batched matmul: cannot multiply [5, 2, 3]ᵀ by [4, 2]");
  CHECK_NOTHROW(eq::kernels::batched_matmul(x.view(), false, m.view(), true, o.view()));
  Tensor o3(DType::f32, Shape{5, 3, 3});
  CHECK_THROWS_WITH(eq::kernels::batched_matmul(x.view(), false, m.view(), true, o3.view()),
                    "batched matmul: [5, 2, 3] by [2, 3]ᵀ gives [5, 2, 2], but the output is "
                    "[5, 3, 3]");
  CHECK_THROWS_WITH(eq::kernels::batched_matmul(m.view(), false, m.view(), true, o.view()),
                    "batched matmul: expects a stack of matrices [B, r, c] and a stack or a "
                    "matrix; got [2, 3] and [2, 3]");
  Tensor d(DType::f64, Shape{3, 2});
  CHECK_THROWS_WITH(eq::kernels::batched_matmul(x.view(), false, d.view(), false, o.view()),
                    "batched matmul: operands must share a dtype; got f32 and f64");
}

TEMPLATE_TEST_CASE("batched_matmul_sum equals the sum of a loop of products for every flag",
                   "[kernels][matmul]", float, double) {
  const DType t = dtype_of<TestType>();
  Rng rng(51);
  for (int flags = 0; flags < 4; ++flags)
    for (int trial = 0; trial < 8; ++trial) {
      const bool ta = flags & 1, tb = flags & 2;
      auto dim = [&] { return std::int64_t(1 + rng() % 4); };
      const std::int64_t batch = dim(), m = dim(), k = dim(), n = trial % 3 == 1 ? 1 : dim();
      Tensor a = random_tensor(rng, stored(true, batch, m, k, ta), t);
      Tensor b = random_tensor(rng, stored(true, batch, k, n, tb), t);
      Tensor out(t, Shape{m, n});
      eq::kernels::fill(out.view(), NAN);  // must be overwritten
      eq::kernels::batched_matmul_sum(a.view(), ta, b.view(), tb, out.view());
      // The per-example products of the reference, summed over the batch.
      const std::vector<double> each = reference(a, ta, b, tb, batch, m, k, n);
      std::vector<double> expect(static_cast<std::size_t>(m * n), 0.0);
      for (std::size_t i = 0; i < each.size(); ++i) expect[i % expect.size()] += each[i];
      INFO(a.shape().str() << (ta ? "ᵀ" : "") << " · " << b.shape().str() << (tb ? "ᵀ" : ""));
      CHECK(mismatch(out, expect, 10 * tolerance<TestType>()) == "");
    }
}

TEST_CASE("batched_matmul_sum: empty batches and errors", "[kernels][matmul]") {
  Tensor a(DType::f64, Shape{0, 2, 3}), b(DType::f64, Shape{0, 2, 4}), out(DType::f64, Shape{3, 4});
  eq::kernels::fill(out.view(), NAN);
  eq::kernels::batched_matmul_sum(a.view(), true, b.view(), false, out.view());
  CHECK(out.to_vector() == std::vector<double>(12, 0));  // a sum over no examples

  Tensor x(DType::f32, Shape{5, 2, 3}), y(DType::f32, Shape{4, 2, 3}), w(DType::f32, Shape{2, 3});
  Tensor o(DType::f32, Shape{3, 3});
  CHECK_THROWS_WITH(eq::kernels::batched_matmul_sum(x.view(), true, y.view(), false, o.view()),
                    "batched matmul sum: expects two stacks of matrices [B, r, c] with the same B; "
                    "got [5, 2, 3] and [4, 2, 3]");
  CHECK_THROWS_WITH(eq::kernels::batched_matmul_sum(x.view(), true, w.view(), false, o.view()),
                    "batched matmul sum: expects two stacks of matrices [B, r, c] with the same B; "
                    "got [5, 2, 3] and [2, 3]");
  CHECK_THROWS_WITH(eq::kernels::batched_matmul_sum(x.view(), false, x.view(), false, o.view()),
                    "batched matmul sum: cannot multiply [5, 2, 3] by [5, 2, 3]");
  Tensor o2(DType::f32, Shape{2, 2});
  CHECK_THROWS_WITH(eq::kernels::batched_matmul_sum(x.view(), true, x.view(), false, o2.view()),
                    "batched matmul sum: [5, 2, 3]ᵀ by [5, 2, 3] gives [3, 3], but the output is "
                    "[2, 2]");
}
