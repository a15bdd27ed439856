// Noise: Philox4x32-10 against the Random123 known-answer vectors; the
// counter scheme recomputed here from philox4x32_10 alone; the draws of a
// row independent of the batch, its cut and the thread count; the
// distributions (moments and a Kolmogorov–Smirnov distance); dropout's
// keep rate and scale; errors.
#include <algorithm>
#include <catch2/catch.hpp>
#include <cmath>
#include <set>

#include "eq/runtime/error.hpp"
#include "eq/runtime/kernels.hpp"
#include "eq/runtime/parallel.hpp"
#include "eq/runtime/philox.hpp"
#include "runtime/kernel_testing.hpp"

using eq::DType;
using eq::Shape;
using eq::Tensor;
using eq::kernels::NoiseKey;
using namespace eq::testing;

namespace {

// The uniform the scheme assigns to (key, row, element): counter (j, r, r>>32, 0).
double scheme_uniform(const NoiseKey& k, std::uint64_t row, std::uint32_t j) {
  const auto w = eq::philox::philox4x32_10(
      {j, static_cast<std::uint32_t>(row), static_cast<std::uint32_t>(row >> 32), 0},
      eq::philox::noise_key(k.seed, k.stream, k.step));
  return std::ldexp(double((std::uint64_t{w[1]} << 32 | w[0]) >> 11), -53);
}

// Kolmogorov–Smirnov distance of a sample to a CDF.
template <class Cdf>
double ks(std::vector<double> xs, Cdf cdf) {
  std::sort(xs.begin(), xs.end());
  double d = 0;
  const double n = double(xs.size());
  for (std::size_t i = 0; i < xs.size(); ++i) {
    const double f = cdf(xs[i]);
    d = std::max({d, f - double(i) / n, double(i + 1) / n - f});
  }
  return d;
}

Tensor normal(const NoiseKey& k, Shape s, DType t = DType::f64, double mean = 0, double sd = 1) {
  Tensor x(t, s);
  eq::kernels::random_normal(k, mean, sd, x.view());
  return x;
}

}  // namespace

TEST_CASE("Philox4x32-10 reproduces the Random123 known answers", "[random]") {
  using eq::philox::philox4x32_10;
  CHECK(philox4x32_10({0, 0, 0, 0}, {0, 0}) ==
        eq::philox::Counter{0x6627e8d5, 0xe169c58d, 0xbc57ac4c, 0x9b00dbd8});
  CHECK(philox4x32_10({0xffffffff, 0xffffffff, 0xffffffff, 0xffffffff}, {0xffffffff, 0xffffffff}) ==
        eq::philox::Counter{0x408f276d, 0x41c83b0e, 0xa20bc7c6, 0x6d5451fd});
  CHECK(philox4x32_10({0x243f6a88, 0x85a308d3, 0x13198a2e, 0x03707344}, {0xa4093822, 0x299f31d0}) ==
        eq::philox::Counter{0xd16cfe09, 0x94fdcceb, 0x5001e420, 0x24126ea1});
}

TEST_CASE("noise draws follow the documented counter scheme", "[random]") {
  const NoiseKey k{42, 3, 17, 100};
  Tensor u(DType::f64, Shape{4, 6}), m(DType::f64, Shape{4, 6}), n = normal(k, Shape{4, 6});
  eq::kernels::random_uniform(k, -2, 5, u.view());
  eq::kernels::dropout_mask(k, 0.3, m.view());
  for (std::int64_t r = 0; r < 4; ++r)
    for (std::uint32_t j = 0; j < 6; ++j) {
      const double s = scheme_uniform(k, std::uint64_t(100 + r), j);
      CHECK(u.at(r * 6 + j) == -2 + 7 * s);
      CHECK(m.at(r * 6 + j) == (s >= 0.3 ? 1 / 0.7 : 0.0));
      // Polar method, first accepted attempt, with libm's log.
      for (std::uint32_t a = 0;; ++a) {
        const auto w = eq::philox::philox4x32_10({j, static_cast<std::uint32_t>(100 + r), 0, a},
                                                 eq::philox::noise_key(42, 3, 17));
        const double x = 2 * std::ldexp(double((std::uint64_t{w[1]} << 32 | w[0]) >> 11), -53) - 1;
        const double y = 2 * std::ldexp(double((std::uint64_t{w[3]} << 32 | w[2]) >> 11), -53) - 1;
        const double q = x * x + y * y;
        if (q > 0 && q < 1) {
          CHECK(n.at(r * 6 + j) == Approx(x * std::sqrt(-2 * std::log(q) / q)).epsilon(1e-14));
          break;
        }
      }
    }
  // f32 draws are the f64 draws rounded.
  Tensor n32 = normal(k, Shape{4, 6}, DType::f32);
  for (std::int64_t i = 0; i < 24; ++i) CHECK(n32.at(i) == double(float(n.at(i))));
}

TEST_CASE("a row's noise does not depend on the batch, its cut or the threads", "[random]") {
  const NoiseKey whole{7, 1, 1000, 0};
  Tensor all = normal(whole, Shape{8, 3, 5});
  // The same examples drawn as two batches, cut at row 3.
  Tensor head = normal({7, 1, 1000, 0}, Shape{3, 3, 5}),
         tail = normal({7, 1, 1000, 3}, Shape{5, 3, 5});
  for (std::int64_t i = 0; i < 45; ++i) CHECK(head.at(i) == all.at(i));
  for (std::int64_t i = 0; i < 75; ++i) CHECK(tail.at(i) == all.at(45 + i));
  // Many rows, so that the pool splits them; one thread versus two.
  const int threads = eq::runtime::parallel_threads();
  eq::runtime::set_parallel_threads(1);
  Tensor one = normal({7, 2, 5, 0}, Shape{4000, 50});
  Tensor m1(DType::f32, Shape{4000, 50});
  eq::kernels::dropout_mask({7, 3, 5, 0}, 0.5, m1.view());
  eq::runtime::set_parallel_threads(2);
  Tensor two = normal({7, 2, 5, 0}, Shape{4000, 50});
  Tensor m2(DType::f32, Shape{4000, 50});
  eq::kernels::dropout_mask({7, 3, 5, 0}, 0.5, m2.view());
  eq::runtime::set_parallel_threads(threads);
  CHECK(one.to_vector() == two.to_vector());
  CHECK(m1.to_vector() == m2.to_vector());
  // Another step, stream or seed draws other numbers.
  for (NoiseKey other :
       {NoiseKey{7, 1, 1001, 0}, NoiseKey{7, 2, 1000, 0}, NoiseKey{8, 1, 1000, 0}}) {
    Tensor o = normal(other, Shape{8, 3, 5});
    int same = 0;
    for (std::int64_t i = 0; i < o.numel(); ++i) same += o.at(i) == all.at(i);
    CHECK(same == 0);
  }
}

TEST_CASE("normal and uniform draws have their distributions", "[random]") {
  const std::int64_t n = 200000;
  Tensor z = normal({1, 0, 0, 0}, Shape{n / 100, 100}, DType::f64, 2, 3);
  std::vector<double> xs = z.to_vector();
  double mean = 0, var = 0;
  for (double x : xs) mean += x;
  mean /= double(n);
  for (double x : xs) var += (x - mean) * (x - mean);
  var /= double(n - 1);
  CHECK(std::fabs(mean - 2) < 5 * 3 / std::sqrt(double(n)));
  CHECK(std::fabs(var - 9) < 5 * 9 * std::sqrt(2.0 / double(n)));
  // KS at the 0.1 % level: 1.95/√n.
  CHECK(ks(xs, [](double x) { return 0.5 * std::erfc(-(x - 2) / 3 / std::sqrt(2.0)); }) <
        1.95 / std::sqrt(double(n)));
  // Neighbouring elements and neighbouring rows are uncorrelated.
  double c_elem = 0, c_row = 0;
  for (std::int64_t i = 0; i + 100 < n; ++i) {
    c_elem += (xs[std::size_t(i)] - 2) * (xs[std::size_t(i + 1)] - 2);
    c_row += (xs[std::size_t(i)] - 2) * (xs[std::size_t(i + 100)] - 2);
  }
  CHECK(std::fabs(c_elem / double(n) / 9) < 5 / std::sqrt(double(n)));
  CHECK(std::fabs(c_row / double(n) / 9) < 5 / std::sqrt(double(n)));

  Tensor u(DType::f32, Shape{n / 50, 50});
  eq::kernels::random_uniform({1, 1, 0, 0}, -1, 3, u.view());
  std::vector<double> us = u.to_vector();
  CHECK(*std::min_element(us.begin(), us.end()) >= -1);
  CHECK(*std::max_element(us.begin(), us.end()) <= 3);
  CHECK(ks(us, [](double x) { return (x + 1) / 4; }) < 1.95 / std::sqrt(double(n)));
}

TEMPLATE_TEST_CASE("dropout masks keep 1 - p of the elements, scaled by 1/(1 - p)", "[random]",
                   float, double) {
  const DType t = dtype_of<TestType>();
  for (double p : {0.0, 0.1, 0.5, 0.9}) {
    Tensor m(t, Shape{1000, 100});
    eq::kernels::dropout_mask({5, 9, 2, 0}, p, m.view());
    std::set<double> values;
    double kept = 0, sum = 0;
    for (double v : m.to_vector()) {
      values.insert(v);
      kept += v != 0;
      sum += v;
    }
    INFO("p = " << p);
    const double n = 1e5, scale = double(TestType(1 / (1 - p)));
    CHECK(std::fabs(kept / n - (1 - p)) < 5 * std::sqrt(p * (1 - p) / n) + 1e-12);
    CHECK(values.size() == (p == 0 ? 1u : 2u));
    CHECK(values.count(scale) == 1);
    CHECK(sum / n == Approx(1).margin(5 * std::sqrt(p / (1 - p) / n) + 1e-6));  // E[mask] = 1
  }
}

TEST_CASE("noise of one element, and errors", "[random]") {
  Tensor s(DType::f64, Shape{});
  eq::kernels::random_uniform({3, 0, 0, 0}, 0, 1, s.view());
  CHECK(s.at(0) == scheme_uniform({3, 0, 0, 0}, 0, 0));
  Tensor m(DType::f32, Shape{2, 2});
  CHECK_THROWS_WITH(eq::kernels::dropout_mask({}, 1.0, m.view()),
                    "dropout: the drop probability must be in [0, 1); got 1.000000");
  CHECK_THROWS_WITH(eq::kernels::dropout_mask({}, -0.5, m.view()),
                    "dropout: the drop probability must be in [0, 1); got -0.500000");
  Tensor i(DType::i32, Shape{2});
  CHECK_THROWS_WITH(eq::kernels::random_normal({}, 0, 1, i.view()),
                    "random_normal: expected f32 or f64 data, got i32");
}
