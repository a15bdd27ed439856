// unary, fill, copy, axpby and the scalar apply(): against float64 formulas
// written here, hand-derived values at the extremes, and in-place calls.
#include <catch2/catch.hpp>
#include <cmath>
#include <functional>
#include <limits>

#include "eq/runtime/error.hpp"
#include "eq/runtime/kernels.hpp"
#include "eq/runtime/scalar_math.hpp"
#include "runtime/kernel_testing.hpp"

using eq::DType;
using eq::Shape;
using eq::Tensor;
using eq::kernels::Unary;
using namespace eq::testing;

namespace {

struct UnaryCase {
  Unary op;
  std::function<double(double)> reference;  // the textbook formula, in float64
  double lo, hi;                            // an input range where the formula is fine
};

const std::vector<UnaryCase>& unary_cases() {
  static const std::vector<UnaryCase> cases = {
      {Unary::neg, [](double x) { return -x; }, -4, 4},
      {Unary::sigmoid, [](double x) { return 1 / (1 + std::exp(-x)); }, -8, 8},
      {Unary::tanh, [](double x) { return (std::exp(2 * x) - 1) / (std::exp(2 * x) + 1); }, -4, 4},
      {Unary::relu, [](double x) { return x > 0 ? x : 0; }, -4, 4},
      {Unary::softplus, [](double x) { return std::log(1 + std::exp(x)); }, -8, 8},
      {Unary::exp, [](double x) { return std::exp(x); }, -4, 4},
      {Unary::log, [](double x) { return std::log(x); }, 0.05, 5},
      {Unary::log1p, [](double x) { return std::log(1 + x); }, 0.5, 4},
      {Unary::expm1, [](double x) { return std::exp(x) - 1; }, 0.5, 4},
      {Unary::sqrt, [](double x) { return std::sqrt(x); }, 0, 9},
      {Unary::abs, [](double x) { return x < 0 ? -x : x; }, -4, 4},
      {Unary::sin, [](double x) { return std::sin(x); }, -4, 4},
      {Unary::cos, [](double x) { return std::cos(x); }, -4, 4},
      {Unary::square, [](double x) { return x * x; }, -4, 4},
      {Unary::sign, [](double x) { return x > 0   ? 1.0
                                          : x < 0 ? -1.0
                                                  : 0.0; }, -4, 4},
      {Unary::step, [](double x) { return x > 0 ? 1.0 : 0.0; }, -4, 4},
      {Unary::recip, [](double x) { return 1 / x; }, 0.25, 4},
      {Unary::erf, [](double x) { return std::erf(x); }, -4, 4},
      {Unary::gelu, [](double x) { return x * 0.5 * std::erfc(-x / std::sqrt(2.0)); }, -6, 6},
      {Unary::gelu_grad,
       [](double x) {
         return 0.5 * std::erfc(-x / std::sqrt(2.0)) +
                x * std::exp(-x * x / 2) / std::sqrt(2 * std::acos(-1.0));
       },
       -6, 6},
      {Unary::elu, [](double x) { return x > 0 ? x : std::exp(x) - 1; }, -4, 4},
      {Unary::elu_grad, [](double x) { return x > 0 ? 1 : std::exp(x); }, -4, 4},
      {Unary::floor, [](double x) { return std::floor(x); }, -4, 4},
  };
  return cases;
}

template <class T>
Tensor run_unary(Unary op, const Tensor& x) {
  Tensor y(x.dtype(), x.shape());
  eq::kernels::unary(op, x.view(), y.view());
  return y;
}

std::vector<double> map(const Tensor& x, const std::function<double(double)>& f) {
  std::vector<double> out;
  for (double v : x.to_vector()) out.push_back(f(v));
  return out;
}

}  // namespace

TEMPLATE_TEST_CASE("unary matches float64 formulas on random shapes", "[kernels][unary]", float,
                   double) {
  Rng rng(1);
  for (const UnaryCase& c : unary_cases()) {
    for (int trial = 0; trial < 4; ++trial) {
      Shape s = random_shape(rng, 0, 4, 6);
      Tensor x = random_tensor(rng, s, dtype_of<TestType>(), c.lo, c.hi);
      INFO(eq::kernels::name(c.op) << " on " << s.str());
      CHECK(mismatch(run_unary<TestType>(c.op, x), map(x, c.reference), tolerance<TestType>()) ==
            "");
    }
  }
}

TEMPLATE_TEST_CASE("unary in place equals out of place", "[kernels][unary]", float, double) {
  Rng rng(2);
  for (const UnaryCase& c : unary_cases()) {
    Tensor x = random_tensor(rng, Shape{3, 37}, dtype_of<TestType>(), c.lo, c.hi);
    Tensor y = run_unary<TestType>(c.op, x);
    eq::kernels::unary(c.op, x.view(), x.view());
    INFO(eq::kernels::name(c.op));
    CHECK(x.to_vector() == y.to_vector());
  }
}

TEMPLATE_TEST_CASE("σ, softplus, tanh, log1p, expm1 at the extremes", "[kernels][unary]", float,
                   double) {
  auto at = [](Unary op, double x) {
    Tensor t = Tensor::scalar(x, dtype_of<TestType>());
    eq::kernels::unary(op, t.view(), t.view());
    return t.at(0);
  };
  CHECK(at(Unary::sigmoid, -1000) == 0.0);
  CHECK(at(Unary::sigmoid, 1000) == 1.0);
  CHECK(at(Unary::sigmoid, -1e4) == 0.0);
  CHECK(at(Unary::sigmoid, 1e4) == 1.0);
  CHECK(at(Unary::sigmoid, 0) == 0.5);
  // σ(-30) = e^-30 / (1 + e^-30): tiny but not lost.
  CHECK(at(Unary::sigmoid, -30) == Approx(std::exp(-30.0) / (1 + std::exp(-30.0))).epsilon(1e-6));
  CHECK(at(Unary::softplus, 1000) == 1000.0);
  CHECK(at(Unary::softplus, 1e4) == 1e4);
  CHECK(at(Unary::softplus, -1000) == 0.0);  // e^-1000 underflows to 0 in both precisions
  CHECK(at(Unary::softplus, -1e4) == 0.0);
  // log(1 + e^-30) = e^-30 - e^-60/2 + …: the naive formula gives 0 in f32.
  CHECK(at(Unary::softplus, -30) == Approx(std::exp(-30.0)).epsilon(1e-6));
  CHECK(at(Unary::softplus, 0) == Approx(std::log(2.0)).epsilon(1e-7));
  CHECK(at(Unary::tanh, 1000) == 1.0);
  CHECK(at(Unary::tanh, -1000) == -1.0);
  // log1p(x) = x - x²/2 + x³/3 - …, expm1(x) = x + x²/2 + x³/6 + …: at
  // |x| = 1e-12 three terms are exact to double precision (the 1e-24 term
  // moves the 13th digit). log(1 + x) would have lost 4 digits to rounding 1 + x.
  double tol = sizeof(TestType) == 4 ? 1e-6 : 1e-15;
  for (double x0 : {1e-12, -1e-12}) {
    double x = static_cast<TestType>(x0);  // the value the kernel sees
    INFO("x = " << x);
    CHECK(at(Unary::log1p, x) == Approx(x - x * x / 2 + x * x * x / 3).epsilon(tol));
    CHECK(at(Unary::expm1, x) == Approx(x + x * x / 2 + x * x * x / 6).epsilon(tol));
  }
  for (double x : {-1e4, -1000.0, -50.0, 0.0, 50.0, 1000.0, 1e4}) {
    INFO("x = " << x);
    CHECK(std::isfinite(at(Unary::sigmoid, x)));
    CHECK(std::isfinite(at(Unary::softplus, x)));
    CHECK(std::isfinite(at(Unary::tanh, x)));
  }
}

TEST_CASE("apply() is the same function as the kernels, in float64", "[kernels][unary]") {
  Rng rng(3);
  for (const UnaryCase& c : unary_cases()) {
    Tensor x = random_tensor(rng, Shape{16}, DType::f64, c.lo, c.hi);
    Tensor y = run_unary<double>(c.op, x);
    for (std::int64_t i = 0; i < 16; ++i) CHECK(eq::kernels::apply(c.op, x.at(i)) == y.at(i));
  }
  CHECK(eq::kernels::apply(eq::kernels::Binary::pow, 2, 10) == 1024);
  CHECK(eq::kernels::apply(eq::kernels::Binary::eq, 3, 3) == 1);
  CHECK(eq::kernels::apply(eq::kernels::Binary::min, -3, 3) == -3);
}

TEST_CASE("unary checks shapes and dtypes", "[kernels][unary]") {
  Tensor x(DType::f32, Shape{2, 3}), y(DType::f32, Shape{3, 2}), z(DType::f64, Shape{2, 3});
  Tensor i(DType::i32, Shape{2, 3});
  CHECK_THROWS_WITH(eq::kernels::unary(Unary::sigmoid, x.view(), y.view()),
                    "sigmoid: shape mismatch: [2, 3] vs [3, 2]");
  CHECK_THROWS_WITH(eq::kernels::unary(Unary::exp, x.view(), z.view()),
                    "exp: operands must share a dtype; got f32 and f64");
  CHECK_THROWS_WITH(eq::kernels::unary(Unary::relu, i.view(), i.view()),
                    "relu: expected f32 or f64 data, got i32");
}

TEST_CASE("fill and copy, with conversions", "[kernels]") {
  Tensor a(DType::f32, Shape{2, 3});
  eq::kernels::fill(a.view(), 2.5);
  CHECK(a.to_vector() == std::vector<double>(6, 2.5));
  Tensor idx(DType::i32, Shape{4});
  eq::kernels::fill(idx.view(), 7);
  CHECK(idx.to_vector() == std::vector<double>(4, 7));

  Tensor d = Tensor::from(Shape{6}, {1.25, -2, 3, 0.1, 1e30, -0.5}, DType::f64);
  Tensor f(DType::f32, Shape{2, 3});  // same count, another shape: allowed
  eq::kernels::copy(d.view(), f.view());
  for (std::int64_t i = 0; i < 6; ++i) CHECK(f.at(i) == static_cast<float>(d.at(i)));
  Tensor back(DType::f64, Shape{6});
  eq::kernels::copy(f.view(), back.view());
  CHECK(back.at(3) == static_cast<double>(0.1f));
  eq::kernels::copy(back.view(), back.view());  // onto itself: a no-op
  CHECK(back.at(0) == 1.25);
  Tensor five(DType::f32, Shape{5});
  CHECK_THROWS_WITH(eq::kernels::copy(d.view(), five.view()),
                    "copy: element counts differ: [6] vs [5]");
}

TEMPLATE_TEST_CASE("axpby against a loop; beta = 0 ignores the old output", "[kernels]", float,
                   double) {
  Rng rng(4);
  Tensor x = random_tensor(rng, Shape{5, 7}, dtype_of<TestType>());
  Tensor y = random_tensor(rng, Shape{5, 7}, dtype_of<TestType>());
  std::vector<double> want;
  for (std::int64_t i = 0; i < 35; ++i) want.push_back(0.75 * x.at(i) - 1.5 * y.at(i));
  eq::kernels::axpby(0.75, x.view(), -1.5, y.view());
  CHECK(mismatch(y, want, tolerance<TestType>()) == "");

  eq::kernels::fill(y.view(), std::numeric_limits<double>::quiet_NaN());
  eq::kernels::axpby(2, x.view(), 0, y.view());
  want.clear();
  for (std::int64_t i = 0; i < 35; ++i) want.push_back(2 * x.at(i));
  CHECK(mismatch(y, want, tolerance<TestType>()) == "");

  eq::kernels::axpby(1, x.view(), 1, x.view());  // x = x + x, aliased
  for (std::int64_t i = 0; i < 35; ++i) CHECK(x.at(i) == want[static_cast<std::size_t>(i)]);
  Tensor wrong(dtype_of<TestType>(), Shape{7, 5});
  CHECK_THROWS_WITH(eq::kernels::axpby(1, x.view(), 1, wrong.view()),
                    "axpby: shape mismatch: [5, 7] vs [7, 5]");
}
