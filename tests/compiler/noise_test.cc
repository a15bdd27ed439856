// Noise and dropout (docs/language.md §9) through the pipeline: `noise`
// declarations and dropout(x, p) lowered to the noise rows of the op table,
// compiled to the Philox kernels, removed from programs that do not train.
// Numbers are checked against the distributions' own moments, with
// tolerances of five standard errors for the sample size drawn.
#include <catch2/catch.hpp>
#include <cmath>
#include <cstring>
#include <set>

#include "eq/compiler/ir/printer.hpp"
#include "eq/compiler/lower/model.hpp"
#include "eq/compiler/lower/unroll.hpp"
#include "eq/compiler/machine.hpp"
#include "eq/runtime/error.hpp"
#include "gradcheck.hpp"

using namespace eq;
using namespace eq::ir;

namespace {

// Sample mean and (population) variance.
struct Moments {
  double mean = 0, var = 0;
  std::int64_t n = 0;
};
Moments moments(const Tensor& t) {
  Moments m;
  m.n = t.numel();
  for (std::int64_t i = 0; i < m.n; ++i) m.mean += t.at(i);
  m.mean /= static_cast<double>(m.n);
  for (std::int64_t i = 0; i < m.n; ++i) m.var += (t.at(i) - m.mean) * (t.at(i) - m.mean);
  m.var /= static_cast<double>(m.n);
  return m;
}

const char* kNoisy = R"(input x : [1]
noise ε : [50] ~ normal(2, 3)
noise u : [50] ~ uniform(-1, 3)
a = x + ε
b = x + u
output a, b
)";

struct Compiled {
  Model model;
  Machine vm;
  Node a, b;
};

Compiled compile_noisy(DType dtype = DType::f64) {
  ModelOptions o;
  o.dtype = dtype;
  Model m = Model::from_source("m.eq", kNoisy, o);
  Node a = m.values().at("a"), b = m.values().at("b");
  Machine vm(compile(m.graph(), {a, b}));
  return {std::move(m), std::move(vm), a, b};
}

void let_zeros(Compiled& c, std::int64_t batch) {
  c.vm.let(c.model.inputs()[0].node, Tensor(c.model.graph().dtype(), Shape{batch, 1}));
}

}  // namespace

TEST_CASE("noise declarations draw their distributions, per example", "[noise]") {
  for (DType dtype : {DType::f32, DType::f64}) {
    INFO(dtype_name(dtype));
    Compiled c = compile_noisy(dtype);
    let_zeros(c, 200);
    c.vm.runtime().set_noise(11, 5);
    c.vm.run();
    const Tensor a = c.vm.value(c.a), b = c.vm.value(c.b);
    REQUIRE(a.shape() == Shape{200, 50});
    // normal(2, 3): the mean's standard error is σ/√n, the variance's σ²·√(2/n).
    const Moments na = moments(a);
    const double n = static_cast<double>(na.n);
    CHECK(std::abs(na.mean - 2) < 5 * 3 / std::sqrt(n));
    CHECK(std::abs(na.var - 9) < 5 * 9 * std::sqrt(2 / n));
    // uniform(-1, 3): mean 1, variance 4²/12; the variance's standard error is
    // √((μ₄ − σ⁴)/n) with μ₄ = 4⁴/80.
    const Moments nb = moments(b);
    CHECK(std::abs(nb.mean - 1) < 5 * std::sqrt(16.0 / 12 / n));
    CHECK(std::abs(nb.var - 16.0 / 12) < 5 * std::sqrt((256.0 / 80 - 256.0 / 144) / n));
    double lo = 1e9, hi = -1e9;
    for (std::int64_t i = 0; i < b.numel(); ++i)
      lo = std::min(lo, b.at(i)), hi = std::max(hi, b.at(i));
    CHECK(lo >= -1);
    CHECK(hi <= 3);
    // Neighbouring elements, and the same element of neighbouring examples,
    // are uncorrelated (within five standard errors of 0, 1/√n).
    double along = 0, across = 0;
    for (std::int64_t r = 0; r < 200; ++r)
      for (std::int64_t j = 0; j < 50; ++j) {
        const double z = (a.at(r * 50 + j) - na.mean) / std::sqrt(na.var);
        if (j + 1 < 50) along += z * (a.at(r * 50 + j + 1) - na.mean) / std::sqrt(na.var);
        if (r + 1 < 200) across += z * (a.at((r + 1) * 50 + j) - na.mean) / std::sqrt(na.var);
      }
    CHECK(std::abs(along / (200 * 49)) < 5 / std::sqrt(200.0 * 49));
    CHECK(std::abs(across / (199 * 50)) < 5 / std::sqrt(199.0 * 50));
  }
}

TEST_CASE("a draw depends on the seed, the step and the example alone", "[noise]") {
  Compiled c = compile_noisy();
  auto draw = [&](std::int64_t batch, std::uint64_t seed, std::uint64_t step, std::int64_t first) {
    let_zeros(c, batch);
    c.vm.runtime().set_noise(seed, step, first);
    c.vm.run();
    return std::pair{c.vm.value(c.a), c.vm.value(c.b)};
  };
  const auto [a6, b6] = draw(6, 1, 2, 0);
  // The same key again: the same numbers (a run draws afresh from its key, not from a state).
  const auto [again, b_again] = draw(6, 1, 2, 0);
  CHECK(std::memcmp(a6.raw(), again.raw(), a6.bytes()) == 0);
  // Examples 4 and 5 of that batch, drawn as a batch of 2 from row 4.
  const auto [a2, b2] = draw(2, 1, 2, 4);
  CHECK(std::memcmp(a2.raw(), static_cast<const char*>(a6.raw()) + 4 * 50 * 8, a2.bytes()) == 0);
  CHECK(std::memcmp(b2.raw(), static_cast<const char*>(b6.raw()) + 4 * 50 * 8, b2.bytes()) == 0);
  // Another step, another seed: other numbers; the two noises differ from each other.
  const auto [step3, b_step3] = draw(6, 1, 3, 0);
  const auto [seed9, b_seed9] = draw(6, 9, 2, 0);
  int same_step = 0, same_seed = 0;
  for (std::int64_t i = 0; i < a6.numel(); ++i) {
    same_step += a6.at(i) == step3.at(i);
    same_seed += a6.at(i) == seed9.at(i);
  }
  CHECK(same_step == 0);
  CHECK(same_seed == 0);
}

TEST_CASE("dropout is in the training program only, and drops with probability p", "[noise]") {
  Model m = Model::from_source("m.eq", R"(input x : [400]
y = dropout(2x, 0.3)
output y
)",
                               [] {
                                 ModelOptions o;
                                 o.dtype = DType::f64;
                                 return o;
                               }());
  const Node y = m.values().at("y");
  CompileOptions training;
  training.training = true;
  Machine train(compile(m.graph(), {y}, training));
  Machine infer(compile(m.graph(), {y}));
  auto has_dropout = [](const Program& p) {
    for (const runtime::Instruction& ins : p.tape.code)
      if (ins.kernel == runtime::Kernel::dropout) return true;
    return false;
  };
  CHECK(has_dropout(train.program()));
  CHECK_FALSE(has_dropout(infer.program()));
  CHECK(print_ir(m.graph(), infer.program().roots).find("dropout") == std::string::npos);
  CHECK(print_ir(m.graph(), train.program().roots).find("dropout_mask[0.3; stream 0]") !=
        std::string::npos);
  // -O0 too: removing dropout is needed for correctness, not speed.
  CompileOptions o0;
  o0.opt_level = 0;
  CHECK_FALSE(has_dropout(compile(m.graph(), {y}, o0)));

  Tensor x(DType::f64, Shape{25, 400});
  for (std::int64_t i = 0; i < x.numel(); ++i) x.set(i, 1 + static_cast<double>(i % 7));
  const Node in = m.inputs()[0].node;
  infer.let(in, x);
  infer.run();
  const Tensor plain = infer.value(y);
  for (std::int64_t i = 0; i < x.numel(); ++i) REQUIRE(plain.at(i) == 2 * x.at(i));
  train.let(in, x);
  train.runtime().set_noise(4, 1);
  train.run();
  const Tensor dropped = train.value(y);
  std::int64_t zeros = 0;
  for (std::int64_t i = 0; i < x.numel(); ++i) {
    if (dropped.at(i) == 0) {
      ++zeros;
      continue;
    }
    REQUIRE(dropped.at(i) == Approx(2 * x.at(i) / 0.7).epsilon(1e-15));
  }
  // Binomial(n, 0.3): five standard errors √(p(1 − p)/n) around p.
  const double n = static_cast<double>(x.numel());
  CHECK(std::abs(static_cast<double>(zeros) / n - 0.3) < 5 * std::sqrt(0.3 * 0.7 / n));
}

TEST_CASE("the reparametrised sample differentiates through μ and s, not the draw",
          "[noise][autodiff]") {
  Graph g(DType::f64);
  std::mt19937 rng(5);
  eq::testing::Leaves leaves;
  Node mu = g.input("μ", Shape{4}), s = g.input("s", Shape{4});
  leaves.add(mu, eq::testing::random_tensor(Shape{3, 4}, rng, -1, 1));
  leaves.add(s, eq::testing::random_tensor(Shape{3, 4}, rng, -1, 1));
  Node eps = random_normal(g, IShape::batched(Shape{4}), 0, 1, 0);
  Node z = mu + exp(s / 2.0) * eps;
  Node loss = sum(square(z - 0.5) + dropout(z, 0.25, 1), 0);
  CHECK(eq::testing::gradient_error(loss, leaves, {mu, s}) < 1e-6);
}

TEST_CASE("each step of an unrolled window draws its own noise", "[noise][time]") {
  Model m = Model::from_source("m.eq", R"(dim V = 3
input xₜ : onehot[V]
noise ε : [2] ~ normal(0, 1)
param W : [2, V] ~ glorot
hₜ = tanh(W·xₜ + hₜ₋₁ + dropout(ε, 0.5))
output hₜ
)");
  Window w = unroll(m, 3);
  std::vector<std::set<std::uint64_t>> streams(3);
  for (int t = 0; t < 3; ++t) {
    const std::vector<char> reach =
        reachable(m.graph(), {w.values.at("hₜ")[static_cast<std::size_t>(t)]});
    for (NodeId id = 0; id < m.graph().size(); ++id) {
      const Node n = m.graph().node(id);
      if (!reach[static_cast<std::size_t>(id)] || !is_noise(n.op())) continue;
      // hₜ reads the steps before it: keep the noise of step t alone.
      const std::uint64_t step = n.attrs().stream >> 32;
      if (step == static_cast<std::uint64_t>(t))
        streams[static_cast<std::size_t>(t)].insert(n.attrs().stream);
    }
  }
  // ε is stream 0, the dropout stream 1; step t adds t·2³².
  for (std::uint64_t t = 0; t < 3; ++t)
    CHECK(streams[t] == std::set<std::uint64_t>{(t << 32) + 0, (t << 32) + 1});
}
