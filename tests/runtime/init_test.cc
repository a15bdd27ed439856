// Initialisers: fans, repeatability, the moments and bounds of each
// distribution on large tensors, and orthogonality checked by naive loops.
#include "eq/runtime/init.hpp"

#include <catch2/catch.hpp>
#include <cmath>
#include <vector>

#include "eq/runtime/error.hpp"

using eq::DType;
using eq::Initializer;
using eq::Rng;
using eq::Shape;
using eq::Tensor;
namespace init = eq::init;

namespace {

Tensor drawn(const Initializer& i, Shape shape, std::uint64_t seed, DType dtype = DType::f64) {
  Tensor t(dtype, shape);
  Rng rng(seed);
  eq::initialize(i, t, rng);
  return t;
}

struct Moments {
  double mean, std, min, max;
};
Moments moments(const Tensor& t) {
  double sum = 0, sum2 = 0, lo = INFINITY, hi = -INFINITY;
  for (std::int64_t i = 0; i < t.numel(); ++i) {
    const double x = t.at(i);
    sum += x;
    sum2 += x * x;
    lo = std::min(lo, x);
    hi = std::max(hi, x);
  }
  const double n = static_cast<double>(t.numel()), mean = sum / n;
  return {mean, std::sqrt(sum2 / n - mean * mean), lo, hi};
}

// max |M − I| where M = W·Wᵀ (rows) or WᵀW (columns) of a row-major [r, c] matrix.
double gram_error(const Tensor& w, std::int64_t r, std::int64_t c, bool rows) {
  const std::int64_t k = rows ? r : c;
  double worst = 0;
  for (std::int64_t a = 0; a < k; ++a)
    for (std::int64_t b = 0; b < k; ++b) {
      double dot = 0;
      if (rows)
        for (std::int64_t j = 0; j < c; ++j) dot += w.at(a * c + j) * w.at(b * c + j);
      else
        for (std::int64_t i = 0; i < r; ++i) dot += w.at(i * c + a) * w.at(i * c + b);
      worst = std::max(worst, std::abs(dot - (a == b ? 1.0 : 0.0)));
    }
  return worst;
}

}  // namespace

TEST_CASE("fans of out-by-in weights and receptive fields and vectors and scalars", "[init]") {
  CHECK(eq::fans_of(Shape{128, 65}).in == 65);
  CHECK(eq::fans_of(Shape{128, 65}).out == 128);
  CHECK(eq::fans_of(Shape{8, 3, 5}).in == 15);
  CHECK(eq::fans_of(Shape{8, 3, 5}).out == 40);
  CHECK(eq::fans_of(Shape{8, 3, 5, 2}).in == 30);
  CHECK(eq::fans_of(Shape{7}).in == 7);
  CHECK(eq::fans_of(Shape{7}).out == 7);
  CHECK(eq::fans_of(Shape{}).in == 1);
  CHECK(eq::fans_of(Shape{}).out == 1);
}

TEST_CASE("initialisers describe themselves in source form", "[init]") {
  CHECK(init::constant(0).describe() == "0");
  CHECK(init::constant(-0.5).describe() == "-0.5");
  CHECK(init::normal(0, 0.01).describe() == "normal(0, 0.01)");
  CHECK(init::uniform(-1, 1).describe() == "uniform(-1, 1)");
  CHECK(init::normal(0, 1e-5).describe() == "normal(0, 1e-5)");
  CHECK(init::uniform(-1e20, 2.5e-300).describe() == "uniform(-1e20, 2.5e-300)");
  CHECK(init::glorot().describe() == "glorot");
  CHECK(init::glorot_normal().describe() == "glorot_normal");
  CHECK(init::he().describe() == "he");
  CHECK(init::orthogonal().describe() == "orthogonal");
  CHECK(init::normal(1, 2) == init::normal(1, 2));
  CHECK_FALSE(init::normal(1, 2) == init::uniform(1, 2));
}

TEST_CASE("bad initialiser arguments are user errors", "[init]") {
  CHECK_THROWS_WITH(init::normal(0, -1), "normal(μ, σ): σ must not be negative; got -1");
  CHECK_THROWS_WITH(init::uniform(2, 1), "uniform(a, b): a must not exceed b; got uniform(2, 1)");
  CHECK_THROWS_WITH(init::normal(NAN, 1), "normal(μ, σ): μ must be a finite number; got nan");
  CHECK_THROWS_WITH(init::constant(INFINITY), "an initial value must be a finite number; got inf");
  Tensor i(DType::i32, Shape{3});
  Rng rng(1);
  CHECK_THROWS_WITH(eq::initialize(init::glorot(), i, rng),
                    "cannot initialise an i32 tensor with glorot: parameters are f32 or f64");
}

TEST_CASE("the same seed gives the same weights and another seed others", "[init]") {
  for (const Initializer& i : {init::normal(0, 1), init::uniform(-1, 1), init::glorot(),
                               init::glorot_normal(), init::he(), init::orthogonal()}) {
    INFO(i.describe());
    const Tensor a = drawn(i, Shape{6, 4}, 5), b = drawn(i, Shape{6, 4}, 5);
    const Tensor c = drawn(i, Shape{6, 4}, 6);
    CHECK(a.to_vector() == b.to_vector());
    CHECK(a.to_vector() != c.to_vector());
    // f32 holds the f64 values rounded: the draws do not depend on the dtype.
    const Tensor f = drawn(i, Shape{6, 4}, 5, DType::f32);
    for (std::int64_t k = 0; k < 24; ++k) CHECK(f.at(k) == static_cast<float>(a.at(k)));
  }
}

TEST_CASE("a constant fills every element", "[init]") {
  const Tensor t = drawn(init::constant(0.25), Shape{3, 2}, 1, DType::f32);
  for (std::int64_t k = 0; k < 6; ++k) CHECK(t.at(k) == 0.25);
  const Tensor s = drawn(init::constant(-3), Shape{}, 1);
  CHECK(s.at(0) == -3);
}

TEST_CASE("sample moments match each distribution on a large tensor", "[init]") {
  // 500 × 400 = 2e5 draws: the sample mean is within 5 standard errors
  // (5σ/√n ≈ 0.011σ) and the sample std within 1% (its error is ≈ 0.16%).
  const Shape shape{500, 400};
  const double fan_in = 400, fan_out = 500;
  auto near = [](const Moments& m, double mean, double std) {
    CHECK(std::abs(m.mean - mean) < 0.011 * std);
    CHECK(std::abs(m.std - std) < 0.01 * std);
  };
  SECTION("normal(μ, σ)") { near(moments(drawn(init::normal(1, 0.5), shape, 1)), 1, 0.5); }
  SECTION("uniform(a, b)") {
    const Moments m = moments(drawn(init::uniform(-1, 3), shape, 2));
    near(m, 1, 4 / std::sqrt(12.0));
    CHECK(m.min >= -1);
    CHECK(m.max < 3);
    CHECK(m.min < -0.99);
    CHECK(m.max > 2.99);
  }
  SECTION("glorot: uniform within ±√(6 / (fan_in + fan_out))") {
    const double limit = std::sqrt(6 / (fan_in + fan_out));
    for (DType dtype : {DType::f64, DType::f32}) {
      const Moments m = moments(drawn(init::glorot(), shape, 3, dtype));
      near(m, 0, limit / std::sqrt(3.0));
      CHECK(m.min >= -limit);
      CHECK(m.max <= limit);
      CHECK(m.max > 0.999 * limit);
      CHECK(m.min < -0.999 * limit);
    }
  }
  SECTION("glorot_normal") {
    near(moments(drawn(init::glorot_normal(), shape, 4)), 0, std::sqrt(2 / (fan_in + fan_out)));
  }
  SECTION("he: std √(2 / fan_in)") {
    near(moments(drawn(init::he(), shape, 5, DType::f32)), 0, std::sqrt(2 / fan_in));
  }
  SECTION("a vector [n] uses fan_in = fan_out = n") {
    near(moments(drawn(init::glorot_normal(), Shape{200000}, 6)), 0, std::sqrt(1 / 200000.0));
  }
}

TEST_CASE("orthogonal gives orthonormal rows or columns", "[init]") {
  struct Case {
    Shape shape;
    std::int64_t rows, cols;
  };
  for (const Case& c : {Case{Shape{5, 5}, 5, 5}, Case{Shape{3, 7}, 3, 7}, Case{Shape{7, 3}, 7, 3},
                        Case{Shape{64, 20}, 64, 20}, Case{Shape{4, 2, 3}, 4, 6},
                        Case{Shape{9}, 1, 9}, Case{Shape{}, 1, 1}}) {
    INFO(c.shape.str());
    const Tensor w = drawn(init::orthogonal(), c.shape, 17);
    if (c.rows <= c.cols) CHECK(gram_error(w, c.rows, c.cols, true) < 1e-12);   // W·Wᵀ = I
    if (c.rows >= c.cols) CHECK(gram_error(w, c.rows, c.cols, false) < 1e-12);  // WᵀW = I
    const Tensor f = drawn(init::orthogonal(), c.shape, 17, DType::f32);
    CHECK(gram_error(f, c.rows, c.cols, c.rows <= c.cols) < 1e-6);
  }
  // An empty tensor is left alone (and draws nothing).
  Tensor empty(DType::f64, Shape{0, 4});
  Rng rng(1), untouched(1);
  eq::initialize(init::orthogonal(), empty, rng);
  CHECK(rng == untouched);
}

TEST_CASE("orthogonal is sign-corrected so entries are symmetric about 0", "[init]") {
  // Householder QR alone makes R's diagonal have a fixed relation to the
  // data's signs, which biases Q (e.g. Q₀₀ would always be negative with
  // LAPACK). Multiplying by sign(diag R) makes Q Haar-distributed: every
  // entry of a 3×3 then has mean 0 and mean square 1/3.
  Rng rng(123);
  const int draws = 3000;
  std::vector<double> sum(9, 0), sum2(9, 0);
  Tensor w(DType::f64, Shape{3, 3});
  for (int d = 0; d < draws; ++d) {
    eq::initialize(init::orthogonal(), w, rng);
    for (int k = 0; k < 9; ++k) {
      sum[k] += w.at(k);
      sum2[k] += w.at(k) * w.at(k);
    }
  }
  for (int k = 0; k < 9; ++k) {
    INFO("entry " << k);
    CHECK(std::abs(sum[k] / draws) < 0.045);  // standard error 0.0105
    CHECK(std::abs(sum2[k] / draws - 1.0 / 3) < 0.03);
  }
}
