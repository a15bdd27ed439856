// softmax / logsoftmax: the unshifted textbook formula in float64 on modest
// logits, exact hand-derived values on logits of ±1000, and in-place calls.
#include <catch2/catch.hpp>
#include <cmath>

#include "eq/runtime/error.hpp"
#include "eq/runtime/kernels.hpp"
#include "runtime/kernel_testing.hpp"

using eq::DType;
using eq::Shape;
using eq::Tensor;
using namespace eq::testing;

namespace {

// e^x / Σ e^x over the last axis, with no shift: fine for |x| ≤ 5 in float64.
std::vector<double> softmax_reference(const Tensor& x, bool log) {
  std::int64_t n = x.shape().last();
  std::vector<double> out;
  for (std::int64_t r = 0; r < x.numel(); r += n) {
    double z = 0;
    for (std::int64_t j = 0; j < n; ++j) z += std::exp(x.at(r + j));
    for (std::int64_t j = 0; j < n; ++j)
      out.push_back(log ? x.at(r + j) - std::log(z) : std::exp(x.at(r + j)) / z);
  }
  return out;
}

template <class T>
Tensor run(bool log, const Tensor& x) {
  Tensor y(x.dtype(), x.shape());
  if (log)
    eq::kernels::logsoftmax(x.view(), y.view());
  else
    eq::kernels::softmax(x.view(), y.view());
  return y;
}

}  // namespace

TEMPLATE_TEST_CASE("softmax and logsoftmax match the textbook formula", "[kernels][softmax]", float,
                   double) {
  Rng rng(30);
  for (int trial = 0; trial < 40; ++trial) {
    Shape s = random_shape(rng, 0, 4, 7);
    Tensor x = random_tensor(rng, s, dtype_of<TestType>(), -5, 5);
    INFO(s.str());
    CHECK(mismatch(run<TestType>(false, x), softmax_reference(x, false), tolerance<TestType>()) ==
          "");
    CHECK(mismatch(run<TestType>(true, x), softmax_reference(x, true), tolerance<TestType>()) ==
          "");
  }
}

TEMPLATE_TEST_CASE("softmax and logsoftmax act on the last axis of [B, T, D]", "[kernels][softmax]",
                   float, double) {
  // Attention scores: a batch of T×T matrices, normalised row by row; and
  // rows longer than logsoftmax's 512-element chunk.
  Rng rng(32);
  for (Shape s :
       {Shape{5, 8, 8}, Shape{3, 1, 7}, Shape{2, 4, 1}, Shape{2, 3, 700}, Shape{2, 2, 3, 5}}) {
    Tensor x = random_tensor(rng, s, dtype_of<TestType>(), -5, 5);
    INFO(s.str());
    Tensor sm = run<TestType>(false, x);
    CHECK(mismatch(sm, softmax_reference(x, false), tolerance<TestType>()) == "");
    CHECK(mismatch(run<TestType>(true, x), softmax_reference(x, true), tolerance<TestType>()) ==
          "");
    // Each row of T sums to 1, whatever the leading axes.
    const std::int64_t d = s.last();
    for (std::int64_t r = 0; r < x.numel(); r += d) {
      double total = 0;
      for (std::int64_t j = 0; j < d; ++j) total += sm.at(r + j);
      CHECK(total == Approx(1).epsilon(10 * tolerance<TestType>()));
    }
  }
}

TEMPLATE_TEST_CASE("softmax and logsoftmax of logits ±1000 are finite and exact",
                   "[kernels][softmax]", float, double) {
  const DType t = dtype_of<TestType>();
  Tensor x = Tensor::from(Shape{3, 2}, {1000, -1000, -1000, 1000, -1000, -1000}, t);
  Tensor ls = run<TestType>(true, x);
  // Row max m; (x - m) - log Σ e^(x-m): rows 1–2 give 0 and -2000 with
  // log(1 + e^-2000) = 0; row 3 gives -log 2 for both.
  CHECK(ls.to_vector() == std::vector<double>{0, -2000, -2000, 0, double(TestType(-std::log(2.0))),
                                              double(TestType(-std::log(2.0)))});
  Tensor s = run<TestType>(false, x);
  CHECK(s.to_vector() == std::vector<double>{1, 0, 0, 1, 0.5, 0.5});

  Tensor big = Tensor::from(Shape{4}, {1e4, 1e4 - 1, -1e4, 0}, t);
  Tensor lb = run<TestType>(true, big);
  // The two leaders: log-partition 1e4 + log(1 + e^-1).
  double lse = std::log1p(std::exp(-1.0));
  CHECK(lb.at(0) == Approx(-lse).epsilon(1e-6));
  CHECK(lb.at(1) == Approx(-1 - lse).epsilon(1e-6));
  CHECK(lb.at(2) == Approx(-2e4 - lse).epsilon(1e-6));
  CHECK(std::isfinite(lb.at(3)));
}

TEMPLATE_TEST_CASE("softmax in place", "[kernels][softmax]", float, double) {
  Rng rng(31);
  for (bool log : {false, true}) {
    Tensor x = random_tensor(rng, Shape{4, 9}, dtype_of<TestType>(), -3, 3);
    Tensor want = run<TestType>(log, x);
    if (log)
      eq::kernels::logsoftmax(x.view(), x.view());
    else
      eq::kernels::softmax(x.view(), x.view());
    CHECK(x.to_vector() == want.to_vector());
  }
}

TEST_CASE("softmax checks its output shape", "[kernels][softmax]") {
  Tensor x(DType::f32, Shape{2, 3}), y(DType::f32, Shape{6});
  CHECK_THROWS_WITH(eq::kernels::softmax(x.view(), y.view()),
                    "softmax: shape mismatch: [2, 3] vs [6]");
  CHECK_THROWS_WITH(eq::kernels::logsoftmax(x.view(), y.view()),
                    "logsoftmax: shape mismatch: [2, 3] vs [6]");
}
