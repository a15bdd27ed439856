// docs/language.md §9 constructs through the whole pipeline: text → lowering →
// graph → autodiff → tape → kernels. Each construct is checked three ways:
// its values against an independent float64 formula written here (libm's
// erf, plain loops), its gradient against central differences, and, where
// the construct has a shape rule, its located error.
#include <catch2/catch.hpp>
#include <cmath>
#include <functional>
#include <random>

#include "eq/compiler/lower/model.hpp"
#include "eq/compiler/machine.hpp"
#include "eq/compiler/parser.hpp"
#include "eq/runtime/error.hpp"
#include "gradcheck.hpp"
#include "support/diagnose.hpp"

using namespace eq;
using eq::testing::Leaves;
using eq::testing::random_tensor;

namespace {

const std::int64_t kBatch = 3;

// Leaves bound in a Parser, with their values; runs expressions over them.
struct Bench {
  Graph g{DType::f64};
  Parser p{g};
  Leaves leaves;
  std::vector<Node> wrt;
  std::mt19937 rng{20261130};

  // A batched input, kBatch examples of per-example shape s, in [lo, hi].
  Tensor input(const std::string& name, Shape s, double lo = -2, double hi = 2) {
    Node x = g.input(name, s);
    p.set(name, x);
    leaves.add(x, random_tensor(s.with_front(kBatch), rng, lo, hi));
    wrt.push_back(x);
    return leaves.values.back();
  }
  Tensor param(const std::string& name, Shape s, double lo = -2, double hi = 2) {
    Node w = g.param(name, s);
    p.set(name, w);
    leaves.add(w, random_tensor(s, rng, lo, hi));
    wrt.push_back(w);
    return leaves.values.back();
  }
  // An input that is not differentiated (a mask).
  void data(const std::string& name, Shape s, Tensor t) {
    Node x = g.input(name, s);
    p.set(name, x);
    leaves.add(x, std::move(t));
  }

  void define_all(std::initializer_list<const char*> equations) {
    for (const char* e : equations) p.define(e);
  }

  Tensor run(const std::string& expression) {
    Node n = p.parse(expression);
    Machine vm(compile(g, {n}));
    eq::testing::set_leaves(vm, leaves);
    vm.run();
    return vm.value(n);
  }

  // Σ(e ⊙ R) for a fixed random R: its gradient against central differences.
  void check_gradient(const std::string& expression) {
    INFO("gradient of " << expression);
    Node n = p.parse(expression);
    Node r = g.input("R" + std::to_string(g.size()), n.shape().example());
    leaves.add(r, random_tensor(n.shape().example().with_front(kBatch), rng, -1, 1));
    eq::testing::gradient_error(ir::sum(n * r, 0), leaves, wrt);
  }
};

void check_values(const Tensor& got, const std::vector<double>& want, double tol = 1e-13) {
  REQUIRE(got.numel() == static_cast<std::int64_t>(want.size()));
  for (std::size_t i = 0; i < want.size(); ++i) {
    INFO("element " << i);
    CHECK(std::abs(got.at(static_cast<std::int64_t>(i)) - want[i]) <=
          tol * std::max(1.0, std::abs(want[i])));
  }
}

// The reference of an elementwise function of one argument over a tensor.
std::vector<double> map1(const Tensor& x, const std::function<double(double)>& f) {
  std::vector<double> out;
  for (std::int64_t i = 0; i < x.numel(); ++i) out.push_back(f(x.at(i)));
  return out;
}

using eq::testing::diagnose;

const double kInvSqrt2 = 0.70710678118654752440;

}  // namespace

TEST_CASE("§9 elementwise built-ins equal their float64 formulas", "[lang-v2]") {
  Bench b;
  Tensor x = b.input("x", Shape{2, 4});
  check_values(b.run("erf(x)"), map1(x, [](double v) { return std::erf(v); }), 1e-14);
  check_values(b.run("gelu(x)"),
               map1(x, [](double v) { return 0.5 * v * (1 + std::erf(v * kInvSqrt2)); }), 1e-14);
  check_values(b.run("elu(x)"), map1(x, [](double v) { return v > 0 ? v : std::expm1(v); }), 1e-14);
  check_values(b.run("sign(x)"), map1(x, [](double v) {
                 return v > 0 ? 1.0 : v < 0 ? -1.0 : 0.0;
               }));
  check_values(b.run("floor(3x)"), map1(x, [](double v) { return std::floor(3 * v); }));
  check_values(b.run("leaky_relu(x)"), map1(x, [](double v) { return v > 0 ? v : 0.01 * v; }));
  check_values(b.run("leaky_relu(x, α = 0.2)"),
               map1(x, [](double v) { return v > 0 ? v : 0.2 * v; }));
  check_values(b.run("leaky_relu(x, 0.3)"), map1(x, [](double v) { return v > 0 ? v : 0.3 * v; }));
  check_values(b.run("clip(x, -0.5, 1)"),
               map1(x, [](double v) { return std::min(std::max(v, -0.5), 1.0); }));
  // Hand-derived points: gelu(1) = Φ(1) = 0.841344746…, elu(−1) = 1/e − 1.
  Bench c;
  c.data("one", Shape{}, Tensor::from(Shape{1}, {1.0}, DType::f64));
  CHECK(c.run("gelu(one)").at(0) == Approx(0.8413447460685429).epsilon(1e-15));
  CHECK(c.run("elu(-one)").at(0) == Approx(std::exp(-1.0) - 1).epsilon(1e-15));
  CHECK(c.run("erf(one)").at(0) == Approx(0.8427007929497149).epsilon(1e-15));
}

TEST_CASE("§9 comparisons give 1 or 0 and where picks a branch", "[lang-v2]") {
  Bench b;
  Tensor x = b.input("x", Shape{5});
  Tensor y = b.input("y", Shape{5});
  auto pairwise = [&](const std::function<bool(double, double)>& f) {
    std::vector<double> out;
    for (std::int64_t i = 0; i < x.numel(); ++i) out.push_back(f(x.at(i), y.at(i)) ? 1 : 0);
    return out;
  };
  check_values(b.run("x < y"), pairwise([](double u, double v) { return u < v; }));
  check_values(b.run("x > y"), pairwise([](double u, double v) { return u > v; }));
  check_values(b.run("x ≤ y"), pairwise([](double u, double v) { return u <= v; }));
  check_values(b.run("x >= y"), pairwise([](double u, double v) { return u >= v; }));
  check_values(b.run("x ≠ x"), pairwise([](double, double) { return false; }));
  // They bind looser than + and -: x + 1 < y is (x + 1) < y.
  check_values(b.run("x + 1 < y"), pairwise([](double u, double v) { return u + 1 < v; }));
  // Huber: where(|x − y| ≤ 1, ½(x − y)², |x − y| − ½).
  std::vector<double> huber;
  for (std::int64_t i = 0; i < x.numel(); ++i) {
    double d = std::abs(x.at(i) - y.at(i));
    huber.push_back(d <= 1 ? 0.5 * d * d : d - 0.5);
  }
  check_values(b.run("where(abs(x - y) ≤ 1, 0.5(x - y)², abs(x - y) - 0.5)"), huber);
}

TEST_CASE("§9 elementwise built-ins: gradients against central differences", "[lang-v2]") {
  Bench b;
  b.input("x", Shape{2, 3});
  b.param("a", Shape{3}, 0.05, 0.5);
  b.param("v", Shape{3});
  for (const char* e : {"erf(x)", "gelu(x)", "elu(x)", "leaky_relu(x, α = a)", "leaky_relu(x)",
                        "clip(x, -1, a)", "where(x > v, x*v, gelu(v))", "x*floor(v) + sign(v)*x"})
    b.check_gradient(e);
}

TEST_CASE("§9 elementwise built-ins: located errors with both shapes", "[lang-v2]") {
  CHECK(diagnose("input x : [3]\nparam b : [4] ~ 0\ny = x < b\n") ==
        "m.eq:3:5: error: cannot compare x [3] < b [4]\n"
        "y = x < b\n"
        "    ^   ~\n");
  CHECK(
      diagnose("input x : [3]\nparam b : [4] ~ 0\ny = where(x, b, 0)\n") ==
      "m.eq:3:11: error: cannot take where of x [3], b [4] and 0 []: the shapes do not broadcast\n"
      "y = where(x, b, 0)\n"
      "          ^  ~  ~\n");
  CHECK(diagnose("input x : [3]\ny = clip(x, 0)\n") ==
        "m.eq:2:5: error: clip takes 3 arguments; got 2\n"
        "y = clip(x, 0)\n"
        "    ^~~~~~~~~~\n");
  CHECK(diagnose("input x : [3]\ny = leaky_relu(x, beta = 0.1)\n") ==
        "m.eq:2:19: error: leaky_relu has no argument named 'beta'; it takes 'α = …'\n"
        "y = leaky_relu(x, beta = 0.1)\n"
        "                  ^~~~\n");
}

TEST_CASE("§9 reductions along one axis keep it, and broadcast back", "[lang-v2]") {
  Bench b;
  const std::int64_t T = 3, D = 4;
  Tensor X = b.input("X", Shape{T, D});
  auto at = [&](std::int64_t e, std::int64_t t, std::int64_t d) {
    return X.at((e * T + t) * D + d);
  };
  // Layer norm as §9 writes it, against plain loops.
  std::vector<double> norm, row_sum, col_max, col_lse, total_lse;
  for (std::int64_t e = 0; e < kBatch; ++e) {
    double all = 0, big = -1e300;
    for (std::int64_t t = 0; t < T; ++t)
      for (std::int64_t d = 0; d < D; ++d) big = std::max(big, at(e, t, d));
    for (std::int64_t t = 0; t < T; ++t)
      for (std::int64_t d = 0; d < D; ++d) all += std::exp(at(e, t, d) - big);
    total_lse.push_back(big + std::log(all));
    for (std::int64_t t = 0; t < T; ++t) {
      double mu = 0, var = 0, s = 0;
      for (std::int64_t d = 0; d < D; ++d) mu += at(e, t, d) / D;
      for (std::int64_t d = 0; d < D; ++d) var += (at(e, t, d) - mu) * (at(e, t, d) - mu) / D;
      for (std::int64_t d = 0; d < D; ++d)
        norm.push_back((at(e, t, d) - mu) / std::sqrt(var + 1e-5));
      for (std::int64_t d = 0; d < D; ++d) s += at(e, t, d);
      row_sum.push_back(s);
    }
    for (std::int64_t d = 0; d < D; ++d) {
      double m = -1e300, z = 0;
      for (std::int64_t t = 0; t < T; ++t) m = std::max(m, at(e, t, d));
      for (std::int64_t t = 0; t < T; ++t) z += std::exp(at(e, t, d) - m);
      col_max.push_back(m);
      col_lse.push_back(m + std::log(z));
    }
  }
  b.p.define("μ = mean(X, axis = -1)");
  check_values(b.run("(X - μ) / √(mean((X - μ)², axis = -1) + 0.00001)"), norm, 1e-12);
  Tensor s = b.run("Σ(X, axis = 1)");
  CHECK(s.shape() == Shape{kBatch, T, 1});
  check_values(s, row_sum);
  Tensor m = b.run("max(X, axis = 0)");
  CHECK(m.shape() == Shape{kBatch, 1, D});
  check_values(m, col_max);
  check_values(b.run("logsumexp(X, axis = -2)"), col_lse, 1e-13);
  check_values(b.run("logsumexp(X)"), total_lse, 1e-13);
  // min along the last axis of a vector is its min, kept as [1].
  Bench v;
  Tensor x = v.input("x", Shape{5});
  std::vector<double> mins;
  for (std::int64_t e = 0; e < kBatch; ++e) {
    double lo = 1e300;
    for (std::int64_t i = 0; i < 5; ++i) lo = std::min(lo, x.at(e * 5 + i));
    mins.push_back(lo);
  }
  Tensor lo = v.run("min(x, axis = 0)");
  CHECK(lo.shape() == Shape{kBatch, 1});
  check_values(lo, mins);
  // logsumexp is stable: logits of 1000 do not overflow.
  Bench big;
  big.data("z", Shape{2}, Tensor::from(Shape{1, 2}, {1000.0, 1000.0}, DType::f64));
  CHECK(big.run("logsumexp(z)").at(0) == Approx(1000 + std::log(2.0)).epsilon(1e-15));
}

TEST_CASE("§9 axis reductions: gradients against central differences", "[lang-v2]") {
  Bench b;
  b.input("X", Shape{3, 4});
  b.param("g", Shape{4});
  b.define_all({"μ = mean(X, axis = -1)", "v = mean((X - μ)², axis = -1)"});
  for (const char* e : {"g * (X - μ) / √(v + 0.1)", "Σ(X, axis = 0) * g", "max(X, axis = 1)",
                        "min(X*g, axis = 0)", "logsumexp(X*g, axis = -1)", "logsumexp(X + g)"})
    b.check_gradient(e);
}

TEST_CASE("§9 axis reductions: located errors", "[lang-v2]") {
  CHECK(diagnose("input X : [3, 4]\ny = Σ(X, axis = 2)\n") ==
        "m.eq:2:17: error: axis 2 is out of range: X [3, 4] has axes 0 and 1 (or -2 and -1); an "
        "equation is about one example, whose axes do not count the batch (docs/language.md "
        "§5)\n"
        "y = Σ(X, axis = 2)\n"
        "      ~         ^\n");
  CHECK(diagnose("input X : [3, 4]\ny = Σ(X, axis = -3)\n") ==
        "m.eq:2:17: error: axis -3 is out of range: X [3, 4] has axes 0 and 1 (or -2 and -1)\n"
        "y = Σ(X, axis = -3)\n"
        "      ~         ^~\n");
  CHECK(diagnose("input x : [3]\ny = mean(x, axis = 1)\n") ==
        "m.eq:2:20: error: axis 1 is out of range: x [3] has one axis: 0 (or -1); an equation is "
        "about one example, whose axes do not count the batch (docs/language.md §5)\n"
        "y = mean(x, axis = 1)\n"
        "         ~         ^\n");
  CHECK(diagnose("input x : [3]\nc = Σ(x)\ny = mean(c, axis = 0)\n") ==
        "m.eq:3:20: error: axis 0 is out of range: c [] has no axes\n"
        "y = mean(c, axis = 0)\n"
        "         ~         ^\n");
  CHECK(diagnose("input x : [3]\ny = mean(x, axis = 0.5)\n") ==
        "m.eq:2:20: error: axis must be a whole number, like axis = -1\n"
        "y = mean(x, axis = 0.5)\n"
        "                   ^~~\n");
  CHECK(diagnose("input x : [3]\ny = max(x, x, axis = 0)\n") ==
        "m.eq:2:15: error: axis = … reduces one value; max of two values is elementwise\n"
        "y = max(x, x, axis = 0)\n"
        "              ^~~~~~~~\n");
  CHECK(diagnose("input x : [3]\ny = softmax(x, axis = 0)\n") ==
        "m.eq:2:16: error: softmax has no argument named 'axis'; it always works along the "
        "last axis, one row at a time: write softmax(x)\n"
        "y = softmax(x, axis = 0)\n"
        "               ^~~~\n");
}

TEST_CASE("§9 concatenation joins along the last axis; W·[h, x] is Colah's product", "[lang-v2]") {
  Bench b;
  const std::int64_t H = 3, X = 2;
  Tensor h = b.input("h", Shape{H});
  Tensor x = b.input("x", Shape{X});
  Tensor W = b.param("W", Shape{H, H + X});
  Tensor c = b.param("c", Shape{2});
  std::vector<double> joined, product;
  for (std::int64_t e = 0; e < kBatch; ++e) {
    for (std::int64_t i = 0; i < H; ++i) joined.push_back(h.at(e * H + i));
    for (std::int64_t i = 0; i < X; ++i) joined.push_back(x.at(e * X + i));
    for (std::int64_t i = 0; i < 2; ++i) joined.push_back(c.at(i));
    for (std::int64_t r = 0; r < H; ++r) {
      double s = 0;
      for (std::int64_t k = 0; k < H; ++k) s += W.at(r * (H + X) + k) * h.at(e * H + k);
      for (std::int64_t k = 0; k < X; ++k) s += W.at(r * (H + X) + H + k) * x.at(e * X + k);
      product.push_back(s);
    }
  }
  Tensor j = b.run("[h, x, c]");
  CHECK(j.shape() == Shape{kBatch, H + X + 2});
  check_values(j, joined);
  check_values(b.run("W·[h, x]"), product, 1e-13);
  b.check_gradient("tanh(W·[h, x]) + [c, x[0]] * [2c, h[1]]");
}

TEST_CASE("§9 concatenation: a vector joins every row of a matrix, a param's as an input's",
          "[lang-v2]") {
  // docs/language.md §9.3: the axes before the last broadcast as for `+`,
  // so [X, c] with X : [T, D] and c : [K] is [T, D + K] — for a param c
  // (no batch axis) as for an input's vector.
  Bench b;
  const std::int64_t T = 3, D = 2, K = 2;
  Tensor X = b.input("X", Shape{T, D});
  Tensor v = b.input("v", Shape{K});
  Tensor c = b.param("c", Shape{K});
  std::vector<double> with_c, with_v;
  for (std::int64_t e = 0; e < kBatch; ++e)
    for (std::int64_t t = 0; t < T; ++t) {
      for (std::int64_t d = 0; d < D; ++d) {
        with_c.push_back(X.at((e * T + t) * D + d));
        with_v.push_back(X.at((e * T + t) * D + d));
      }
      for (std::int64_t k = 0; k < K; ++k) {
        with_c.push_back(c.at(k));
        with_v.push_back(v.at(e * K + k));
      }
    }
  Tensor joined = b.run("[X, c]");
  CHECK(joined.shape() == Shape{kBatch, T, D + K});
  check_values(joined, with_c);
  check_values(b.run("[X, v]"), with_v);
  // c's gradient sums over the rows and the examples it joined.
  b.check_gradient("tanh([X, c]) * [v, X[0]][0]");
  CHECK(diagnose("input X : [3, 2]\nparam P : [2, 2] ~ glorot\ny = [X, P]\n") ==
        "m.eq:3:6: error: cannot join [X [3, 2], P [2, 2]]: parts join along their last axis, "
        "so the axes before it must match (or be 1)\n"
        "y = [X, P]\n"
        "     ^  ~\n");
}

TEST_CASE("§9 indexing and slices follow numpy on one example", "[lang-v2]") {
  Bench b;
  const std::int64_t T = 3, D = 4, N = 5;
  Tensor X = b.input("X", Shape{T, D});
  Tensor h = b.input("h", Shape{N});
  auto rows = [&](const std::function<void(std::int64_t, std::vector<double>&)>& f) {
    std::vector<double> out;
    for (std::int64_t e = 0; e < kBatch; ++e) f(e, out);
    return out;
  };
  auto hx = [&](std::int64_t e, std::int64_t i) { return h.at(e * N + i); };
  auto Xx = [&](std::int64_t e, std::int64_t t, std::int64_t d) {
    return X.at((e * T + t) * D + d);
  };
  check_values(b.run("h[1:3]"), rows([&](auto e, auto& o) {
                 o.push_back(hx(e, 1));
                 o.push_back(hx(e, 2));
               }));
  check_values(b.run("h[:2]"), rows([&](auto e, auto& o) {
                 o.push_back(hx(e, 0));
                 o.push_back(hx(e, 1));
               }));
  check_values(b.run("h[3:]"), rows([&](auto e, auto& o) {
                 o.push_back(hx(e, 3));
                 o.push_back(hx(e, 4));
               }));
  Tensor last = b.run("h[-1]");
  CHECK(last.shape() == Shape{kBatch});
  check_values(last, rows([&](auto e, auto& o) { o.push_back(hx(e, 4)); }));
  Tensor row = b.run("X[1]");
  CHECK(row.shape() == Shape{kBatch, D});
  check_values(row, rows([&](auto e, auto& o) {
                 for (int d = 0; d < D; ++d) o.push_back(Xx(e, 1, d));
               }));
  Tensor cols = b.run("X[:, 1:3]");
  CHECK(cols.shape() == Shape{kBatch, T, 2});
  check_values(cols, rows([&](auto e, auto& o) {
                 for (int t = 0; t < T; ++t)
                   for (int d = 1; d < 3; ++d) o.push_back(Xx(e, t, d));
               }));
  check_values(b.run("X[0:2]"), rows([&](auto e, auto& o) {
                 for (int t = 0; t < 2; ++t)
                   for (int d = 0; d < D; ++d) o.push_back(Xx(e, t, d));
               }));
  check_values(b.run("X[2][-2] + X[2, 1]"),
               rows([&](auto e, auto& o) { o.push_back(Xx(e, 2, 2) + Xx(e, 2, 1)); }));
  Tensor flat = b.run("vec(X)");
  CHECK(flat.shape() == Shape{kBatch, T * D});
  check_values(flat, rows([&](auto e, auto& o) {
                 for (int t = 0; t < T; ++t)
                   for (int d = 0; d < D; ++d) o.push_back(Xx(e, t, d));
               }));
  b.check_gradient("X[:, 1:3] * h[3:] + X[1][0] * vec(X)[5:7] + h[-1]");
}

TEST_CASE("§9 concatenation and slices: located errors", "[lang-v2]") {
  CHECK(diagnose("input X : [3, 4]\ninput y : [2, 2]\nz = [X, y]\n") ==
        "m.eq:3:6: error: cannot join [X [3, 4], y [2, 2]]: parts join along their last axis, so "
        "the axes before it must match (or be 1)\n"
        "z = [X, y]\n"
        "     ^  ~\n");
  CHECK(diagnose("input h : [4]\nz = h[2:5]\n") ==
        "m.eq:2:7: error: [2:5] is out of range for axis 0 of h [4] (size 4)\n"
        "z = h[2:5]\n"
        "    ~ ^~~\n");
  CHECK(diagnose("input h : [4]\nz = h[0, 1]\n") ==
        "m.eq:2:10: error: h [4] has 1 axis; it is indexed with 2\n"
        "z = h[0, 1]\n"
        "    ~    ^\n");
  CHECK(diagnose("input h : [4]\ninput k : [1]\nz = h[k]\n") ==
        "m.eq:3:7: error: an index must be a number, a dim, or + - * / of them; k is not\n"
        "z = h[k]\n"
        "      ^\n");
  CHECK(diagnose("dim H = 2\ninput h : [2H]\nz = h[H:2H] + h[:H]\n") == "no error");
}

// ---- §9.1 per-example matrices ----------------------------------------------

namespace {

// Element (r, c) of example e's matrix in a batched [B, R, C] tensor.
double at3(const Tensor& t, std::int64_t e, std::int64_t r, std::int64_t c) {
  const Shape& s = t.shape();
  return t.at((e * s[1] + r) * s[2] + c);
}

}  // namespace

TEST_CASE("§9.1 products of per-example matrices equal float64 loops", "[lang-v2]") {
  Bench b;
  const std::int64_t T = 3, D = 4, K = 2;
  Tensor X = b.input("X", Shape{T, D});
  Tensor W = b.param("W", Shape{D, K});
  Tensor M = b.param("M", Shape{K, T});
  Tensor w = b.param("w", Shape{D});
  Tensor u = b.input("u", Shape{T});
  Tensor c = b.param("c", Shape{D});
  // One loop per form, example by example.
  std::vector<double> xw, xxt, xtx, mx, xv, ux, soft, xt, plus;
  for (std::int64_t e = 0; e < kBatch; ++e) {
    for (std::int64_t i = 0; i < T; ++i)
      for (std::int64_t j = 0; j < K; ++j) {
        double s = 0;
        for (std::int64_t k = 0; k < D; ++k) s += at3(X, e, i, k) * W.at(k * K + j);
        xw.push_back(s);
      }
    for (std::int64_t i = 0; i < T; ++i)
      for (std::int64_t j = 0; j < T; ++j) {
        double s = 0;
        for (std::int64_t k = 0; k < D; ++k) s += at3(X, e, i, k) * at3(X, e, j, k);
        xxt.push_back(s);
      }
    for (std::int64_t i = 0; i < D; ++i)
      for (std::int64_t j = 0; j < D; ++j) {
        double s = 0;
        for (std::int64_t k = 0; k < T; ++k) s += at3(X, e, k, i) * at3(X, e, k, j);
        xtx.push_back(s);
      }
    for (std::int64_t i = 0; i < K; ++i)
      for (std::int64_t j = 0; j < D; ++j) {
        double s = 0;
        for (std::int64_t k = 0; k < T; ++k) s += M.at(i * T + k) * at3(X, e, k, j);
        mx.push_back(s);
      }
    for (std::int64_t i = 0; i < T; ++i) {
      double s = 0;
      for (std::int64_t k = 0; k < D; ++k) s += at3(X, e, i, k) * w.at(k);
      xv.push_back(s);
    }
    for (std::int64_t j = 0; j < D; ++j) {
      double s = 0;
      for (std::int64_t k = 0; k < T; ++k) s += u.at(e * T + k) * at3(X, e, k, j);
      ux.push_back(s);
    }
    for (std::int64_t i = 0; i < T; ++i) {
      double top = -INFINITY, total = 0;
      for (std::int64_t k = 0; k < D; ++k) top = std::max(top, at3(X, e, i, k));
      for (std::int64_t k = 0; k < D; ++k) total += std::exp(at3(X, e, i, k) - top);
      for (std::int64_t k = 0; k < D; ++k) soft.push_back(std::exp(at3(X, e, i, k) - top) / total);
    }
    for (std::int64_t j = 0; j < D; ++j)
      for (std::int64_t i = 0; i < T; ++i) xt.push_back(at3(X, e, i, j));
    for (std::int64_t i = 0; i < T; ++i)
      for (std::int64_t k = 0; k < D; ++k) plus.push_back(at3(X, e, i, k) + c.at(k));
  }
  Tensor got = b.run("X·W");
  CHECK(got.shape() == Shape{kBatch, T, K});
  check_values(got, xw);
  check_values(b.run("X·Xᵀ"), xxt);
  check_values(b.run("Xᵀ·X"), xtx);
  check_values(b.run("M·X"), mx);
  check_values(b.run("(Xᵀ·Mᵀ)ᵀ"), mx);  // both flags, then a transposed result
  got = b.run("X·w");
  CHECK(got.shape() == Shape{kBatch, T});
  check_values(got, xv);
  got = b.run("u·X");
  CHECK(got.shape() == Shape{kBatch, D});
  check_values(got, ux);
  check_values(b.run("softmax(X)"), soft);
  check_values(b.run("Xᵀ"), xt);
  check_values(b.run("X + c"), plus);
}

TEST_CASE("§9.1 self-attention: gradients against central differences", "[lang-v2]") {
  Bench b;
  b.input("X", Shape{3, 4});
  b.param("W_q", Shape{4, 2});
  b.param("Wₖ", Shape{4, 2});
  b.param("Wᵥ", Shape{4, 3});
  b.param("γ", Shape{4});
  b.param("m", Shape{2, 3});
  b.input("u", Shape{3});
  b.define_all({"Xₙ = γ*(X - mean(X, axis = -1))", "Q = Xₙ·W_q", "K = Xₙ·Wₖ", "V = X·Wᵥ",
                "A = softmax(Q·Kᵀ / 2)"});
  b.check_gradient("A·V");
  b.check_gradient("logsoftmax(m·V) + (u·X)[1]");
  b.check_gradient("Vᵀ·A + logsumexp(Q, axis = -1)");
}

TEST_CASE("§9.1 the transpose written X^T: an unknown T says Xᵀ, a dim T warns", "[lang-v2]") {
  CHECK(diagnose("input K : [3, 4]\nA = K·K^T\n") ==
        "m.eq:2:9: error: unknown name 'T'; for the transpose write Kᵀ (or transpose(K))\n"
        "A = K·K^T\n"
        "        ^\n");
  CHECK(diagnose("input K : [3, 4]\nA = (K + 1)^t\n") ==
        "m.eq:2:13: error: unknown name 't'; for the transpose write (K + 1)ᵀ (or "
        "transpose(K + 1))\n"
        "A = (K + 1)^t\n"
        "            ^\n");
  // With a dim T, K^T is a power: legal, and almost never what was meant.
  CHECK(eq::Model::from_source("m.eq", "dim T = 3\ninput K : [T, T]\nA = K·K^T\n").warnings() ==
        "m.eq:3:7: warning: K^T raises each element to the power T (a dim); for the transpose "
        "write Kᵀ (or transpose(K))\n"
        "A = K·K^T\n"
        "      ^~~\n");
  // A vector is its own transpose: no warning.
  CHECK(eq::Model::from_source("m.eq", "dim T = 3\ninput k : [T]\nA = k^T\n").warnings().empty());
}

TEST_CASE("§9.1 per-example products: located errors with both shapes", "[lang-v2]") {
  CHECK(diagnose("input X : [3, 4]\nparam W : [3, 2] ~ glorot\nz = X·W\n") ==
        "m.eq:3:5: error: cannot multiply X [3, 4] · W [3, 2]\n"
        "z = X·W\n"
        "    ^ ~\n");
  // Attention's scores with the transpose forgotten: the product that fits.
  CHECK(diagnose("input X : [3, 4]\ninput Y : [3, 4]\nz = X·Y\n") ==
        "m.eq:3:5: error: cannot multiply X [3, 4] · Y [3, 4]: for the transpose of Y write Yᵀ: "
        "X·Yᵀ is [3, 3]\n"
        "z = X·Y\n"
        "    ^ ~\n");
  CHECK(diagnose("input X : [3, 4]\nparam W : [2, 4] ~ glorot\nz = X·(W + 1)\n") ==
        "m.eq:3:5: error: cannot multiply X [3, 4] · (W + 1) [2, 4]: for the transpose of "
        "(W + 1) write (W + 1)ᵀ: X·(W + 1)ᵀ is [3, 2]\n"
        "z = X·(W + 1)\n"
        "    ^ ~~~~~~~\n");
  // A ᵀ too many: drop it (it said "write Wᵀᵀ"; found in an audit).
  CHECK(diagnose("input X : [3, 4]\nparam W : [4, 2] ~ glorot\nz = X·Wᵀ\n") ==
        "m.eq:3:5: error: cannot multiply X [3, 4] · Wᵀ [2, 4]: without the ᵀ: X·W is [3, 2]\n"
        "z = X·Wᵀ\n"
        "    ^ ~~\n");
  CHECK(diagnose("input X : [3, 4]\ninput Y : [3, 4]\nz = X·Yᵀ + X\n") ==
        "m.eq:3:5: error: cannot add X·Yᵀ [3, 3] + X [3, 4]\n"
        "z = X·Yᵀ + X\n"
        "    ^~~~   ~\n");
}
