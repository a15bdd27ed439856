// The C++ API as a program uses it (issue 11): parameters made with their
// initialiser, an Optimizer that takes the learnables, and user mistakes —
// a leaf name that does not exist, a null node, an input never given, a
// non-parameter used as one — reported as eq::Errors that name the thing.
#include <catch2/catch.hpp>
#include <cmath>

#include "eq/compiler/autodiff/grad.hpp"
#include "eq/compiler/ir/builders.hpp"
#include "eq/compiler/machine.hpp"
#include "eq/compiler/optimizer.hpp"
#include "eq/runtime/error.hpp"
#include "eq/runtime/init.hpp"

using namespace eq;
using Catch::Matchers::Contains;
using Catch::Matchers::Equals;
using Catch::Matchers::StartsWith;
using ir::Graph;
using ir::Node;

namespace {

// y = w·x + b with the squared error, x: [1], over a fixed batch.
struct Linreg {
  Graph g{DType::f64};
  Node x = g.input("x", {1});
  Node y = g.input("y", {1});
  Node w = g.param("w", {1, 1}, init::constant(0.25));
  Node b = g.param("b", {1}, init::constant(-0.5));
  Node loss = ir::sum(ir::sum(ir::square(ir::matmul(x, w, false, true) + b - y)), 0);
};

Tensor column(std::initializer_list<double> v) {
  Tensor t(DType::f64, {static_cast<std::int64_t>(v.size()), 1});
  std::int64_t i = 0;
  for (double d : v) t.set(i++, d);
  return t;
}

}  // namespace

TEST_CASE("a param's initialiser is kept by the graph and used by Machine::initialize", "[api]") {
  Graph g;
  Node a = g.param("a", {3, 4}, init::glorot);
  Node c = g.param("c", {5}, init::constant(0.5));
  Node free = g.param("free", {2});
  REQUIRE(g.initializer(a) != nullptr);
  CHECK(*g.initializer(a) == init::glorot());
  CHECK(g.initializer(free) == nullptr);

  Machine vm(compile(g, {a + 1.0, c * 2.0, free - 1.0}));
  Tensor set(DType::f32, {2});
  set.set(0, 7);
  set.set(1, 8);
  vm.set_param(free, set);
  Rng rng(3);
  CHECK(vm.initialize(rng) == 2);

  // The same draws as initialize() on a tensor from an equal generator.
  Rng again(3);
  Tensor want(DType::f32, {3, 4});
  initialize(init::glorot(), want, again);
  const Tensor got = vm.value(a);
  for (std::int64_t i = 0; i < 12; ++i) CHECK(got.at(i) == want.at(i));
  for (std::int64_t i = 0; i < 5; ++i) CHECK(vm.value(c).at(i) == 0.5);
  CHECK(vm.value(free).at(0) == 7);  // no initialiser: left as set
  CHECK(vm.value(free).at(1) == 8);
}

TEST_CASE("an Optimizer steps the learnables as the Solver does by position", "[api]") {
  // Hand-derived first step: x = (1, 2), y = (3, 5), w = 0.25, b = -0.5,
  // residuals r = w·x + b − y = (−3.25, −5); ∂/∂w = Σ 2r·x = −26.5,
  // ∂/∂b = Σ 2r = −16.5; SGD with lr 0.01: w = 0.515, b = −0.335.
  Linreg m;
  auto learn = learnables(m.loss, m.g.params());
  REQUIRE(learn.size() == 2);
  CHECK(learn[0].param == m.w);
  Machine vm(compile(m.g, with_gradients({m.loss}, learn)));
  Rng rng(0);
  vm.initialize(rng);
  Optimizer opt(vm, SolverConfig::sgd(0.01), learn);
  vm.let(m.x, column({1, 2}));
  vm.let(m.y, column({3, 5}));
  vm.run();
  CHECK(vm.value(learn[0].grad).at(0) == Approx(-26.5));
  CHECK(vm.value(learn[1].grad).at(0) == Approx(-16.5));
  opt.step();
  CHECK(vm.value(m.w).at(0) == Approx(0.515));
  CHECK(vm.value(m.b).at(0) == Approx(-0.335));

  // Trained on, it reaches the least-squares line y = 2x + 1.
  vm.let(m.x, column({1, 2, 3, 4}));
  vm.let(m.y, column({3, 5, 7, 9}));
  for (int i = 0; i < 3000; ++i) {
    vm.run();
    opt.step();
  }
  CHECK(vm.value(m.w).at(0) == Approx(2).margin(1e-4));
  CHECK(vm.value(m.b).at(0) == Approx(1).margin(1e-4));
}

TEST_CASE("an Optimizer needs its gradients compiled as outputs", "[api]") {
  Linreg m;
  auto learn = learnables(m.loss, m.g.params());
  Machine vm(compile(m.g, {m.loss}));
  // Naming the parameter and the call that compiles its gradient (it said
  // "node %10 is not part of this program"; an API audit).
  CHECK_THROWS_WITH(Optimizer(vm, SolverConfig::sgd(0.1), learn),
                    StartsWith("Optimizer: the gradient of w is not an output of this Machine's "
                               "program: compile it with eq::with_gradients("));
  CHECK_THROWS_WITH(learnables(m.loss, {m.x}),
                    Equals("learnables: 'x' is not a parameter (make it with Graph::param)"));
}

TEST_CASE("leaf() finds any spelling and names the nearest leaf when it finds none", "[api]") {
  Graph g;
  Node w = g.param("Wᵢ", {2, 2});
  g.input("xₜ", {2});
  CHECK(g.leaf("W_i") == w);
  CHECK(g.leaf("W_{i}") == w);
  CHECK_FALSE(g.find_leaf("Wi"));
  CHECK_THROWS_WITH(g.leaf("W_j"),
                    Equals("this graph has no input or parameter named 'W_j'; did you mean 'Wᵢ'?"));
  CHECK_THROWS_WITH(g.leaf("completely_else"),
                    Equals("this graph has no input or parameter named 'completely_else'"));
  CHECK_THROWS_WITH(g.param("W_i", {1}), Contains("already an input or parameter"));
  // The other way round: a leaf made as "W_k" is found as "Wₖ", and no
  // second leaf takes that name (it was: two leaves, two solver states).
  Node k = g.param("W_k", {2});
  CHECK(g.leaf("Wₖ") == k);
  CHECK(g.leaf("W_{k}") == k);
  CHECK_THROWS_WITH(g.param("Wₖ", {3}), Contains("already an input or parameter"));
  CHECK_THROWS_WITH(g.input("W_{k}", {3}), Contains("already an input or parameter"));
}

TEST_CASE("an index out of range is the caller's error, not eq's", "[api]") {
  Graph g;
  Node x = g.input("x", {2});
  Node t = ir::tanh(x);
  CHECK(t.input(0) == x);
  CHECK_THROWS_WITH(t.input(1), Equals("input(1) of %1 (tanh): it has 1 input, 0 to 0"));
  CHECK_THROWS_WITH(x.input(0), Equals("input(0) of 'x' (input): it has 0 inputs"));
  Tensor v = Tensor::from(Shape{2, 3}, {1, 2, 3, 4, 5, 6}, DType::f32);
  CHECK(v.at(5) == 6);
  // Was an eq::InternalError, "a bug in eq, not in your model".
  CHECK_THROWS_AS(v.at(6), Error);
  CHECK_THROWS_WITH(v.at(6),
                    Equals("element 6 of a tensor of [2, 3], which has 6 elements (0 to 5)"));
  CHECK_THROWS_WITH(v.set(-1, 0),
                    Equals("element -1 of a tensor of [2, 3], which has 6 elements (0 to 5)"));
}

TEST_CASE("learnables differentiate a stable loss: log(softmax) far apart keeps a finite gradient",
          "[api]") {
  // The loss as a paper writes it: −Σ y·log(softmax(W·x)), with logits
  // 1000 apart. grad() of it as written is 0·∞ = NaN; learnables()
  // differentiates it after the forward rewrites (logsoftmax), as eqc does.
  Graph g;
  Node x = g.input("x", {2});
  Node y = g.input("y", {3});
  Node w = g.param("W", {3, 2});
  Node loss = -ir::sum(y * ir::log(ir::softmax(ir::matmul(x, w, false, true))), 1);
  std::vector<Learnable> learn = learnables(loss, {w});
  Machine vm(compile(g, with_gradients({loss}, learn)));
  vm.param(w).as<float>()[0] = 1;  // W = [[1, 0], [0, 0], [-1, 0]]: logits 1000, 0, −1000
  vm.param(w).as<float>()[1] = 0;
  for (int i = 2; i < 6; ++i) vm.param(w).as<float>()[i] = i == 4 ? -1 : 0;
  const float xs[] = {1000, 0}, ys[] = {0, 0, 1};
  vm.let(x, ConstView(DType::f32, Shape{1, 2}, xs));
  vm.let(y, ConstView(DType::f32, Shape{1, 3}, ys));
  vm.run();
  // ∂/∂W of −log softmax(z)₂ with z = W·x: (softmax(z) − y) xᵀ = rows [1, 0, −1]·1000 in column 0.
  const Tensor dw = vm.value(learn[0].grad);
  CHECK(dw.at(0) == Approx(1000));
  CHECK(dw.at(2) == Approx(0).margin(1e-3));
  CHECK(dw.at(4) == Approx(-1000));
  for (std::int64_t i = 0; i < dw.numel(); ++i) CHECK(std::isfinite(dw.at(i)));
  CHECK(vm.value(loss).at(0) == Approx(2000));
}

TEST_CASE("learnables keep dropout in the gradients of a training program", "[api]") {
  // Optimised as an inference program, dropout became x and the gradient
  // lost its mask (found in review).
  Graph g;
  Node x = g.input("x", {8});
  Node w = g.param("W", {8});
  Node loss = ir::sum(ir::sum(ir::dropout(x * w, 0.5, 1), 1), 0);
  std::vector<Learnable> learn = learnables(loss, {w});
  CompileOptions training;
  training.training = true;
  Machine vm(compile(g, with_gradients({loss}, learn), training));
  for (int i = 0; i < 8; ++i) vm.param(w).as<float>()[i] = 1;
  const float ones[] = {1, 1, 1, 1, 1, 1, 1, 1};
  vm.let(x, ConstView(DType::f32, Shape{1, 8}, ones));
  vm.run();
  // Each element kept is scaled by 1/(1 − p) = 2, each dropped is 0: the
  // gradient is the mask, and the loss is its sum.
  const Tensor dw = vm.value(learn[0].grad);
  double total = 0;
  for (std::int64_t i = 0; i < 8; ++i) {
    CHECK((dw.at(i) == 0 || dw.at(i) == 2));
    total += dw.at(i);
  }
  CHECK(total == Approx(vm.value(loss).at(0)));
  CHECK(total < 16);  // some element dropped (p = 0.5 over 8: all kept has p 1/256)
}

TEST_CASE("a null node is a user error and not an internal one", "[api]") {
  Graph g;
  Node x = g.input("x", {2});
  Node null;
  CHECK_THROWS_WITH(ir::add(x, null), Contains("this eq::Node is null"));
  CHECK_THROWS_WITH(compile(g, {null}), Contains("an output is a null eq::Node"));
  CHECK_THROWS_WITH(null.shape(), Contains("this eq::Node is null"));
  // concat of nothing crashed, and of a null part returned it (an API audit).
  CHECK_THROWS_WITH(ir::concat({}), Equals("concat of no parts: give it at least one node"));
  CHECK_THROWS_WITH(ir::concat({null}), Contains("a part of concat is a null eq::Node"));
}

TEST_CASE("a wrong axis or arity from a program is its mistake, not eq's", "[api]") {
  // They were eq::InternalErrors ("This is a bug in eq"), which a catch of
  // eq::Error misses (an API audit).
  Graph g;
  Node x = g.param("x", {6});
  CHECK_THROWS_AS(ir::slice(x, 1, 0, 2), Error);
  CHECK_THROWS_WITH(ir::slice(x, 1, 0, 2),
                    Equals("slice: axis 1 is out of range for [6] (axes 0 to 0)"));
  CHECK_THROWS_WITH(ir::unslice(x, -1, 0, 8),
                    Equals("unslice: axis -1 is out of range for [6] (axes 0 to 0)"));
  CHECK_THROWS_WITH(g.make(ir::Op::add, {x}), Equals("add takes 2 inputs; got 1"));
  CHECK_THROWS_WITH(g.make(ir::Op::input, {}), Contains("is a leaf: make it with Graph::input"));
}

TEST_CASE("run() names an input that was never given", "[api]") {
  Linreg m;
  Machine vm(compile(m.g, {m.loss}));
  vm.let(m.x, column({1, 2}));
  CHECK_THROWS_WITH(vm.run(), Equals("input 'y' was never given a value: call let() on it before "
                                     "run()"));
  vm.let(m.y, column({3, 5}));
  CHECK_NOTHROW(vm.run());
  CHECK_THROWS_WITH(vm.param(m.x), Equals("'x' is not a parameter; only parameters have storage "
                                          "to set"));
}

// Node ids are per graph: a node of another graph that happens to have an
// id of this program would read or write something else, silently.
TEST_CASE("a node of another graph is refused, not read as this graph's node", "[api]") {
  Linreg m, other;
  Machine vm(compile(m.g, {m.loss}));
  Rng rng(1);
  vm.initialize(rng);
  vm.let(m.x, column({1, 2}));
  vm.let(m.y, column({3, 5}));
  vm.run();
  const std::string another =
      "belongs to another eq::Graph than the one this program was "
      "compiled from";
  CHECK_THROWS_WITH(vm.value(other.loss), Contains(another));
  CHECK_THROWS_WITH(vm.let(other.x, column({1})), Equals("node 'x' " + another));
  CHECK_THROWS_WITH(vm.param(other.w), Equals("node 'w' " + another));
  CHECK_THROWS_WITH(compile(m.g, {other.loss}),
                    Contains("compile: output %") && Contains("belongs to another eq::Graph"));
  CHECK_THROWS_WITH(
      grad(m.loss, {other.w}),
      Equals("grad: 'w' belongs to another eq::Graph than %" + std::to_string(m.loss.id())));
  // This program's own nodes still read what they did.
  CHECK(vm.value(m.w).at(0) == 0.25);
}

TEST_CASE("let() takes inputs only", "[api]") {
  Linreg m;
  Node hidden = ir::matmul(m.x, m.w, false, true);
  Machine vm(compile(m.g, {m.loss, hidden}));
  Tensor one(DType::f64, {1, 1});
  CHECK_THROWS_WITH(vm.let(m.w, one), Equals("let: 'w' is not an input of the program; only "
                                             "inputs take data (set a parameter with set_param)"));
  CHECK_THROWS_WITH(vm.let(hidden, one), Contains("is not an input of the program"));
}

TEST_CASE("a value read before the first run is an error, a parameter's is not", "[api]") {
  Linreg m;
  Machine vm(compile(m.g, {m.loss}));
  Rng rng(1);
  vm.initialize(rng);
  CHECK(vm.value(m.b).at(0) == -0.5);  // parameters have values from the start
  CHECK_THROWS_WITH(vm.value(m.loss), Equals("node %" + std::to_string(m.loss.id()) +
                                             " has no value yet: let the inputs and run() first"));
  CHECK_THROWS_WITH(vm.view(m.x), Equals("node 'x' has no value yet: let the inputs and run() "
                                         "first"));
  vm.let(m.x, column({1, 2}));
  CHECK(vm.value(m.x).at(1) == 2.0);  // an input once let
  vm.let(m.y, column({3, 5}));
  // Let but not run: the storage is there, its contents are not the loss.
  CHECK_THROWS_WITH(vm.value(m.loss), Contains("has no value yet"));
  vm.run();
  // (0.25·1 − 0.5 − 3)² + (0.25·2 − 0.5 − 5)² = 10.5625 + 25
  CHECK(vm.value(m.loss).at(0) == Approx(35.5625));
  // A new batch let makes the last run's loss stale until the next run.
  vm.let(m.x, column({0, 0}));
  CHECK_THROWS_WITH(vm.value(m.loss), Contains("has no value yet"));
  vm.run();
  // (−0.5 − 3)² + (−0.5 − 5)² = 12.25 + 30.25
  CHECK(vm.value(m.loss).at(0) == Approx(42.5));
}
