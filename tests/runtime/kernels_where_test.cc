// where(c, a, b): against a reference loop that maps each output index to
// its three operands on its own, over hand-picked shape triples (each path:
// same shape, scalars, rows, columns, rank 4, empty) and random
// broadcastable ones; NaN conditions; in place; the error messages.
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

// A condition of 1s and 0s (and a few other non-zero values).
Tensor condition(Rng& rng, const Shape& s, DType t) {
  Tensor c(t, s);
  for (std::int64_t i = 0; i < c.numel(); ++i) {
    const int r = static_cast<int>(rng() % 5);
    c.set(i, r < 2 ? 0 : r < 4 ? 1 : -2.5);
  }
  return c;
}

std::vector<double> reference(const Tensor& c, const Tensor& a, const Tensor& b, const Shape& out) {
  std::vector<double> want;
  for (std::int64_t i = 0; i < out.numel(); ++i) {
    auto idx = unflatten(i, out);
    const double ci = c.at(broadcast_source(idx, c.shape()));
    want.push_back(ci != 0 ? a.at(broadcast_source(idx, a.shape()))
                           : b.at(broadcast_source(idx, b.shape())));
  }
  return want;
}

struct Triple {
  Shape c, a, b, out;
};

}  // namespace

TEMPLATE_TEST_CASE("where matches a broadcasting reference", "[kernels][where]", float, double) {
  const DType t = dtype_of<TestType>();
  Rng rng(40);
  const std::vector<Triple> triples = {
      {Shape{3, 4}, Shape{3, 4}, Shape{3, 4}, Shape{3, 4}},
      {Shape{3, 4}, Shape{}, Shape{3, 4}, Shape{3, 4}},  // where(c, 0, x)
      {Shape{3, 4}, Shape{3, 4}, Shape{}, Shape{3, 4}},
      {Shape{}, Shape{3, 4}, Shape{3, 4}, Shape{3, 4}},   // a scalar condition
      {Shape{5, 7}, Shape{7}, Shape{5, 1}, Shape{5, 7}},  // row and column
      {Shape{4, 1}, Shape{1, 6}, Shape{}, Shape{4, 6}},   // outer
      {Shape{2, 1, 3}, Shape{4, 1}, Shape{3}, Shape{2, 4, 3}},
      {Shape{2, 3, 1, 5}, Shape{3, 4, 1}, Shape{1, 1, 4, 5}, Shape{2, 3, 4, 5}},
      {Shape{1}, Shape{1, 1}, Shape{1, 1, 1}, Shape{1, 1, 1}},
      {Shape{0, 3}, Shape{3}, Shape{}, Shape{0, 3}},
  };
  for (const Triple& tr : triples) {
    Tensor c = condition(rng, tr.c, t), a = random_tensor(rng, tr.a, t),
           b = random_tensor(rng, tr.b, t), out(t, tr.out);
    eq::kernels::where(c.view(), a.view(), b.view(), out.view());
    INFO(tr.c.str() << ", " << tr.a.str() << ", " << tr.b.str());
    CHECK(out.to_vector() == reference(c, a, b, tr.out));  // a choice: exact
  }
  for (int trial = 0; trial < 200; ++trial) {
    Shape out = random_shape(rng, 0, 4, 4);
    auto derive = [&] {
      std::vector<std::int64_t> dims(out.begin(), out.end());
      int drop = std::uniform_int_distribution<int>(0, out.rank())(rng);
      dims.erase(dims.begin(), dims.begin() + drop);
      for (auto& d : dims)
        if (rng() % 3 == 0) d = 1;
      return Shape(std::span<const std::int64_t>(dims));
    };
    Shape sc = derive(), sa = derive(), sb = derive();
    Shape o = eq::kernels::broadcast_shape(sc, eq::kernels::broadcast_shape(sa, sb));
    Tensor c = condition(rng, sc, t), a = random_tensor(rng, sa, t), b = random_tensor(rng, sb, t),
           r(t, o);
    eq::kernels::where(c.view(), a.view(), b.view(), r.view());
    INFO(sc.str() << ", " << sa.str() << ", " << sb.str());
    CHECK(r.to_vector() == reference(c, a, b, o));
  }
}

TEMPLATE_TEST_CASE("where: NaN conditions take a; in place over any full-shape operand",
                   "[kernels][where]", float, double) {
  const DType t = dtype_of<TestType>();
  Tensor c = Tensor::from(Shape{4}, {NAN, 0, -0.0, 1}, t);
  Tensor a = Tensor::from(Shape{4}, {1, 2, 3, 4}, t),
         b = Tensor::from(Shape{4}, {-1, -2, -3, -4}, t);
  Tensor out(t, Shape{4});
  eq::kernels::where(c.view(), a.view(), b.view(), out.view());
  CHECK(out.to_vector() == std::vector<double>{1, -2, -3, 4});  // -0 == 0
  Rng rng(41);
  for (int which = 0; which < 3; ++which) {
    Tensor cc = condition(rng, Shape{3, 5}, t), aa = random_tensor(rng, Shape{3, 5}, t),
           bb = random_tensor(rng, Shape{5}, t);
    auto want = reference(cc, aa, bb, Shape{3, 5});
    Tensor& into = which == 0 ? cc : aa;
    eq::kernels::where(cc.view(), aa.view(), bb.view(), into.view());
    INFO("output aliases operand " << which);
    CHECK(into.to_vector() == want);
    if (which == 1) {  // also b as the output, with a broadcast
      Tensor c2 = condition(rng, Shape{3, 5}, t), a2 = random_tensor(rng, Shape{}, t),
             b2 = random_tensor(rng, Shape{3, 5}, t);
      auto want2 = reference(c2, a2, b2, Shape{3, 5});
      eq::kernels::where(c2.view(), a2.view(), b2.view(), b2.view());
      CHECK(b2.to_vector() == want2);
    }
  }
}

TEST_CASE("where names the shapes it cannot combine", "[kernels][where]") {
  Tensor c(DType::f32, Shape{2, 3}), a(DType::f32, Shape{4}), b(DType::f32, Shape{2, 3});
  Tensor out(DType::f32, Shape{2, 3}), d(DType::f64, Shape{2, 3}), wrong(DType::f32, Shape{3, 2});
  CHECK_THROWS_WITH(eq::kernels::where(c.view(), a.view(), b.view(), out.view()),
                    "where: cannot broadcast [2, 3], [4] and [2, 3]");
  CHECK_THROWS_WITH(eq::kernels::where(c.view(), b.view(), b.view(), wrong.view()),
                    "where: [2, 3], [2, 3] and [2, 3] give [2, 3], but the output is [3, 2]");
  CHECK_THROWS_WITH(eq::kernels::where(c.view(), d.view(), b.view(), out.view()),
                    "where: operands must share a dtype; got f64 and f32");
  CHECK_THROWS_WITH(eq::kernels::where(d.view(), b.view(), b.view(), out.view()),
                    "where: operands must share a dtype; got f64 and f32");
}
