// eq::Parser: the LSTM step of docs/language.md built through set / parse /
// define equals an independent hand-written loop (float64), for a batch of
// one and of seven, and a batch's rows equal the examples run one by one.
#include "eq/compiler/parser.hpp"

#include <catch2/catch.hpp>
#include <cmath>
#include <random>

#include "eq/compiler/machine.hpp"
#include "eq/runtime/error.hpp"
#include "gradcheck.hpp"

using namespace eq;

namespace {

const std::int64_t V = 6, H = 5;

struct Lstm {
  Graph g{DType::f64};
  Parser p{g};
  Node x = g.input_onehot("x", V);
  Node h0 = g.input("h", Shape{H});
  Node c0 = g.input("c", Shape{H});
  std::map<std::string, Tensor> weights;
  Node h;

  explicit Lstm(std::mt19937& rng) {
    p.set("xₜ", x);
    p.set("h_{t-1}", h0);  // the ASCII spelling binds the same name as hₜ₋₁
    p.set("cₜ₋₁", c0);
    for (std::string gate : {"i", "f", "o", "c"}) {
      add(rng, "W_" + gate, Shape{H, V});
      add(rng, "U_" + gate, Shape{H, H});
      add(rng, "B_" + gate, Shape{H});
    }
    p.set("iₜ", p.parse("σ(Wᵢ·xₜ + Uᵢ·hₜ₋₁ + Bᵢ)"));
    p.define("fₜ = σ(W_f·xₜ + U_f·hₜ₋₁ + B_f)");
    p.define("oₜ = σ(Wₒ·xₜ + Uₒ·hₜ₋₁ + Bₒ)");
    p.define("ĉₜ = tanh(W_c·xₜ + U_c·hₜ₋₁ + B_c)");
    p.define("cₜ = fₜ*cₜ₋₁ + iₜ*ĉₜ");
    h = p.define("hₜ = oₜ*tanh(cₜ)");
  }
  void add(std::mt19937& rng, const std::string& name, Shape s) {
    Node n = g.param(name, s);
    p.set(name, n);
    weights[name] = eq::testing::random_tensor(s, rng, -0.8, 0.8);
  }
};

double sigmoid(double z) { return 1 / (1 + std::exp(-z)); }

// The LSTM cell for one example, written out with plain loops.
std::vector<double> reference(const std::map<std::string, Tensor>& w, int symbol, const double* h,
                              const double* c) {
  auto gate = [&](const std::string& g, int j) {
    const Tensor &W = w.at("W_" + g), &U = w.at("U_" + g), &Bv = w.at("B_" + g);
    double z = W.at(j * V + symbol) + Bv.at(j);
    for (int k = 0; k < H; ++k) z += U.at(j * H + k) * h[k];
    return z;
  };
  std::vector<double> out(H);
  for (int j = 0; j < H; ++j) {
    double i = sigmoid(gate("i", j)), f = sigmoid(gate("f", j)), o = sigmoid(gate("o", j));
    double cc = std::tanh(gate("c", j));
    double c_new = f * c[j] + i * cc;
    out[static_cast<std::size_t>(j)] = o * std::tanh(c_new);
  }
  return out;
}

}  // namespace

TEST_CASE("the LSTM step through the Parser equals a hand-written loop", "[parser]") {
  std::mt19937 rng(11);
  Lstm lstm(rng);
  Machine vm(compile(lstm.g, {lstm.h}));
  for (auto& [name, t] : lstm.weights) vm.set_param(lstm.g.leaf(name), t);
  for (std::int64_t B : {1, 7}) {
    INFO("batch " << B);
    Tensor x(DType::i32, Shape{B});
    for (std::int64_t b = 0; b < B; ++b) x.set(b, static_cast<double>((b * 5 + 2) % V));
    Tensor h0 = eq::testing::random_tensor(Shape{B, H}, rng, -1, 1);
    Tensor c0 = eq::testing::random_tensor(Shape{B, H}, rng, -1, 1);
    vm.let(lstm.x, x);
    vm.let(lstm.h0, h0);
    vm.let(lstm.c0, c0);
    vm.run();
    Tensor h = vm.value(lstm.h);
    REQUIRE(h.shape() == Shape{B, H});
    for (std::int64_t b = 0; b < B; ++b) {
      std::vector<double> want = reference(lstm.weights, static_cast<int>(x.at(b)),
                                           h0.data<double>() + b * H, c0.data<double>() + b * H);
      for (int j = 0; j < H; ++j) {
        double got = h.at(b * H + j);
        CHECK(std::abs(got - want[static_cast<std::size_t>(j)]) <=
              1e-12 * std::max(1.0, std::abs(want[static_cast<std::size_t>(j)])));
      }
    }
    // The batch's rows equal the same examples run one at a time.
    for (std::int64_t b = 0; b < B; ++b) {
      Tensor x1(DType::i32, Shape{1}), h1(DType::f64, Shape{1, H}), c1(DType::f64, Shape{1, H});
      x1.set(0, x.at(b));
      for (int j = 0; j < H; ++j) {
        h1.set(j, h0.at(b * H + j));
        c1.set(j, c0.at(b * H + j));
      }
      vm.let(lstm.x, x1);
      vm.let(lstm.h0, h1);
      vm.let(lstm.c0, c1);
      vm.run();
      Tensor one = vm.value(lstm.h);
      for (int j = 0; j < H; ++j) CHECK(one.at(j) == h.at(b * H + j));
    }
  }
}

TEST_CASE("one-hot products compile to column gathers, not products", "[parser]") {
  std::mt19937 rng(1);
  Lstm lstm(rng);
  Program prog = compile(lstm.g, {lstm.h});
  int gathers = 0, products = 0;
  for (const auto& ins : prog.tape.code) {
    gathers += ins.kernel == runtime::Kernel::gather;
    products += ins.kernel == runtime::Kernel::matmul;
  }
  CHECK(gathers == 4);   // Wᵢ·xₜ, W_f·xₜ, Wₒ·xₜ, W_c·xₜ
  CHECK(products == 4);  // Uᵢ·hₜ₋₁, …: one gemm each over the batch
}

TEST_CASE("Parser names are canonical and re-bindable", "[parser]") {
  Graph g;
  Parser p(g);
  Node w = g.param("W", Shape{2});
  p.set("W_i", w);
  CHECK(p.get("Wᵢ") == w);
  CHECK(p.get("W_{i}") == w);
  CHECK_FALSE(p.get("W_f"));
  Node two = p.parse("2Wᵢ");
  CHECK(two.op() == ir::Op::mul);
  CHECK(p.names() == std::vector<std::string>{"Wᵢ"});
}

// A binding no equation could use is a mistake of the program: refused at
// set(), not found missing later at parse().
TEST_CASE("Parser::set binds names only", "[parser]") {
  Graph g;
  Parser p(g);
  Node w = g.param("W", Shape{2});
  const std::string rule =
      "an equation would not read it as one name (a letter, then letters, digits, primes and "
      "subscripts: x, Wᵢ, W_f, h_{t-1})";
  CHECK_THROWS_WITH(p.set("W i", w),
                    Catch::Matchers::Equals("Parser::set: cannot bind 'W i': " + rule));
  CHECK_THROWS_WITH(p.set("2W", w),
                    Catch::Matchers::Equals("Parser::set: cannot bind '2W': " + rule));
  CHECK_THROWS_WITH(p.set("W+b", w), Catch::Matchers::Contains("cannot bind 'W+b'"));
  CHECK_THROWS_WITH(p.set("", w),
                    Catch::Matchers::Equals("Parser::set: cannot bind '': it is empty"));
  CHECK_THROWS_WITH(p.set("exp", w),
                    Catch::Matchers::Equals("Parser::set: cannot bind 'exp': it is a built-in "
                                            "function's name"));
  CHECK_THROWS_WITH(p.set("state", w),
                    Catch::Matchers::Equals(
                        "Parser::set: cannot bind 'state': it is a keyword of the language (dim, "
                        "input, target, param, state, const, output, noise, train)"));
  CHECK_THROWS_WITH(
      p.set("π", w),
      Catch::Matchers::Equals("Parser::set: cannot bind 'π': π is the number, not a name"));
  CHECK(p.names().empty());
  // Every spelling of a name still binds, primes and braces included.
  p.set("h_{t-1}", w);
  p.set("W′", w);
  p.set("x2", w);
  CHECK(p.parse("hₜ₋₁ + W′ + x2").shape() == w.shape());
}
