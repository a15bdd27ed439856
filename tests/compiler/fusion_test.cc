// Elementwise fusion: groups become one instruction, give the unfused
// results bit for bit (the same scalar functions run in the same order),
// read rows, scalars and constants, and the Machine still allocates
// nothing after its first run.
#include <catch2/catch.hpp>
#include <cmath>
#include <cstdlib>
#include <new>
#include <random>

#include "eq/compiler/lower/model.hpp"
#include "eq/compiler/machine.hpp"
#include "eq/compiler/parser.hpp"
#include "gradcheck.hpp"
#include "support/alloc_counter.hpp"

using namespace eq;
using namespace eq::ir;

namespace {

CompileOptions o0() {
  CompileOptions o;
  o.opt_level = 0;
  return o;
}

int count_fused(const Program& p) {
  int n = 0;
  for (const auto& ins : p.tape.code) n += ins.kernel == runtime::Kernel::fused;
  return n;
}

// Runs `program` on `data` (one tensor per leaf) and returns `out`'s value.
Tensor run(const Program& program, const std::vector<std::pair<Node, Tensor>>& data, Node out) {
  Machine vm(program);
  for (const auto& [leaf, t] : data) {
    if (leaf.op() == ir::Op::param)
      vm.set_param(leaf, t);
    else
      vm.let(leaf, t);
  }
  vm.run();
  return vm.value(out);
}

void check_identical(const Tensor& a, const Tensor& b) {
  REQUIRE(a.shape() == b.shape());
  for (std::int64_t i = 0; i < a.numel(); ++i) {
    INFO("element " << i);
    REQUIRE(a.at(i) == b.at(i));
  }
}

}  // namespace

TEST_CASE("σ(a + b + c) is one fused instruction and equals the unfused tape", "[fusion]") {
  Graph g;
  Parser p(g);
  const std::int64_t n = 300;  // 3·300 elements: blocks of 256 and a tail
  Node a = g.input("a", Shape{n}), b = g.input("b", Shape{n}), c = g.input("c", Shape{n});
  p.set("a", a);
  p.set("b", b);
  p.set("c", c);
  Node y = p.parse("σ(a + b + c)");
  Program fused = compile(g, {y});
  REQUIRE(fused.tape.code.size() == 1);
  CHECK(fused.tape.code[0].label == "fused[add,add,sigmoid]");
  // `eqc tape` shows one line: the three inputs, one output.
  std::string listing = print_tape(fused);
  CHECK(listing.find("0: fused[add,add,sigmoid] v2, v0, v1 -> v3 [1, 300] f32") !=
        std::string::npos);
  CHECK(listing.find("\n1: ") == std::string::npos);
  CHECK(fused.stats.get("fuse", "groups") == 1);
  Program plain = compile(g, {y}, o0());
  CHECK(plain.tape.code.size() == 3);
  std::mt19937 rng(1);
  std::vector<std::pair<Node, Tensor>> data;
  for (Node leaf : {a, b, c})
    data.emplace_back(leaf, testing::random_tensor(Shape{3, n}, rng, -4, 4, DType::f32));
  Tensor got = run(fused, data, y);
  check_identical(got, run(plain, data, y));
  // And against the formula, in double.
  for (std::int64_t i = 0; i < got.numel(); ++i) {
    double s = data[0].second.at(i) + data[1].second.at(i) + data[2].second.at(i);
    CHECK(got.at(i) == Approx(1 / (1 + std::exp(-s))).epsilon(1e-6));
  }
}

TEST_CASE("fused groups read a bias row, scalars and constants", "[fusion]") {
  Graph g{DType::f64};
  Parser p(g);
  const std::int64_t n = 300;  // a row longer than a block
  Node x = g.input("x", Shape{n});
  Node bias = g.param("bias", Shape{n});
  Node s = g.param("s", Shape{});
  p.set("x", x);
  p.set("bias", bias);
  p.set("s", s);
  Node y = p.parse("0.5*tanh(x + bias)*s - 1");
  Program fused = compile(g, {y});
  REQUIRE(fused.tape.code.size() == 1);
  CHECK(fused.tape.code[0].label == "fused[add,tanh,mul,mul,sub]");
  CHECK(fused.tape.fused[0].inputs.size() == 3);     // x, bias, s
  CHECK(fused.tape.fused[0].constants.size() == 2);  // 0.5 and 1 are immediates
  std::mt19937 rng(2);
  std::vector<std::pair<Node, Tensor>> data = {
      {x, testing::random_tensor(Shape{5, n}, rng, -2, 2)},
      {bias, testing::random_tensor(Shape{n}, rng, -2, 2)},
      {s, testing::random_tensor(Shape{}, rng, -2, 2)},
  };
  Tensor got = run(fused, data, y);
  check_identical(got, run(compile(g, {y}, o0()), data, y));
  for (std::int64_t b = 0; b < 5; ++b)
    for (std::int64_t j = 0; j < n; ++j) {
      double want = 0.5 * std::tanh(data[0].second.at(b * n + j) + data[1].second.at(j)) *
                        data[2].second.at(0) -
                    1;
      CHECK(got.at(b * n + j) == Approx(want).epsilon(1e-14));
    }
}

TEST_CASE("the LSTM cell update fuses into two loops; a column broadcast is left alone",
          "[fusion]") {
  Graph g;
  Parser p(g);
  const std::int64_t H = 7;
  std::vector<Node> leaves;
  for (const char* name : {"iₜ", "fₜ", "oₜ", "ĉₜ", "cₜ₋₁"}) {
    leaves.push_back(g.input(name, Shape{H}));
    p.set(name, leaves.back());
  }
  Node c = p.define("cₜ = fₜ*cₜ₋₁ + iₜ*ĉₜ");
  Node h = p.define("hₜ = oₜ*tanh(cₜ)");
  Program fused = compile(g, {h, c});
  // cₜ is an output, so it is the root of its own group and hₜ reads it.
  CHECK(count_fused(fused) == 2);
  CHECK(fused.tape.code.size() == 2);
  std::mt19937 rng(3);
  std::vector<std::pair<Node, Tensor>> data;
  for (Node leaf : leaves)
    data.emplace_back(leaf, testing::random_tensor(Shape{4, H}, rng, -1, 1, DType::f32));
  Program plain = compile(g, {h, c}, o0());
  check_identical(run(fused, data, h), run(plain, data, h));
  check_identical(run(fused, data, c), run(plain, data, c));

  // x / Σx divides each row by its own sum: a [B, 1] operand, not a row.
  Node x = g.input("x", Shape{4});
  p.set("x", x);
  Node q = p.parse("exp(x / Σ(x))");
  Program pq = compile(g, {q});
  CHECK(count_fused(pq) == 0);
  Tensor xs = testing::random_tensor(Shape{2, 4}, rng, 1, 2, DType::f32);
  Tensor got = run(pq, {{x, xs}}, q);
  for (int b = 0; b < 2; ++b) {
    double total = 0;
    for (int j = 0; j < 4; ++j) total += xs.at(b * 4 + j);
    for (int j = 0; j < 4; ++j)
      CHECK(got.at(b * 4 + j) == Approx(std::exp(xs.at(b * 4 + j) / total)).epsilon(1e-6));
  }
}

TEST_CASE("a fused training step allocates nothing after its first run", "[fusion]") {
  Graph g;
  Parser p(g);
  Node x = g.input("x", Shape{6});
  Node t = g.input("t", Shape{3});
  Node W = g.param("W", Shape{3, 6});
  Node b = g.param("b", Shape{3});
  for (auto [name, node] : {std::pair{"x", x}, {"t", t}, {"W", W}, {"b", b}}) p.set(name, node);
  Node loss = optimize(g, {p.parse("Σ((σ(W·x + b) - t)²)")})[0];
  std::vector<Node> grads = grad(loss, {W, b});
  Program program = compile(g, {loss, grads[0], grads[1]});
  CHECK(count_fused(program) >= 2);
  Machine vm(std::move(program));
  std::mt19937 rng(4);
  Tensor xs = testing::random_tensor(Shape{16, 6}, rng, -1, 1, DType::f32);
  Tensor ts = testing::random_tensor(Shape{16, 3}, rng, 0, 1, DType::f32);
  vm.let(x, xs);
  vm.let(t, ts);
  vm.run();
  const long before = eq::testing::allocations();
  for (int i = 0; i < 3; ++i) {
    vm.let(x, xs);
    vm.let(t, ts);
    vm.run();
  }
  CHECK(eq::testing::allocations() - before == 0);
}

TEST_CASE("an LSTM step's gates, cell and output fuse into two loops", "[fusion]") {
  const char* dir = std::getenv("EQ_SOURCE_DIR");
  Model m = Model::load(std::string(dir ? dir : ".") + "/tests/compiler/cases/lstm.eq");
  Node y = m.outputs().at(0).second;
  Program fused = compile(m.graph(), {y});
  // Every σ(W·x + U·h + B) and tanh(…) with the cell update and hₜ: the
  // input gate and ĉ in one loop (i·ĉ), f, o, cₜ and hₜ in the other.
  CHECK(count_fused(fused) == 2);
  std::mt19937 rng(5);
  std::vector<std::pair<Node, Tensor>> data;
  for (const Node& in : m.graph().inputs()) {
    Tensor t = in.dtype() == DType::i32
                   ? Tensor(DType::i32, Shape{3})
                   : testing::random_tensor(in.shape().at(3), rng, -1, 1, DType::f32);
    if (in.dtype() == DType::i32)
      for (int i = 0; i < 3; ++i) t.set(i, i);
    data.emplace_back(in, std::move(t));
  }
  for (const Node& p : m.graph().params())
    data.emplace_back(p, testing::random_tensor(p.shape().at(1), rng, -1, 1, DType::f32));
  check_identical(run(fused, data, y), run(compile(m.graph(), {y}, o0()), data, y));
}
