// The tape compiler and Machine: results against hand-written loops, the
// memory plan, and no heap allocation after the first run.
#include <catch2/catch.hpp>
#include <cmath>
#include <cstdlib>
#include <random>

#include "eq/compiler/autodiff/grad.hpp"
#include "eq/compiler/ir/builders.hpp"
#include "eq/compiler/machine.hpp"
#include "eq/compiler/tape/compile.hpp"
#include "gradcheck.hpp"
#include "support/alloc_counter.hpp"

using namespace eq;
using namespace eq::ir;

namespace {

// A two-layer perceptron with a squared error, as nodes.
struct Mlp {
  Graph g{DType::f64};
  Node x = g.input("x", Shape{4});
  Node t = g.input("t", Shape{2});
  Node W1 = g.param("W1", Shape{5, 4});
  Node b1 = g.param("b1", Shape{5});
  Node W2 = g.param("W2", Shape{2, 5});
  Node b2 = g.param("b2", Shape{2});
  Node h = tanh(matmul(x, W1, false, true) + b1);
  Node y = matmul(h, W2, false, true) + b2;
  Node loss = sum(square(y - t));
};

}  // namespace

TEST_CASE("an MLP's forward pass equals a hand-written loop, per example", "[tape]") {
  Mlp m;
  std::mt19937 rng(3);
  const int B = 7;
  Tensor x = eq::testing::random_tensor(Shape{B, 4}, rng, -1, 1);
  Tensor t = eq::testing::random_tensor(Shape{B, 2}, rng, -1, 1);
  Tensor W1 = eq::testing::random_tensor(Shape{5, 4}, rng, -1, 1);
  Tensor b1 = eq::testing::random_tensor(Shape{5}, rng, -1, 1);
  Tensor W2 = eq::testing::random_tensor(Shape{2, 5}, rng, -1, 1);
  Tensor b2 = eq::testing::random_tensor(Shape{2}, rng, -1, 1);
  Machine vm(compile(m.g, {m.loss, m.y}));
  vm.set_param(m.W1, W1);
  vm.set_param(m.b1, b1);
  vm.set_param(m.W2, W2);
  vm.set_param(m.b2, b2);
  vm.let(m.x, x);
  vm.let(m.t, t);
  vm.run();
  Tensor loss = vm.value(m.loss);
  REQUIRE(loss.shape() == Shape{B});
  for (int b = 0; b < B; ++b) {
    double h[5], y[2], l = 0;
    for (int i = 0; i < 5; ++i) {
      double s = b1.at(i);
      for (int j = 0; j < 4; ++j) s += W1.at(i * 4 + j) * x.at(b * 4 + j);
      h[i] = std::tanh(s);
    }
    for (int i = 0; i < 2; ++i) {
      double s = b2.at(i);
      for (int j = 0; j < 5; ++j) s += W2.at(i * 5 + j) * h[j];
      y[i] = s;
      l += (y[i] - t.at(b * 2 + i)) * (y[i] - t.at(b * 2 + i));
    }
    CHECK(loss.at(b) == Approx(l).epsilon(1e-12));
  }
}

TEST_CASE("an MLP's gradients match central differences, batch of 3", "[tape][autodiff]") {
  Mlp m;
  std::mt19937 rng(5);
  eq::testing::Leaves leaves;
  leaves.add(m.x, eq::testing::random_tensor(Shape{3, 4}, rng, -1, 1));
  leaves.add(m.t, eq::testing::random_tensor(Shape{3, 2}, rng, -1, 1));
  leaves.add(m.W1, eq::testing::random_tensor(Shape{5, 4}, rng, -1, 1));
  leaves.add(m.b1, eq::testing::random_tensor(Shape{5}, rng, -1, 1));
  leaves.add(m.W2, eq::testing::random_tensor(Shape{2, 5}, rng, -1, 1));
  leaves.add(m.b2, eq::testing::random_tensor(Shape{2}, rng, -1, 1));
  eq::testing::gradient_error(m.loss, leaves, {m.W1, m.b1, m.W2, m.b2});
}

TEST_CASE("the memory plan reuses buffers and keeps transposes as flags", "[tape]") {
  Mlp m;
  std::vector<Node> grads = grad(sum(m.loss, 0), {m.W1, m.b1, m.W2, m.b2});
  std::vector<Node> outputs{m.loss};
  outputs.insert(outputs.end(), grads.begin(), grads.end());
  // -O0: the plan of the unfused tape (fusion removes most scratch values).
  CompileOptions o0;
  o0.opt_level = 0;
  Program p = compile(m.g, outputs, o0);
  int scratch = 0;
  for (const auto& b : p.tape.buffers) scratch += b.role == runtime::BufferRole::scratch;
  // Far fewer buffers than values: dead values give their buffers back.
  CHECK(scratch < static_cast<int>(p.tape.code.size()) / 2);
  for (const auto& ins : p.tape.code) CHECK(ins.kernel != runtime::Kernel::transpose);
  std::string listing = print_tape(p, 8);
  CHECK(listing.find("matmul[bᵀ]") != std::string::npos);
  CHECK(listing.find("memory: ") != std::string::npos);
}

TEST_CASE("tree shaking: a prediction tape holds no loss code", "[tape]") {
  Mlp m;
  CompileOptions o0;
  o0.opt_level = 0;
  Program p = compile(m.g, {m.y}, o0);
  for (const auto& ins : p.tape.code) {
    CHECK(ins.label != "square");
    CHECK(ins.label != "sum");
  }
  CHECK(p.tape.code.size() == 5);  // matmul, add, tanh, matmul, add
  // With the passes, the bias and tanh run as one loop.
  Program fused = compile(m.g, {m.y});
  CHECK(fused.tape.code.size() == 4);
  CHECK(fused.tape.code[1].label == "fused[add,tanh]");
}

TEST_CASE("the Machine allocates nothing on the second and later runs", "[tape]") {
  Mlp m;
  std::vector<Node> grads = grad(sum(m.loss, 0), {m.W1, m.b1, m.W2, m.b2});
  std::vector<Node> outputs{m.loss};
  outputs.insert(outputs.end(), grads.begin(), grads.end());
  Machine vm(compile(m.g, outputs));
  std::mt19937 rng(9);
  Tensor x = eq::testing::random_tensor(Shape{16, 4}, rng, -1, 1);
  Tensor t = eq::testing::random_tensor(Shape{16, 2}, rng, -1, 1);
  vm.let(m.x, x);
  vm.let(m.t, t);
  vm.run();  // the first run may size its buffers
  const long before = eq::testing::allocations();
  for (int i = 0; i < 3; ++i) {
    vm.let(m.x, x);
    vm.let(m.t, t);
    vm.run();
  }
  CHECK(eq::testing::allocations() - before == 0);
}

TEST_CASE("inputs check their shape and dtype", "[tape]") {
  Mlp m;
  Machine vm(compile(m.g, {m.y}));
  CHECK_THROWS_WITH(vm.let(m.x, Tensor(DType::f64, Shape{3, 5})),
                    "input 'x' takes [B, 4] (a batch of [4]); got [3, 5]");
  CHECK_THROWS_WITH(vm.let(m.x, Tensor(DType::i32, Shape{3, 4})),
                    "input 'x' takes f64 data; got i32");
}

TEST_CASE("profiling counts every instruction of every run by its label", "[tape]") {
  Mlp m;
  Machine vm(compile(m.g, {m.y}));
  std::mt19937 rng(2);
  vm.let(m.x, eq::testing::random_tensor(Shape{4, 4}, rng, -1, 1));
  vm.runtime().set_profile(true);
  for (int i = 0; i < 3; ++i) vm.run();
  std::int64_t runs = 0;
  for (const auto& e : vm.runtime().profile()) {
    CHECK(e.seconds >= 0);
    CHECK(e.count % 3 == 0);
    runs += e.count;
  }
  CHECK(runs == 3 * static_cast<std::int64_t>(vm.program().tape.code.size()));
  vm.runtime().set_profile(false);
  vm.run();
  std::int64_t after = 0;
  for (const auto& e : vm.runtime().profile()) after += e.count;
  CHECK(after == runs);  // not counted while off
}

TEST_CASE("inputs of one run must agree on the batch", "[tape]") {
  Mlp m;
  Machine vm(compile(m.g, {m.loss}));
  std::mt19937 rng(3);
  vm.let(m.x, eq::testing::random_tensor(Shape{2, 4}, rng, -1, 1));
  vm.let(m.t, eq::testing::random_tensor(Shape{64, 2}, rng, -1, 1));
  CHECK_THROWS_WITH(vm.run(),
                    "input 'x' was given a batch of 2 but 't' one of 64: give every "
                    "input of a run the same batch");
  vm.let(m.x, eq::testing::random_tensor(Shape{64, 4}, rng, -1, 1));
  CHECK_NOTHROW(vm.run());
  CHECK(vm.value(m.loss).shape() == Shape{64});
}

TEST_CASE("the memory plan refuses a value whose bytes pass int64", "[tape][sizes]") {
  // Issue 17, item 3: 2^61 floats have an element count but 2^63 bytes; the
  // plan once sized their buffer by a wrapped-around product.
  constexpr std::int64_t k2to61 = std::int64_t{1} << 61;
  Graph g{DType::f32};
  Node x = g.input("x", Shape{k2to61});
  CHECK_THROWS_WITH(compile(g, {tanh(x)}),
                    "a tensor of 2305843009213693952 elements of 4 bytes is larger than this "
                    "machine can address");
  // An IR shape's element count at a batch size is checked the same way.
  CHECK(IShape::batched(Shape{1 << 20}).numel(1 << 20) == std::int64_t{1} << 40);
  CHECK(IShape(Shape{k2to61}).numel(8) == k2to61);  // no batch axis: the batch does not count
  CHECK_THROWS_WITH(IShape::batched(Shape{k2to61}).numel(8),
                    "2305843009213693952 × 8 elements is larger than this machine can address");
}
