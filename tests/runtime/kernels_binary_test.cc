// binary and broadcast_shape: every op on shape pairs that exercise each
// path (same shape, scalar, row, column, outer, rank mismatch, rank 4,
// empty), against a reference loop that maps each output index back to its
// operands on its own; plus in-place calls and the exact error messages.
#include <catch2/catch.hpp>
#include <cmath>
#include <utility>

#include "eq/runtime/error.hpp"
#include "eq/runtime/kernels.hpp"
#include "runtime/kernel_testing.hpp"

using eq::DType;
using eq::Shape;
using eq::Tensor;
using eq::kernels::Binary;
using namespace eq::testing;

namespace {

double reference(Binary op, double a, double b) {
  switch (op) {
    case Binary::add:
      return a + b;
    case Binary::sub:
      return a - b;
    case Binary::mul:
      return a * b;
    case Binary::div:
      return a / b;
    case Binary::pow:
      return std::exp(b * std::log(a));  // a > 0 in these tests
    case Binary::max:
      return a > b ? a : b;
    case Binary::min:
      return a < b ? a : b;
    case Binary::eq:
      return a == b ? 1 : 0;
    case Binary::ne:
      return a == b ? 0 : 1;
    case Binary::lt:
      return b - a > 0 ? 1 : 0;
    case Binary::gt:
      return a - b > 0 ? 1 : 0;
    case Binary::le:
      return b - a >= 0 ? 1 : 0;
    case Binary::ge:
      return a - b >= 0 ? 1 : 0;
    case Binary::leaky_relu:
      return std::max(a, 0.0) + b * std::min(a, 0.0);
    case Binary::leaky_relu_grad:
      return a > 0 ? 1 : b;
  }
  return 0;
}

const Binary kAll[] = {
    Binary::add, Binary::sub, Binary::mul, Binary::div,        Binary::pow,
    Binary::max, Binary::min, Binary::eq,  Binary::ne,         Binary::lt,
    Binary::gt,  Binary::le,  Binary::ge,  Binary::leaky_relu, Binary::leaky_relu_grad};
constexpr std::size_t kCount = sizeof kAll / sizeof kAll[0];

bool comparison(Binary op) {
  return op == Binary::eq || op == Binary::ne || op == Binary::lt || op == Binary::gt ||
         op == Binary::le || op == Binary::ge;
}

// Shape pairs and the broadcast each must give, worked out by hand.
struct Pair {
  Shape a, b, out;
};
const std::vector<Pair>& pairs() {
  static const std::vector<Pair> p = {
      {Shape{3, 4}, Shape{3, 4}, Shape{3, 4}},                 // same shape
      {Shape{}, Shape{3, 4}, Shape{3, 4}},                     // scalar on the left
      {Shape{3, 4}, Shape{}, Shape{3, 4}},                     // scalar on the right
      {Shape{5, 7}, Shape{7}, Shape{5, 7}},                    // bias row (W·x + b)
      {Shape{7}, Shape{2, 3, 7}, Shape{2, 3, 7}},              // row on the left, rank 1 vs 3
      {Shape{5, 7}, Shape{1, 7}, Shape{5, 7}},                 // row with a leading 1
      {Shape{5, 1}, Shape{5, 7}, Shape{5, 7}},                 // column
      {Shape{5, 7}, Shape{5, 1}, Shape{5, 7}},                 // column on the right
      {Shape{4, 1}, Shape{1, 6}, Shape{4, 6}},                 // outer
      {Shape{6}, Shape{4, 1}, Shape{4, 6}},                    // outer, rank mismatch
      {Shape{2, 1, 3}, Shape{4, 1}, Shape{2, 4, 3}},           // both stretched
      {Shape{2, 3, 1, 5}, Shape{3, 4, 1}, Shape{2, 3, 4, 5}},  // rank 4
      {Shape{1, 3, 1, 5}, Shape{2, 1, 4, 1}, Shape{2, 3, 4, 5}},
      {Shape{1, 1}, Shape{3}, Shape{1, 3}},  // one element, not a scalar
      {Shape{3, 1}, Shape{1}, Shape{3, 1}},
      {Shape{1, 5}, Shape{5, 1}, Shape{5, 5}},
      {Shape{0, 3}, Shape{3}, Shape{0, 3}},  // empty
      {Shape{2, 1}, Shape{0}, Shape{2, 0}},
  };
  return p;
}

Tensor operand(Rng& rng, Binary op, Shape s, DType t) {
  if (comparison(op)) {  // small integers, so equal pairs occur
    Tensor x(t, s);
    std::uniform_int_distribution<int> u(0, 2);
    for (std::int64_t i = 0; i < x.numel(); ++i) x.set(i, u(rng));
    return x;
  }
  if (op == Binary::pow || op == Binary::div) return random_tensor(rng, s, t, 0.5, 2);
  return random_tensor(rng, s, t, -2, 2);
}

std::vector<double> expected(Binary op, const Tensor& a, const Tensor& b, const Shape& out) {
  std::vector<double> want;
  for (std::int64_t i = 0; i < out.numel(); ++i) {
    auto idx = unflatten(i, out);
    want.push_back(reference(op, a.at(broadcast_source(idx, a.shape())),
                             b.at(broadcast_source(idx, b.shape()))));
  }
  return want;
}

}  // namespace

TEST_CASE("broadcast_shape follows numpy", "[kernels][broadcast]") {
  for (const Pair& p : pairs()) {
    INFO(p.a.str() << " with " << p.b.str());
    CHECK(eq::kernels::broadcast_shape(p.a, p.b) == p.out);
    CHECK(eq::kernels::broadcast_shape(p.b, p.a) == p.out);
  }
  CHECK_THROWS_AS(eq::kernels::broadcast_shape(Shape{2, 3}, Shape{4}), eq::Error);
  CHECK_THROWS_WITH(eq::kernels::broadcast_shape(Shape{2, 3}, Shape{4}),
                    "cannot broadcast [2, 3] with [4]");
  CHECK_THROWS_WITH(eq::kernels::broadcast_shape(Shape{2, 1, 3}, Shape{5, 2}),
                    "cannot broadcast [2, 1, 3] with [5, 2]");
}

TEMPLATE_TEST_CASE("binary matches a broadcasting reference loop", "[kernels][broadcast]", float,
                   double) {
  Rng rng(10);
  for (Binary op : kAll)
    for (const Pair& p : pairs()) {
      Tensor a = operand(rng, op, p.a, dtype_of<TestType>());
      Tensor b = operand(rng, op, p.b, dtype_of<TestType>());
      Tensor out(dtype_of<TestType>(), p.out);
      eq::kernels::binary(op, a.view(), b.view(), out.view());
      INFO(eq::kernels::name(op) << " of " << p.a.str() << " and " << p.b.str());
      CHECK(mismatch(out, expected(op, a, b, p.out), tolerance<TestType>()) == "");
    }
}

TEMPLATE_TEST_CASE("binary on random broadcastable shapes", "[kernels][broadcast]", float, double) {
  Rng rng(11);
  for (int trial = 0; trial < 200; ++trial) {
    // Derive both operands from one output shape: drop some leading axes and
    // set some axes to 1, independently for each side.
    Shape out = random_shape(rng, 0, 4, 4);
    auto derive = [&] {
      std::vector<std::int64_t> dims(out.begin(), out.end());
      int drop = std::uniform_int_distribution<int>(0, out.rank())(rng);
      dims.erase(dims.begin(), dims.begin() + drop);
      for (auto& d : dims)
        if (rng() % 3 == 0) d = 1;
      return Shape(std::span<const std::int64_t>(dims));
    };
    Shape sa = derive(), sb = derive();
    Shape o = eq::kernels::broadcast_shape(sa, sb);
    Binary op = kAll[rng() % kCount];
    Tensor a = operand(rng, op, sa, dtype_of<TestType>());
    Tensor b = operand(rng, op, sb, dtype_of<TestType>());
    Tensor r(dtype_of<TestType>(), o);
    eq::kernels::binary(op, a.view(), b.view(), r.view());
    INFO(eq::kernels::name(op) << " of " << sa.str() << " and " << sb.str());
    CHECK(mismatch(r, expected(op, a, b, o), tolerance<TestType>()) == "");
  }
}

TEMPLATE_TEST_CASE("binary in place on either operand", "[kernels][broadcast]", float, double) {
  Rng rng(12);
  const DType t = dtype_of<TestType>();
  for (Shape other : {Shape{5, 7}, Shape{7}, Shape{}, Shape{5, 1}}) {
    Tensor a = random_tensor(rng, Shape{5, 7}, t), b = random_tensor(rng, other, t);
    auto want_ab = expected(Binary::sub, a, b, Shape{5, 7});
    auto want_ba = expected(Binary::sub, b, a, Shape{5, 7});
    Tensor a2 = a;
    eq::kernels::binary(Binary::sub, a.view(), b.view(), a.view());    // out is a
    eq::kernels::binary(Binary::sub, b.view(), a2.view(), a2.view());  // out is b's slot
    INFO("other operand " << other.str());
    CHECK(mismatch(a, want_ab, tolerance<TestType>()) == "");
    CHECK(mismatch(a2, want_ba, tolerance<TestType>()) == "");
  }
}

TEST_CASE("binary names the shapes it cannot combine", "[kernels][broadcast]") {
  Tensor a(DType::f32, Shape{2, 3}), b(DType::f32, Shape{4}), c(DType::f32, Shape{2, 3});
  Tensor d(DType::f64, Shape{2, 3});
  CHECK_THROWS_WITH(eq::kernels::binary(Binary::add, a.view(), b.view(), c.view()),
                    "add: cannot broadcast [2, 3] with [4]");
  Tensor row(DType::f32, Shape{3}), wrong(DType::f32, Shape{3, 2});
  CHECK_THROWS_WITH(eq::kernels::binary(Binary::mul, a.view(), row.view(), wrong.view()),
                    "mul: [2, 3] with [3] gives [2, 3], but the output is [3, 2]");
  CHECK_THROWS_WITH(eq::kernels::binary(Binary::div, a.view(), d.view(), c.view()),
                    "div: operands must share a dtype; got f32 and f64");
  CHECK_THROWS_WITH(eq::kernels::binary(Binary::div, a.view(), c.view(), d.view()),
                    "div: operands must share a dtype; got f32 and f64");
}
