// The rewriting passes, one rule at a time: the IR before (the expression as
// written) and after (rendered as a term), and the rule's counter.
#include <catch2/catch.hpp>
#include <random>
#include <sstream>
#include <string>

#include "eq/compiler/ir/builders.hpp"
#include "eq/compiler/machine.hpp"
#include "eq/compiler/parser.hpp"
#include "eq/compiler/passes/fold.hpp"
#include "eq/compiler/passes/pipeline.hpp"
#include "eq/compiler/tape/compile.hpp"
#include "gradcheck.hpp"
#include "pass_util.hpp"

using namespace eq;
using namespace eq::ir;

namespace {

struct Rewrite {
  const char* before;  // an expression over x, y, z : [4] and W : [3, 4]
  const char* after;   // the optimised root, rendered
  const char* rule;    // the counter that must have fired ("" for none)
};

// The forward stage (fold → simplify → stabilise → CSE) on one expression.
void check(const Rewrite& r) {
  Graph g;
  Parser p(g);
  p.set("x", g.input("x", Shape{4}));
  p.set("y", g.input("y", Shape{4}));
  p.set("z", g.input("z", Shape{4}));
  p.set("W", g.param("W", Shape{3, 4}));
  Node before = p.parse(r.before);
  passes::PassStats stats;
  Node after = optimize(g, {before}, {}, &stats)[0];
  INFO(r.before << "  →  " << testing::render(after) << "\n" << stats.str());
  CHECK(testing::render(after) == r.after);
  CHECK(after.shape() == before.shape());
  if (*r.rule) {
    bool fired = false;
    for (const auto& e : stats.entries()) fired |= e.what == r.rule;
    CHECK(fired);
  } else {
    CHECK(stats.total() == 0);
  }
}

}  // namespace

TEST_CASE("constant folding: constants, dims and uniform values", "[passes]") {
  for (const Rewrite& r : {
           Rewrite{"2*3 + x", "add(6, x)", "op(c₁, c₂) → c"},
           Rewrite{"σ(0)*x", "mul(0.5, x)", "op(c₁, c₂) → c"},
           Rewrite{"x / (2 + 2)", "div(x, 4)", "op(c₁, c₂) → c"},
           Rewrite{"exp(0)*x", "x", "op(c₁, c₂) → c"},  // then x·1 → x
       })
    check(r);
  // Sums of a uniform value fold to count·c; not over the batch axis.
  Graph g;
  Node x = g.input("x", Shape{4});
  Node c = expand(g.constant(2), IShape(Shape{3, 4}));
  passes::PassStats stats;
  std::vector<Node> out = passes::fold_constants(g, {sum(c, 0), sum(c, 1), amax(c, 0)}, stats);
  CHECK(testing::render(out[0]) == "24");
  CHECK(testing::render(out[1]) == "expand(8)");
  CHECK(testing::render(out[2]) == "2");
  Node per_batch = sum(expand(g.constant(1), x.shape()), 0);
  CHECK(passes::fold_constants(g, {per_batch}, stats)[0] == per_batch);
  // Folded f32 values are rounded to f32: 0.1 + 0.2 in float.
  Node f = passes::fold_constants(g, {g.constant(0.1) + g.constant(0.2)}, stats)[0];
  CHECK(f.attrs().value == static_cast<double>(0.1f + 0.2f));
}

TEST_CASE("algebraic simplification, one identity at a time", "[passes]") {
  for (const Rewrite& r : {
           Rewrite{"x + 0", "x", "x + 0 → x"},
           Rewrite{"0 + x", "x", "x + 0 → x"},
           Rewrite{"x - 0", "x", "x - 0 → x"},
           Rewrite{"0 - x", "neg(x)", "0 - x → -x"},
           Rewrite{"x*1", "x", "x·1 → x"},
           Rewrite{"x*0", "expand(0)", "x·0 → 0"},
           Rewrite{"x*(-1)", "neg(x)", "x·-1 → -x"},
           Rewrite{"x/1", "x", "x / 1 → x"},
           Rewrite{"x^1", "x", "x ^ 1 → x"},
           Rewrite{"x^2", "square(x)", "x ^ 2 → x²"},
           Rewrite{"x*x", "square(x)", "x·x → x²"},
           Rewrite{"-(-x)", "x", "--x → x"},
           Rewrite{"(Wᵀ)ᵀ", "W", "(xᵀ)ᵀ → x"},
           Rewrite{"-x + y", "sub(y, x)", "-a + b → b - a"},
           Rewrite{"x - -y", "add(x, y)", "a - -b → a + b"},
           Rewrite{"(-x)*(-y)", "mul(x, y)", "(-a)·(-b) → a·b"},
           Rewrite{"exp(log(x))", "x", "exp(log x) → x"},
           Rewrite{"log(exp(x))", "x", "log(exp x) → x"},
           Rewrite{"‖x‖²", "sum(square(x))", "(√s)² → s, s ≥ 0"},
           Rewrite{"(√Σ(exp(x)))²", "sum(exp(x))", "(√s)² → s, s ≥ 0"},
           Rewrite{"√(x²)", "abs(x)", "√(x²) → |x|"},
           Rewrite{"exp(logsoftmax(x))", "softmax(x)", "exp(logsoftmax z) → softmax z"},
           Rewrite{"x*y - z*y", "mul(sub(x, z), y)", "a·c ∓ b·c → (a ∓ b)·c"},
           // Not rewritten: (√x)² is x only for x ≥ 0, and x is anything.
           Rewrite{"(√x)²", "square(sqrt(x))", ""},
           Rewrite{"x - y", "sub(x, y)", ""},
       })
    check(r);
}

TEST_CASE("numerical stabilisation, one rule at a time", "[passes]") {
  for (const Rewrite& r : {
           Rewrite{"log(1 + x)", "log1p(x)", "log(1 + x) → log1p x"},
           Rewrite{"log(x + 1)", "log1p(x)", "log(1 + x) → log1p x"},
           Rewrite{"log(1 - x)", "log1p(neg(x))", "log(1 - x) → log1p(-x)"},
           Rewrite{"exp(x) - 1", "expm1(x)", "eˣ - 1 → expm1 x"},
           Rewrite{"log(1 + exp(x))", "softplus(x)", "log(1 + eˣ) → softplus x"},
           Rewrite{"log(σ(x))", "neg(softplus(neg(x)))", "log σ(x) → -softplus(-x)"},
           Rewrite{"log(1 - σ(x))", "neg(softplus(x))", "log(1 - σ(x)) → -softplus x"},
           Rewrite{"1/(1 + exp(-x))", "sigmoid(x)", "1 / (1 + e⁻ˣ) → σ x"},
           Rewrite{"log(softmax(x))", "logsoftmax(x)", "log softmax z → logsoftmax z"},
           Rewrite{"log(2 + x)", "log(add(2, x))", ""},
       })
    check(r);
}

TEST_CASE("stabilisation: Σ over the last axis of a broadcast row times a one-hot is the row",
          "[passes]") {
  Graph g;
  Node idx = g.input_onehot("y", 5);
  Node r = g.input("r", Shape{});
  Node hot = onehot(idx, 5, g.dtype());
  Node n = sum_last(expand(reshape(r, r.shape().with_ones(1)), hot.shape()) * hot);
  passes::PassStats stats;
  Node out = optimize(g, {n}, {}, &stats)[0];
  CHECK(out == r);
  CHECK(stats.get("stabilise", "Σ_last(r̄ ⊙ onehot y) → r") == 1);
}

TEST_CASE("split-products: a one-hot part of a joined product becomes a lookup", "[passes]") {
  Graph g;
  Parser p(g);
  p.set("h", g.input("h", Shape{2}));
  p.set("x", g.input_onehot("x", 3));
  p.set("z", g.input("z", Shape{3}));
  p.set("W", g.param("W", Shape{4, 5}));
  p.set("U", g.param("U", Shape{5, 4}));
  passes::PassStats stats;
  // W·[h, x] is [B, 5]·Wᵀ as lowered: the columns 2:5 of W meet x.
  Node out = optimize(g, {p.parse("W·[h, x]")}, {}, &stats)[0];
  CHECK(testing::render(out) == "add(gather(slice(W), x), matmul(h, slice(W)))");
  CHECK(stats.get("split-products", "op(a)·[p, q] → op(a)[…, :P]·p + op(a)[…, P:]·q") == 1);
  CHECK(stats.get("split-products", "onehot(i)·op(W) → op(W)'s rows i (a gather)") == 1);
  Node hx = out.input(0).op() == ir::Op::gather ? out.input(0) : out.input(1);
  CHECK(hx.input(0).attrs().start == 2);
  CHECK(hx.input(0).attrs().stop == 5);
  // A concatenation on the left of a product: the rows of U meet each part
  // (the one-hot part looks its rows up, without a transpose of U).
  out = optimize(g, {p.parse("[h, x]·U")}, {}, &stats)[0];
  CHECK(testing::render(out) == "add(gather_rows(slice(U), x), matmul(h, slice(U)))");
  // Dense parts stay one product (no one-hot part: nothing to gain).
  passes::PassStats dense;
  out = optimize(g, {p.parse("W·[h, z]")}, {}, &dense)[0];
  CHECK(testing::render(out) == "matmul(concat(h, z), W)");
  CHECK(dense.total("split-products") == 0);
}

TEST_CASE("transpose-weights: a weight read transposed by two products is transposed once",
          "[passes]") {
  Graph g;
  Parser p(g);
  p.set("x", g.input("x", Shape{4}));
  p.set("y", g.input("y", Shape{4}));
  p.set("W", g.param("W", Shape{3, 4}));
  p.set("V", g.param("V", Shape{3, 4}));
  const char* rule = "op(a)·Wᵀ, W read so twice or more → op(a)·(Wᵀ made once)";
  // W·x and W·y are [B, 4]·Wᵀ on a batch: W is transposed once, for both.
  Node twice = p.parse("W·x + W·y + V·x");
  Program both = compile(g, {twice});
  CHECK(testing::render(both.roots[0]) ==
        "add(add(matmul(x, transpose(W)), matmul(y, transpose(W))), matmul(x, V))");
  int transposes = 0;
  for (const auto& ins : both.tape.code) transposes += ins.kernel == runtime::Kernel::transpose;
  CHECK(transposes == 1);
  // render() shows no flags: in the tape, the two rewritten products read
  // neither side transposed, and V·x (V read once) keeps its flag.
  int plain = 0, flagged = 0;
  for (const auto& ins : both.tape.code) {
    if (ins.kernel != runtime::Kernel::matmul) continue;
    CHECK_FALSE(ins.trans_a);
    (ins.trans_b ? flagged : plain) += 1;
  }
  CHECK(plain == 2);
  CHECK(flagged == 1);
  // A weight read once keeps its flag (a copy of it per step would not pay);
  // -O0 and --disable keep every flag.
  CompileOptions o;
  o.stats = true;
  std::ostringstream quiet;
  o.out = &quiet;
  Node once = p.parse("W·x + V·y");
  CHECK(testing::render(compile(g, {once}, o).roots[0]) == "add(matmul(x, W), matmul(y, V))");
  CHECK(quiet.str().find(rule) == std::string::npos);
  CompileOptions off;
  off.disable = {"transpose-weights"};
  CHECK(testing::render(compile(g, {twice}, off).roots[0]) ==
        "add(add(matmul(x, W), matmul(y, W)), matmul(x, V))");
  // The same values as the untransposed products (f64: to rounding).
  Graph h(DType::f64);
  Node a = h.input("a", Shape{5}), b = h.input("b", Shape{5});
  Node w = h.param("w", Shape{7, 5});
  Node sum = matmul(a, w, false, true) * matmul(b, w, false, true);
  CompileOptions o0;
  o0.opt_level = 0;
  std::mt19937 rng(3);
  Tensor ta = testing::random_tensor(Shape{6, 5}, rng, -1, 1, DType::f64);
  Tensor tb = testing::random_tensor(Shape{6, 5}, rng, -1, 1, DType::f64);
  Tensor tw = testing::random_tensor(Shape{7, 5}, rng, -1, 1, DType::f64);
  std::vector<Tensor> values;
  for (const CompileOptions& opt : {CompileOptions{}, o0}) {
    Machine m(compile(h, {sum}, opt));
    m.let(a, ta);
    m.let(b, tb);
    m.set_param(w, tw);
    m.run();
    values.push_back(m.value(sum));
  }
  REQUIRE(values[0].shape() == (Shape{6, 7}));
  for (std::int64_t i = 0; i < values[0].numel(); ++i)
    CHECK(values[0].at(i) == Approx(values[1].at(i)).epsilon(1e-13));
}

TEST_CASE("accumulate: a sum of weight gradients is gemm with β = 1 into one buffer", "[passes]") {
  // Σₜ gₜᵀ·hₜ over three "time steps": unbatched [3, 4] products of batches.
  Graph g(DType::f64);
  std::vector<Node> gs, hs;
  for (int t = 0; t < 3; ++t) {
    gs.push_back(g.input("g" + std::to_string(t), Shape{3}));
    hs.push_back(g.input("h" + std::to_string(t), Shape{4}));
  }
  // Named first: the order of the operands of + is unspecified.
  const Node p0 = matmul(gs[0], hs[0], true, false), p1 = matmul(gs[1], hs[1], true, false),
             p2 = matmul(gs[2], hs[2], true, false);
  Node sum = p0 + p1 + p2;
  Program p = compile(g, {sum});
  CHECK(testing::render(p.roots[0]) == "matmul_acc(matmul_acc(matmul(g0, h0), g1, h1), g2, h2)");
  // Each accumulating product writes into its running sum's buffer.
  int accumulating = 0;
  for (const auto& ins : p.tape.code) {
    if (ins.kernel != runtime::Kernel::matmul_acc) continue;
    ++accumulating;
    CHECK(ins.trans_a);
    CHECK(p.tape.values[static_cast<std::size_t>(ins.out)].buffer ==
          p.tape.values[static_cast<std::size_t>(ins.in[0])].buffer);
  }
  CHECK(accumulating == 2);
  // The same values as the plain sum (-O0), to rounding.
  CompileOptions o0;
  o0.opt_level = 0;
  std::mt19937 rng(7);
  std::vector<Tensor> data;
  for (int t = 0; t < 6; ++t)
    data.push_back(testing::random_tensor(Shape{5, t % 2 ? 4 : 3}, rng, -1, 1, DType::f64));
  std::vector<Tensor> values;
  for (const CompileOptions& opt : {CompileOptions{}, o0}) {
    Machine m(compile(g, {sum}, opt));
    for (int t = 0; t < 3; ++t) {
      m.let(gs[static_cast<std::size_t>(t)], data[static_cast<std::size_t>(2 * t)]);
      m.let(hs[static_cast<std::size_t>(t)], data[static_cast<std::size_t>(2 * t + 1)]);
    }
    m.run();
    values.push_back(m.value(sum));
  }
  REQUIRE(values[0].shape() == (Shape{3, 4}));
  for (std::int64_t i = 0; i < values[0].numel(); ++i)
    CHECK(values[0].at(i) == Approx(values[1].at(i)).epsilon(1e-13));
  // A product that something else reads too stays a product of its own.
  Node m0 = matmul(gs[0], hs[0], true, false);
  Node shared = m0 + matmul(gs[1], hs[1], true, false);
  Program twice = compile(g, {shared, m0 * 2.0});
  CHECK(testing::render(twice.roots[0]) == "matmul_acc(matmul(g0, h0), g1, h1)");
  Program none = compile(g, {shared * 1.0, m0 + m0});
  CHECK(testing::render(none.roots[1]) == "add(matmul(g0, h0), matmul(g0, h0))");
}

TEST_CASE("accumulate: a sum of one-hot weight gradients adds each scatter into one buffer",
          "[passes]") {
  // Σₜ scatter(gₜ, iₜ): the gradient of W [3, 4] in W·xₜ with xₜ one-hot,
  // over three "time steps".
  Graph g(DType::f64);
  std::vector<Node> gs, is;
  for (int t = 0; t < 3; ++t) {
    gs.push_back(g.input("g" + std::to_string(t), Shape{3}));
    is.push_back(g.input_indices("i" + std::to_string(t)));
  }
  // Named first: the order of the operands of + is unspecified, and node
  // ids (which order a commutative op's inputs) follow creation.
  const Node s0 = scatter(gs[0], is[0], 4), s1 = scatter(gs[1], is[1], 4),
             s2 = scatter(gs[2], is[2], 4);
  Node sum = s0 + s1 + s2;
  Program p = compile(g, {sum});
  CHECK(testing::render(p.roots[0]) == "scatter_acc(scatter_acc(scatter(g0, i0), g1, i1), g2, i2)");
  int accumulating = 0;
  for (const auto& ins : p.tape.code) {
    if (ins.kernel != runtime::Kernel::scatter_acc) continue;
    ++accumulating;
    CHECK(p.tape.values[static_cast<std::size_t>(ins.out)].buffer ==
          p.tape.values[static_cast<std::size_t>(ins.in[0])].buffer);
  }
  CHECK(accumulating == 2);
  // The same values as the plain sum (-O0), repeated indices included.
  CompileOptions o0;
  o0.opt_level = 0;
  const std::vector<std::vector<double>> picks = {
      {3, 0, 3, 1, 3}, {2, 2, 0, 1, 0}, {1, 3, 3, 3, 2}};
  std::vector<Tensor> values;
  for (const CompileOptions& opt : {CompileOptions{}, o0}) {
    std::mt19937 same(11);
    Machine m(compile(g, {sum}, opt));
    for (std::size_t t = 0; t < 3; ++t) {
      m.let(gs[t], testing::random_tensor(Shape{5, 3}, same, -1, 1, DType::f64));
      m.let(is[t], Tensor::from(Shape{5}, picks[t], DType::i32));
    }
    m.run();
    values.push_back(m.value(sum));
  }
  REQUIRE(values[0].shape() == (Shape{3, 4}));
  double total = 0;
  for (std::int64_t i = 0; i < values[0].numel(); ++i) {
    CHECK(values[0].at(i) == Approx(values[1].at(i)).epsilon(1e-13));
    total += std::abs(values[0].at(i));
  }
  CHECK(total > 0);
  // A scatter that something else reads too stays a scatter of its own, and
  // the sum does not overwrite it: s0 · 2 still reads s0's values.
  Node shared = s0 + s1, doubled = s0 * 2.0;
  Program twice = compile(g, {shared, doubled});
  CHECK(testing::render(twice.roots[0]) == "scatter_acc(scatter(g0, i0), g1, i1)");
  std::vector<Tensor> both[2];
  int k = 0;
  for (const CompileOptions& opt : {CompileOptions{}, o0}) {
    std::mt19937 same(11);
    Machine m(compile(g, {shared, doubled}, opt));
    for (std::size_t t = 0; t < 2; ++t) {
      m.let(gs[t], testing::random_tensor(Shape{5, 3}, same, -1, 1, DType::f64));
      m.let(is[t], Tensor::from(Shape{5}, picks[t], DType::i32));
    }
    m.run();
    both[k++] = {m.value(shared), m.value(doubled)};
  }
  for (std::size_t v = 0; v < 2; ++v)
    for (std::int64_t i = 0; i < both[0][v].numel(); ++i)
      CHECK(both[0][v].at(i) == Approx(both[1][v].at(i)).epsilon(1e-13));
}

TEST_CASE("accumulate: a sum that is also an operand is not written while read", "[passes]") {
  // x + x·x with x = tanh(W) dying there: matmul_acc(x, x, x) must not put
  // its result in x's buffer, since gemm reads x while it writes.
  Graph g(DType::f64);
  Node w = g.param("W", Shape{3, 3});
  Node x = tanh(w);
  Node y = x + matmul(x, x);
  Program p = compile(g, {y});
  CHECK(testing::render(p.roots[0]) == "matmul_acc(tanh(W), tanh(W), tanh(W))");
  for (const auto& ins : p.tape.code)
    if (ins.kernel == runtime::Kernel::matmul_acc)
      CHECK(p.tape.values[static_cast<std::size_t>(ins.out)].buffer !=
            p.tape.values[static_cast<std::size_t>(ins.in[0])].buffer);
  const Tensor tw =
      Tensor::from(Shape{3, 3}, {0.5, -1, 0.25, 2, 0.75, -0.5, 1, -2, 0.1}, DType::f64);
  Machine m(p);
  m.set_param(w, tw);
  m.run();
  const Tensor out = m.value(y);
  for (int i = 0; i < 3; ++i)
    for (int j = 0; j < 3; ++j) {
      double want = std::tanh(tw.at(i * 3 + j));
      for (int k = 0; k < 3; ++k) want += std::tanh(tw.at(i * 3 + k)) * std::tanh(tw.at(k * 3 + j));
      CHECK(out.at(i * 3 + j) == Approx(want).epsilon(1e-13));
    }
}

TEST_CASE("CSE merges what rewrites made equal", "[passes]") {
  Graph g;
  Node x = g.input("x", Shape{4});
  Node a = sigmoid(x * 1.0);
  Node b = sigmoid(x + 0.0);
  CHECK_FALSE(a == b);
  passes::PassStats stats;
  std::vector<Node> out = optimize(g, {a + b}, {}, &stats);
  CHECK(testing::render(out[0]) == "add(sigmoid(x), sigmoid(x))");
  CHECK(out[0].input(0) == out[0].input(1));
}

TEST_CASE("the pipeline: -O0, disable, print-after, verify, unknown names", "[passes]") {
  Graph g;
  Node x = g.input("x", Shape{4});
  Node n = log(1.0 + x * 1.0);
  passes::PassStats stats;
  CompileOptions o0;
  o0.opt_level = 0;
  CHECK(optimize(g, {n}, o0, &stats)[0] == n);
  CHECK(stats.total() == 0);

  CompileOptions no_stabilise;
  no_stabilise.disable = {"stabilise"};
  CHECK(testing::render(optimize(g, {n}, no_stabilise)[0]) == "log(add(1, x))");

  std::ostringstream dump;
  CompileOptions print;
  print.print_after = {"simplify"};
  print.out = &dump;
  optimize(g, {n}, print);
  // The first round's dump: simplified (x·1 gone), not yet stabilised.
  std::string first = dump.str().substr(0, dump.str().find("# after", 1));
  CHECK(first.rfind("# after simplify (forward)\n", 0) == 0);
  CHECK(first.find("mul") == std::string::npos);
  CHECK(first.find("log ") != std::string::npos);
  CHECK(first.find("log1p") == std::string::npos);
  CHECK(dump.str().find("# after simplify (forward, round 2)\n") != std::string::npos);

  CompileOptions bad;
  bad.print_after = {"simplfy"};
  CHECK_THROWS_WITH(
      optimize(g, {n}, bad),
      "unknown pass 'simplfy' (the passes are inference, fold, simplify, split-products, "
      "stabilise, cse, transpose-weights, accumulate, fuse, tree-shake)");

  // A compiled program answers for the outputs as given, rewritten or not.
  Program p = compile(g, {n});
  CHECK(p.value(n) == p.value(p.roots[0]));
  CHECK(testing::render(p.roots[0]) == "log1p(x)");
}
