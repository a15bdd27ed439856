// Learning through the C++ API: graphs built with eq::Parser, gradients from
// eq::grad, updates from eq::Solver. XOR with a two-layer perceptron, softmax
// regression on iris, and a Hessian–vector product (the gradient of a
// gradient) against finite differences of the gradient.
#include <catch2/catch.hpp>
#include <cmath>
#include <cstdlib>

#include "eq/compiler/autodiff/grad.hpp"
#include "eq/compiler/machine.hpp"
#include "eq/compiler/parser.hpp"
#include "eq/runtime/data.hpp"
#include "eq/runtime/init.hpp"
#include "eq/runtime/solvers.hpp"
#include "gradcheck.hpp"

using namespace eq;

namespace {

// Compiles mean(loss) and its gradients, initialises the params, and returns
// a Machine plus a Solver stepping them.
struct Trainer {
  Node objective;
  std::vector<Node> params, grads;
  std::unique_ptr<Machine> vm;
  std::unique_ptr<Solver> solver;

  Trainer(Graph& g, Node loss, std::vector<Node> ps, const std::vector<Initializer>& inits,
          SolverConfig config, std::uint64_t seed, std::vector<Node> also = {})
      : params(std::move(ps)) {
    objective = ir::sum(loss, 0) / ir::batch_size(loss);
    grads = grad(objective, params);
    std::vector<Node> outputs{objective};
    outputs.insert(outputs.end(), grads.begin(), grads.end());
    outputs.insert(outputs.end(), also.begin(), also.end());
    vm = std::make_unique<Machine>(compile(g, outputs));
    Rng rng(seed);
    std::vector<SolverParam> sp;
    for (std::size_t i = 0; i < params.size(); ++i) {
      initialize(inits[i], vm->param(params[i]), rng);
      sp.push_back({params[i].name(), vm->param(params[i])});
    }
    solver = std::make_unique<Solver>(config, sp);
  }

  double step() {
    vm->run();
    std::vector<ConstView> gv;
    for (const Node& g : grads) gv.push_back(vm->view(g));
    solver->step(gv);
    return vm->value(objective).at(0);
  }
};

}  // namespace

TEST_CASE("a two-layer perceptron learns XOR through the Parser", "[learn]") {
  Graph g;
  Parser p(g);
  Node x = g.input("x", Shape{2});
  Node y = g.input("y", Shape{});
  p.set("x", x);
  p.set("y", y);
  std::vector<Node> params = {g.param("W₁", Shape{8, 2}), g.param("b₁", Shape{8}),
                              g.param("W₂", Shape{1, 8}), g.param("b₂", Shape{1})};
  for (Node n : params) p.set(n.name(), n);
  p.define("h = tanh(W₁·x + b₁)");
  p.define("ŷ = σ(Σ(W₂·h + b₂))");
  Node loss = p.define("loss = -(y*log(ŷ) + (1 - y)*log(1 - ŷ))");
  Trainer t(g, loss, params, {init::glorot(), init::constant(0), init::glorot(), init::constant(0)},
            SolverConfig::adam(0.05), 7, {p.get("ŷ")});
  t.vm->let(x, Tensor::from(Shape{4, 2}, {0, 0, 0, 1, 1, 0, 1, 1}));
  t.vm->let(y, Tensor::from(Shape{4}, {0, 1, 1, 0}));
  double first = t.step(), last = first;
  int steps = 1;
  while (steps < 2000 && last >= 0.01) {
    last = t.step();
    ++steps;
  }
  INFO("loss " << first << " → " << last << " after " << steps << " Adam steps");
  CHECK(last < 0.01);
  // The predictions are right, and confidently so.
  t.vm->run();
  Tensor yhat = t.vm->value(p.get("ŷ"));
  CHECK(yhat.at(0) < 0.05);
  CHECK(yhat.at(1) > 0.95);
  CHECK(yhat.at(2) > 0.95);
  CHECK(yhat.at(3) < 0.05);
}

TEST_CASE("softmax regression on iris reaches 95% training accuracy", "[learn]") {
  const char* root = std::getenv("EQ_SOURCE_DIR");
  REQUIRE(root != nullptr);
  CsvTable table = load_csv(std::string(root) + "/tests/data/iris.csv");
  Tensor features = table.numbers(table.select(ColumnSelector::parse("0:4")));
  auto classes = table.classes(table.select(ColumnSelector::parse("label"))[0]);
  const std::int64_t n = features.shape()[0];
  // Standardise the features (statistics of the whole set; this is a fit test).
  for (int j = 0; j < 4; ++j) {
    double mean = 0, sq = 0;
    for (std::int64_t i = 0; i < n; ++i) mean += features.at(i * 4 + j);
    mean /= static_cast<double>(n);
    for (std::int64_t i = 0; i < n; ++i) sq += std::pow(features.at(i * 4 + j) - mean, 2);
    double sd = std::sqrt(sq / static_cast<double>(n));
    for (std::int64_t i = 0; i < n; ++i)
      features.set(i * 4 + j, (features.at(i * 4 + j) - mean) / sd);
  }

  Graph g;
  Parser p(g);
  Node x = g.input("x", Shape{4});
  Node y = g.input_onehot("y", 3);
  Node W = g.param("W", Shape{3, 4}), b = g.param("b", Shape{3});
  p.set("x", x);
  p.set("y", y);
  p.set("W", W);
  p.set("b", b);
  Node yhat = p.define("ŷ = softmax(W·x + b)");
  Node loss = p.define("loss = -Σ(y*log(ŷ))");
  Trainer t(g, loss, {W, b}, {init::glorot(), init::constant(0)}, SolverConfig::adam(0.1), 3,
            {yhat});
  t.vm->let(x, features.to(DType::f32));
  t.vm->let(y, classes.indices);
  for (int i = 0; i < 300; ++i) t.step();
  t.vm->run();
  Tensor probs = t.vm->value(yhat);
  int right = 0;
  for (std::int64_t i = 0; i < n; ++i) {
    int best = 0;
    for (int k = 1; k < 3; ++k)
      if (probs.at(i * 3 + k) > probs.at(i * 3 + best)) best = k;
    right += best == static_cast<int>(classes.indices.at(i));
  }
  double accuracy = static_cast<double>(right) / static_cast<double>(n);
  INFO("training accuracy " << accuracy);
  CHECK(accuracy >= 0.95);
}

TEST_CASE("the gradient of a gradient: a Hessian–vector product of an MLP's loss",
          "[learn][autodiff]") {
  std::mt19937 rng(21);
  Graph g(DType::f64);
  Parser p(g);
  Node x = g.input("x", Shape{3});
  Node t = g.input("t", Shape{2});
  Node W1 = g.param("W₁", Shape{4, 3}), b1 = g.param("b₁", Shape{4}),
       W2 = g.param("W₂", Shape{2, 4});
  for (Node n : {x, t, W1, b1, W2}) p.set(n.name(), n);
  p.define("h = tanh(W₁·x + b₁)");
  p.define("z = W₂·h");
  Node loss = p.define("loss = Σ((z - t)²) + Σ(σ(z))");
  Node L = ir::sum(loss, 0);
  // v is a direction in W₁'s space; H·v = ∂(∂L/∂W₁ · v)/∂W₁.
  Node v = g.param("v", Shape{4, 3});
  Node g1 = grad(L, {W1})[0];
  Node hv = grad(ir::sum(g1 * v, 0), {W1})[0];
  Machine vm(compile(g, {g1, hv}));
  Tensor xv = eq::testing::random_tensor(Shape{5, 3}, rng, -1, 1);
  Tensor tv = eq::testing::random_tensor(Shape{5, 2}, rng, -1, 1);
  Tensor w1 = eq::testing::random_tensor(Shape{4, 3}, rng, -1, 1);
  Tensor vv = eq::testing::random_tensor(Shape{4, 3}, rng, -1, 1);
  vm.let(x, xv);
  vm.let(t, tv);
  vm.set_param(W1, w1);
  vm.set_param(b1, eq::testing::random_tensor(Shape{4}, rng, -1, 1));
  vm.set_param(W2, eq::testing::random_tensor(Shape{2, 4}, rng, -1, 1));
  vm.set_param(v, vv);
  vm.run();
  Tensor analytic = vm.value(hv);
  // Central differences of the gradient along v.
  const double h = 1e-5;
  auto gradient_at = [&](double s) {
    Tensor w = w1;
    for (std::int64_t i = 0; i < w.numel(); ++i) w.set(i, w1.at(i) + s * vv.at(i));
    vm.set_param(W1, w);
    vm.run();
    return vm.value(g1);
  };
  Tensor up = gradient_at(h), down = gradient_at(-h);
  for (std::int64_t i = 0; i < analytic.numel(); ++i) {
    double numeric = (up.at(i) - down.at(i)) / (2 * h);
    INFO("element " << i);
    CHECK(std::abs(analytic.at(i) - numeric) <= 1e-6 * std::max(1.0, std::abs(numeric)));
  }
}
