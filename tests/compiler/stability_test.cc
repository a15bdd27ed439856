// The numerical effect of stabilisation, in float32: each formula is wrong
// (or not finite) at -O0 and right with the passes, against values derived
// by hand. Callers that differentiate run optimize() before grad().
#include <catch2/catch.hpp>
#include <cmath>

#include "eq/compiler/autodiff/grad.hpp"
#include "eq/compiler/machine.hpp"
#include "eq/compiler/parser.hpp"

using namespace eq;
using namespace eq::ir;

namespace {

CompileOptions level(int opt) {
  CompileOptions o;
  o.opt_level = opt;
  return o;
}

// loss and ∂loss/∂wrt, compiled at `opt`, with the loss optimised before grad.
struct Compiled {
  Node loss;
  std::vector<Node> grads;
  Machine vm;
};
Compiled differentiate(Graph& g, Node loss, const std::vector<Node>& wrt, int opt) {
  Node l = optimize(g, {loss}, level(opt))[0];
  std::vector<Node> grads = grad(l, wrt);
  std::vector<Node> outputs{l};
  outputs.insert(outputs.end(), grads.begin(), grads.end());
  return Compiled{l, grads, Machine(compile(g, outputs, level(opt)))};
}

}  // namespace

TEST_CASE("log(1 + x) at x = 1e-12 is right to 1e-6 with the passes, not without",
          "[passes][numerics]") {
  Graph g;  // f32
  Parser p(g);
  Node x = g.input("x", Shape{});
  p.set("x", x);
  Node y = p.parse("log(1 + x)");
  Tensor in(DType::f32, Shape{1});
  in.set(0, 1e-12);
  double exact = std::log1p(static_cast<double>(static_cast<float>(1e-12)));
  for (int opt : {0, 1}) {
    Machine vm(compile(g, {y}, level(opt)));
    vm.let(x, in);
    vm.run();
    double got = vm.value(y).at(0);
    double err = std::abs(got - exact) / exact;
    INFO("-O" << opt << ": " << got);
    if (opt == 0)
      CHECK(err > 0.5);  // 1 + 1e-12 rounds to 1: log gives 0
    else
      CHECK(err < 1e-6);
  }
}

TEST_CASE("cross-entropy -Σ(y·log(softmax z)) with logits of ±1000 has a finite loss and gradient",
          "[passes][numerics]") {
  Graph g;
  Parser p(g);
  Node x = g.input("x", Shape{2});
  Node y = g.input_onehot("y", 3);
  Node W = g.param("W", Shape{3, 2});
  p.set("x", x);
  p.set("y", y);
  p.set("W", W);
  Node loss = p.parse("-Σ(y*log(softmax(W·x)))");
  // Logits W·x = (1000, -1000, 0) for x = (1, 0); the target is class 1.
  Tensor w(DType::f32, Shape{3, 2}), xs(DType::f32, Shape{1, 2}), ys(DType::i32, Shape{1});
  for (int i = 0; i < 6; ++i) w.set(i, 0);
  w.set(0, 1000);
  w.set(2, -1000);
  xs.set(0, 1);
  xs.set(1, 0);
  ys.set(0, 1);
  for (int opt : {0, 1}) {
    Compiled c = differentiate(g, loss, {W}, opt);
    c.vm.set_param(W, w);
    c.vm.let(x, xs);
    c.vm.let(y, ys);
    c.vm.run();
    double l = c.vm.value(c.loss).at(0);
    Tensor dW = c.vm.value(c.grads[0]);
    bool finite = std::isfinite(l);
    for (std::int64_t i = 0; i < dW.numel(); ++i) finite = finite && std::isfinite(dW.at(i));
    INFO("-O" << opt << ": loss " << l);
    if (opt == 0) {
      CHECK_FALSE(finite);
      continue;
    }
    REQUIRE(finite);
    // loss = log Σ e^z - z₁ = 1000 - (-1000) = 2000 (the other terms vanish).
    CHECK(l == Approx(2000).epsilon(1e-6));
    // ∂loss/∂W = (softmax z - y) xᵀ = ((1, 0, 0) - (0, 1, 0)) ⊗ (1, 0).
    const double expect[6] = {1, 0, -1, 0, 0, 0};
    for (int i = 0; i < 6; ++i) CHECK(dW.at(i) == Approx(expect[i]).margin(1e-6));
  }
}

TEST_CASE("log(σ(x)) at x = -800 is finite, and so is its gradient", "[passes][numerics]") {
  Graph g;
  Parser p(g);
  Node a = g.param("a", Shape{});
  p.set("a", a);
  Node y = p.parse("log(σ(a))");
  Tensor v(DType::f32, Shape{});
  v.set(0, -800);
  for (int opt : {0, 1}) {
    Compiled c = differentiate(g, y, {a}, opt);
    c.vm.set_param(a, v);
    c.vm.run();
    double l = c.vm.value(c.loss).at(0), d = c.vm.value(c.grads[0]).at(0);
    INFO("-O" << opt << ": " << l << ", " << d);
    if (opt == 0) {
      CHECK(std::isinf(l));  // σ(-800) underflows to 0
      continue;
    }
    // log σ(x) = -softplus(-x) = x - log1p(e^x) ≈ -800; d/dx = 1 - σ(x) ≈ 1.
    CHECK(l == Approx(-800).epsilon(1e-7));
    CHECK(d == Approx(1).epsilon(1e-7));
  }
}
