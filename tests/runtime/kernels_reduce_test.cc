// reduce, reduce_axis and sum_to_shape against reference loops (logsumexp
// unshifted, on inputs where that is exact enough), sum_to_shape as the
// adjoint of broadcasting (⟨broadcast(y), x⟩ = ⟨y, sum_to_shape(x)⟩), the
// axis sum as the adjoint of expand, logsumexp at ±1000 and ±∞, and the
// error messages.
#include <catch2/catch.hpp>
#include <cmath>
#include <limits>

#include "eq/runtime/error.hpp"
#include "eq/runtime/kernels.hpp"
#include "runtime/kernel_testing.hpp"

using eq::DType;
using eq::Shape;
using eq::Tensor;
using eq::kernels::Reduce;
using namespace eq::testing;

namespace {

std::vector<double> reduce_reference(Reduce op, const Tensor& x, int first_axis) {
  Shape outer = x.shape().prefix(first_axis);
  std::int64_t inner = x.numel() / std::max<std::int64_t>(outer.numel(), 1);
  std::vector<double> out;
  for (std::int64_t r = 0; r < outer.numel(); ++r) {
    double acc = op == Reduce::max   ? -std::numeric_limits<double>::infinity()
                 : op == Reduce::min ? std::numeric_limits<double>::infinity()
                                     : 0;
    for (std::int64_t i = 0; i < inner; ++i) {
      double v = x.at(r * inner + i);
      if (op == Reduce::max)
        acc = std::max(acc, v);
      else if (op == Reduce::min)
        acc = std::min(acc, v);
      else if (op == Reduce::logsumexp)
        acc += std::exp(v);
      else
        acc += v;
    }
    out.push_back(op == Reduce::mean        ? acc / double(inner)
                  : op == Reduce::logsumexp ? std::log(acc)
                                            : acc);
  }
  return out;
}

constexpr Reduce kOps[] = {Reduce::sum, Reduce::mean, Reduce::max, Reduce::min, Reduce::logsumexp};

// Reduces axis `axis` of x by walking every output index and the axis.
std::vector<double> axis_reference(Reduce op, const Tensor& x, int axis) {
  Shape os = x.shape();
  os[axis] = 1;
  std::vector<double> out;
  for (std::int64_t i = 0; i < os.numel(); ++i) {
    std::vector<std::int64_t> idx = unflatten(i, os);
    std::vector<double> vals;
    for (std::int64_t k = 0; k < x.shape()[axis]; ++k) {
      idx[static_cast<std::size_t>(axis)] = k;
      std::int64_t flat = 0;
      for (int a = 0; a < x.shape().rank(); ++a)
        flat = flat * x.shape()[a] + idx[static_cast<std::size_t>(a)];
      vals.push_back(x.at(flat));
    }
    double acc = op == Reduce::max ? -INFINITY : op == Reduce::min ? INFINITY : 0;
    for (double v : vals) {
      if (op == Reduce::max)
        acc = std::max(acc, v);
      else if (op == Reduce::min)
        acc = std::min(acc, v);
      else if (op == Reduce::logsumexp)
        acc += std::exp(v);
      else
        acc += v;
    }
    if (op == Reduce::mean) acc /= double(vals.size());
    if (op == Reduce::logsumexp) acc = std::log(acc);
    out.push_back(acc);
  }
  return out;
}

// A shape that broadcasts to `s`: some leading axes dropped, some set to 1.
Shape shrink(Rng& rng, const Shape& s) {
  std::vector<std::int64_t> dims(s.begin(), s.end());
  int drop = std::uniform_int_distribution<int>(0, s.rank())(rng);
  dims.erase(dims.begin(), dims.begin() + drop);
  for (auto& d : dims)
    if (rng() % 2) d = 1;
  return Shape(std::span<const std::int64_t>(dims));
}

std::vector<double> sum_to_reference(const Tensor& x, const Shape& target) {
  std::vector<double> out(static_cast<std::size_t>(target.numel()), 0.0);
  for (std::int64_t i = 0; i < x.numel(); ++i)
    out[static_cast<std::size_t>(broadcast_source(unflatten(i, x.shape()), target))] += x.at(i);
  return out;
}

}  // namespace

TEMPLATE_TEST_CASE("reduce over every trailing range of axes", "[kernels][reduce]", float, double) {
  Rng rng(20);
  for (int trial = 0; trial < 40; ++trial) {
    Shape s = random_shape(rng, 0, 4, 6);
    Tensor x = random_tensor(rng, s, dtype_of<TestType>());
    for (int axis = 0; axis <= s.rank(); ++axis)
      for (Reduce op : kOps) {
        Tensor out(dtype_of<TestType>(), s.prefix(axis));
        eq::kernels::reduce(op, x.view(), axis, out.view());
        INFO("op " << int(op) << " of " << s.str() << " from axis " << axis);
        CHECK(mismatch(out, reduce_reference(op, x, axis), tolerance<TestType>()) == "");
      }
  }
}

TEMPLATE_TEST_CASE("reduce sums long rows accurately", "[kernels][reduce]", float, double) {
  // 100 000 copies of 0.1f: a float accumulator drifts by ~1e-3 relative.
  Tensor x(dtype_of<TestType>(), Shape{100000});
  eq::kernels::fill(x.view(), 0.1);
  Tensor out(dtype_of<TestType>(), Shape{});
  eq::kernels::reduce(Reduce::sum, x.view(), 0, out.view());
  CHECK(out.at(0) ==
        Approx(100000 * static_cast<double>(static_cast<TestType>(0.1))).epsilon(1e-6));
}

TEST_CASE("reduce of nothing and its errors", "[kernels][reduce]") {
  Tensor x(DType::f64, Shape{2, 0}), out(DType::f64, Shape{2});
  eq::kernels::reduce(Reduce::sum, x.view(), 1, out.view());
  CHECK(out.to_vector() == std::vector<double>{0, 0});
  eq::kernels::reduce(Reduce::max, x.view(), 1, out.view());
  CHECK(out.at(0) == -std::numeric_limits<double>::infinity());

  Tensor y(DType::f32, Shape{2, 3}), bad(DType::f32, Shape{3});
  CHECK_THROWS_WITH(eq::kernels::reduce(Reduce::sum, y.view(), 3, bad.view()),
                    "reduce: axis 3 is out of range for [2, 3]");
  CHECK_THROWS_WITH(eq::kernels::reduce(Reduce::sum, y.view(), 1, bad.view()),
                    "reduce: reducing [2, 3] from axis 1 gives [2], but the output is [3]");
}

TEMPLATE_TEST_CASE("reduce_axis along every axis of random shapes", "[kernels][reduce]", float,
                   double) {
  Rng rng(22);
  const DType t = dtype_of<TestType>();
  for (int trial = 0; trial < 40; ++trial) {
    Shape s = random_shape(rng, 1, 4, 6);
    Tensor x = random_tensor(rng, s, t, -3, 3);
    for (int axis = 0; axis < s.rank(); ++axis)
      for (Reduce op : kOps) {
        Shape os = s;
        os[axis] = 1;
        Tensor out(t, os);
        eq::kernels::reduce_axis(op, x.view(), axis, out.view());
        INFO("op " << int(op) << " of " << s.str() << " along axis " << axis);
        CHECK(mismatch(out, axis_reference(op, x, axis), tolerance<TestType>()) == "");
      }
  }
  // Inner runs longer than the kernel's chunk of 256, and [B, T, D] shapes.
  for (Shape s : {Shape{2, 3, 300}, Shape{3, 600, 2}, Shape{5, 8, 33}, Shape{1, 1, 1, 1}}) {
    Tensor x = random_tensor(rng, s, t, -3, 3);
    for (int axis = 0; axis < s.rank(); ++axis)
      for (Reduce op : kOps) {
        Shape os = s;
        os[axis] = 1;
        Tensor out(t, os);
        eq::kernels::reduce_axis(op, x.view(), axis, out.view());
        INFO("op " << int(op) << " of " << s.str() << " along axis " << axis);
        CHECK(mismatch(out, axis_reference(op, x, axis), tolerance<TestType>()) == "");
      }
  }
}

TEMPLATE_TEST_CASE("the axis sum is the adjoint of expand", "[kernels][reduce]", float, double) {
  // ⟨expand(y), x⟩ = ⟨y, Σ_axis x⟩ with expand done by broadcasting.
  Rng rng(23);
  const DType t = dtype_of<TestType>();
  for (int trial = 0; trial < 30; ++trial) {
    Shape s = random_shape(rng, 1, 4, 5);
    int axis = static_cast<int>(rng() % static_cast<std::uint64_t>(s.rank()));
    Shape os = s;
    os[axis] = 1;
    Tensor x = random_tensor(rng, s, t), y = random_tensor(rng, os, t), zeros(t, s), ey(t, s),
           sx(t, os);
    eq::kernels::binary(eq::kernels::Binary::add, zeros.view(), y.view(), ey.view());
    eq::kernels::reduce_axis(Reduce::sum, x.view(), axis, sx.view());
    double lhs = 0, rhs = 0;
    for (std::int64_t i = 0; i < x.numel(); ++i) lhs += ey.at(i) * x.at(i);
    for (std::int64_t i = 0; i < y.numel(); ++i) rhs += y.at(i) * sx.at(i);
    CHECK(lhs == Approx(rhs).epsilon(100 * tolerance<TestType>()).margin(tolerance<TestType>()));
  }
}

TEMPLATE_TEST_CASE("logsumexp is stable at ±1000 and exact at ±∞", "[kernels][reduce]", float,
                   double) {
  const DType t = dtype_of<TestType>();
  const double inf = INFINITY, log2 = std::log(2.0);
  // Rows: two leaders at 1000; one at -1000 (shift keeps it); all -∞; a +∞.
  Tensor x = Tensor::from(Shape{4, 3},
                          {1000, 1000, -5, -1000, -1e4, -1e4, -inf, -inf, -inf, 1, inf, 2}, t);
  Tensor rows(t, Shape{4}), kept(t, Shape{4, 1});
  eq::kernels::reduce(Reduce::logsumexp, x.view(), 1, rows.view());
  eq::kernels::reduce_axis(Reduce::logsumexp, x.view(), 1, kept.view());
  const std::vector<double> want = {1000 + log2, -1000, -inf, inf};
  CHECK(mismatch(rows, want, tolerance<TestType>()) == "");
  CHECK(rows.to_vector() == kept.to_vector());
  // Down a middle axis (the chunked path): columns with 1000 twice, and all -∞.
  Tensor col = Tensor::from(Shape{1, 3, 2}, {1000, -inf, 1000, -inf, -1000, -inf}, t);
  Tensor c3(t, Shape{1, 1, 2});
  eq::kernels::reduce_axis(Reduce::logsumexp, col.view(), 1, c3.view());
  CHECK(mismatch(c3, {1000 + log2, -inf}, tolerance<TestType>()) == "");
  // Empty axis: -∞, like max; a NaN poisons the result.
  Tensor e(t, Shape{2, 0}), eo(t, Shape{2, 1});
  eq::kernels::reduce_axis(Reduce::logsumexp, e.view(), 1, eo.view());
  CHECK(eo.to_vector() == std::vector<double>{-inf, -inf});
  Tensor n = Tensor::from(Shape{3}, {0, NAN, 1}, t), no(t, Shape{1});
  eq::kernels::reduce_axis(Reduce::logsumexp, n.view(), 0, no.view());
  CHECK(std::isnan(no.at(0)));
}

TEST_CASE("reduce_axis of nothing and its errors", "[kernels][reduce]") {
  Tensor x(DType::f64, Shape{2, 0, 3}), out(DType::f64, Shape{2, 1, 3});
  eq::kernels::reduce_axis(Reduce::sum, x.view(), 1, out.view());
  CHECK(out.to_vector() == std::vector<double>(6, 0));
  eq::kernels::reduce_axis(Reduce::min, x.view(), 1, out.view());
  CHECK(out.at(0) == INFINITY);
  eq::kernels::reduce_axis(Reduce::mean, x.view(), 1, out.view());
  CHECK(std::isnan(out.at(0)));

  Tensor y(DType::f32, Shape{2, 3}), bad(DType::f32, Shape{2}), ok(DType::f32, Shape{2, 1});
  CHECK_THROWS_WITH(eq::kernels::reduce_axis(Reduce::sum, y.view(), 2, ok.view()),
                    "reduce_axis: axis 2 is out of range for [2, 3]");
  CHECK_THROWS_WITH(
      eq::kernels::reduce_axis(Reduce::sum, y.view(), 1, bad.view()),
      "reduce_axis: reducing [2, 3] along axis 1 gives [2, 1], but the output is [2]");
  Tensor d(DType::f64, Shape{2, 1});
  CHECK_THROWS_WITH(eq::kernels::reduce_axis(Reduce::max, y.view(), 1, d.view()),
                    "reduce_axis: operands must share a dtype; got f32 and f64");
}

TEMPLATE_TEST_CASE("sum_to_shape undoes broadcasting", "[kernels][reduce]", float, double) {
  Rng rng(21);
  const DType t = dtype_of<TestType>();
  for (int trial = 0; trial < 150; ++trial) {
    Shape xs = random_shape(rng, 0, 4, 5);
    Shape target = shrink(rng, xs);
    Tensor x = random_tensor(rng, xs, t);
    Tensor out(t, target);
    eq::kernels::fill(out.view(), std::numeric_limits<double>::quiet_NaN());  // must be overwritten
    eq::kernels::sum_to_shape(x.view(), out.view());
    INFO(xs.str() << " to " << target.str());
    CHECK(mismatch(out, sum_to_reference(x, target), tolerance<TestType>()) == "");

    // Adjoint: ⟨broadcast(y), x⟩ = ⟨y, sum_to_shape(x)⟩, broadcast done by binary.
    Tensor y = random_tensor(rng, target, t), zeros(t, xs), by(t, xs);
    eq::kernels::binary(eq::kernels::Binary::add, y.view(), zeros.view(), by.view());
    double lhs = 0, rhs = 0;
    for (std::int64_t i = 0; i < x.numel(); ++i) lhs += by.at(i) * x.at(i);
    for (std::int64_t i = 0; i < y.numel(); ++i) rhs += y.at(i) * out.at(i);
    CHECK(lhs == Approx(rhs).epsilon(100 * tolerance<TestType>()).margin(tolerance<TestType>()));
  }
}

TEST_CASE("sum_to_shape hot paths and errors", "[kernels][reduce]") {
  // Bias gradient: [batch, n] → [n], worked by hand.
  Tensor g = Tensor::from(Shape{3, 2}, {1, 2, 3, 4, 5, 6});
  Tensor b(DType::f32, Shape{2});
  eq::kernels::sum_to_shape(g.view(), b.view());
  CHECK(b.to_vector() == std::vector<double>{9, 12});
  Tensor col(DType::f32, Shape{3, 1});
  eq::kernels::sum_to_shape(g.view(), col.view());
  CHECK(col.to_vector() == std::vector<double>{3, 7, 11});
  Tensor all(DType::f32, Shape{});
  eq::kernels::sum_to_shape(g.view(), all.view());
  CHECK(all.at(0) == 21);

  Tensor bad(DType::f32, Shape{3});
  CHECK_THROWS_WITH(eq::kernels::sum_to_shape(g.view(), bad.view()),
                    "sum_to_shape: [3] does not broadcast to [3, 2]");
  Tensor bigger(DType::f32, Shape{1, 3, 2});
  CHECK_THROWS_WITH(eq::kernels::sum_to_shape(g.view(), bigger.view()),
                    "sum_to_shape: [1, 3, 2] does not broadcast to [3, 2]");
}
