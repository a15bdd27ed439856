// BLAS wrappers: matmul with every transpose combination (and alpha, beta,
// the gemv path for one column, empty sizes), gemm on sub-matrices through
// leading dimensions, gemv, axpy, scal — all against naive float64 loops —
// and the shape errors, verbatim.
#include "eq/runtime/blas.hpp"

#include <catch2/catch.hpp>
#include <limits>

#include "eq/runtime/error.hpp"
#include "eq/runtime/kernels.hpp"
#include "runtime/kernel_testing.hpp"

using eq::DType;
using eq::Shape;
using eq::Tensor;
using eq::blas::Trans;
using namespace eq::testing;

namespace {

// alpha * op(a) · op(b) + beta * c0 with a, b stored row-major as given.
std::vector<double> matmul_reference(const Tensor& a, bool ta, const Tensor& b, bool tb,
                                     const Tensor& c0, double alpha, double beta) {
  const std::int64_t m = c0.shape()[0], n = c0.shape()[1];
  const std::int64_t k = ta ? a.shape()[0] : a.shape()[1];
  const std::int64_t a_cols = a.shape()[1], b_cols = b.shape()[1];
  std::vector<double> out;
  for (std::int64_t i = 0; i < m; ++i)
    for (std::int64_t j = 0; j < n; ++j) {
      double s = 0;
      for (std::int64_t p = 0; p < k; ++p) {
        double av = ta ? a.at(p * a_cols + i) : a.at(i * a_cols + p);
        double bv = tb ? b.at(j * b_cols + p) : b.at(p * b_cols + j);
        s += av * bv;
      }
      out.push_back(alpha * s + (beta == 0 ? 0 : beta * c0.at(i * n + j)));
    }
  return out;
}

Shape stored(std::int64_t rows, std::int64_t cols, bool t) {
  return t ? Shape{cols, rows} : Shape{rows, cols};
}

}  // namespace

TEMPLATE_TEST_CASE("matmul with every transpose combination", "[blas]", float, double) {
  Rng rng(50);
  const DType t = dtype_of<TestType>();
  struct Dims {
    std::int64_t m, n, k;
  };
  for (Dims d : {Dims{3, 4, 5}, Dims{17, 1, 9}, Dims{1, 13, 6}, Dims{33, 29, 64}, Dims{2, 3, 1},
                 Dims{4, 1, 1}, Dims{0, 3, 2}, Dims{3, 2, 0}})
    for (bool ta : {false, true})
      for (bool tb : {false, true})
        for (auto [alpha, beta] : {std::pair{1.0, 0.0}, std::pair{-0.5, 2.0}}) {
          Tensor a = random_tensor(rng, stored(d.m, d.k, ta), t);
          Tensor b = random_tensor(rng, stored(d.k, d.n, tb), t);
          Tensor c = random_tensor(rng, Shape{d.m, d.n}, t);
          if (beta == 0) eq::kernels::fill(c.view(), std::numeric_limits<double>::quiet_NaN());
          auto want = matmul_reference(a, ta, b, tb, c, alpha, beta);
          eq::blas::matmul(a.view(), Trans{ta}, b.view(), Trans{tb}, c.view(), alpha, beta);
          INFO("m " << d.m << " n " << d.n << " k " << d.k << " ta " << ta << " tb " << tb
                    << " alpha " << alpha << " beta " << beta);
          // Sums of k products: the error bound grows with k.
          CHECK(mismatch(c, want, tolerance<TestType>() * double(d.k + 1)) == "");
        }
}

TEMPLATE_TEST_CASE("gemm on sub-matrices through leading dimensions", "[blas]", float, double) {
  Rng rng(51);
  const DType t = dtype_of<TestType>();
  // A is the top-left 3×4 of a 5×7 buffer, B the top-left 4×2 of 4×6, C 3×2 of 3×5.
  Tensor abuf = random_tensor(rng, Shape{5, 7}, t), bbuf = random_tensor(rng, Shape{4, 6}, t);
  Tensor cbuf = random_tensor(rng, Shape{3, 5}, t);
  std::vector<double> want = cbuf.to_vector();
  for (std::int64_t i = 0; i < 3; ++i)
    for (std::int64_t j = 0; j < 2; ++j) {
      double s = 0;
      for (std::int64_t p = 0; p < 4; ++p) s += abuf.at(i * 7 + p) * bbuf.at(p * 6 + j);
      want[static_cast<std::size_t>(i * 5 + j)] = 2 * s + want[static_cast<std::size_t>(i * 5 + j)];
    }
  eq::blas::gemm(t, Trans::no, Trans::no, 3, 2, 4, 2.0, abuf.raw(), 7, bbuf.raw(), 6, 1.0,
                 cbuf.raw(), 5);
  CHECK(mismatch(cbuf, want, 10 * tolerance<TestType>()) == "");  // untouched columns included
}

TEMPLATE_TEST_CASE("gemv, axpy and scal against loops", "[blas]", float, double) {
  Rng rng(52);
  const DType t = dtype_of<TestType>();
  const std::int64_t m = 7, n = 5;
  for (bool ta : {false, true}) {
    Tensor a = random_tensor(rng, stored(m, n, ta), t);
    Tensor x = random_tensor(rng, Shape{n}, t), y = random_tensor(rng, Shape{m}, t);
    std::vector<double> want;
    for (std::int64_t i = 0; i < m; ++i) {
      double s = 0;
      for (std::int64_t j = 0; j < n; ++j) s += (ta ? a.at(j * m + i) : a.at(i * n + j)) * x.at(j);
      want.push_back(1.5 * s - y.at(i));
    }
    eq::blas::gemv(t, Trans{ta}, m, n, 1.5, a.raw(), a.shape()[1], x.raw(), -1.0, y.raw());
    INFO("ta " << ta);
    CHECK(mismatch(y, want, 10 * tolerance<TestType>()) == "");
  }
  Tensor x = random_tensor(rng, Shape{11}, t), y = random_tensor(rng, Shape{11}, t);
  std::vector<double> want;
  for (std::int64_t i = 0; i < 11; ++i) want.push_back(y.at(i) - 3 * x.at(i));
  eq::blas::axpy(t, 11, -3, x.raw(), y.raw());
  CHECK(mismatch(y, want, tolerance<TestType>()) == "");
  want.clear();
  for (std::int64_t i = 0; i < 11; ++i) want.push_back(0.25 * x.at(i));
  eq::blas::scal(t, 11, 0.25, x.raw());
  CHECK(mismatch(x, want, tolerance<TestType>()) == "");
}

TEST_CASE("matmul names both shapes when they do not fit", "[blas]") {
  Tensor a(DType::f32, Shape{2, 3}), b(DType::f32, Shape{4, 5}), c(DType::f32, Shape{2, 5});
  CHECK_THROWS_AS(eq::blas::matmul(a.view(), Trans::no, b.view(), Trans::no, c.view()), eq::Error);
  CHECK_THROWS_WITH(eq::blas::matmul(a.view(), Trans::no, b.view(), Trans::no, c.view()),
                    "matmul: cannot multiply [2, 3] by [4, 5]");
  CHECK_THROWS_WITH(eq::blas::matmul(a.view(), Trans::yes, b.view(), Trans::yes, c.view()),
                    "matmul: cannot multiply [2, 3]ᵀ by [4, 5]ᵀ");
  Tensor b2(DType::f32, Shape{3, 4});
  CHECK_THROWS_WITH(eq::blas::matmul(a.view(), Trans::no, b2.view(), Trans::no, c.view()),
                    "matmul: [2, 3] by [3, 4] gives [2, 4], but the output is [2, 5]");
  Tensor v(DType::f32, Shape{3});
  CHECK_THROWS_WITH(eq::blas::matmul(a.view(), Trans::no, v.view(), Trans::no, c.view()),
                    "matmul: expects two matrices; got [2, 3] and [3]");
  Tensor d(DType::f64, Shape{3, 4});
  CHECK_THROWS_WITH(eq::blas::matmul(a.view(), Trans::no, d.view(), Trans::no, c.view()),
                    "matmul: operands must share a dtype; got f32, f64 and f32");
}

TEST_CASE("BLAS thread count", "[blas]") {
  int before = eq::blas::threads();
  CHECK(before >= 1);
  eq::blas::set_threads(1);
  CHECK(eq::blas::threads() == 1);
  CHECK_THROWS_WITH(eq::blas::set_threads(0), "BLAS threads must be at least 1; got 0");
  eq::blas::set_threads(before);
  CHECK(eq::blas::threads() == before);
}
