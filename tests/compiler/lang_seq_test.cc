// docs/language.md §9.7: `input w : onehot[T, V]`, T class indices per
// example, and `w·E` as a row lookup. Checked as lang_v2_test checks §9:
// values against float64 loops written here (E's rows picked by hand),
// gradients against central differences, the graph (a gather of rows, no
// one-hot matrix and no product), and the located errors.
#include <catch2/catch.hpp>
#include <cmath>
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

const std::int64_t kBatch = 3, kT = 3, kV = 5, kD = 4;

// w : onehot[T, V] with fixed indices (repeats within and across examples,
// both ends of 0…V−1), E : [V, D], and a few dense leaves to compose with.
struct Bench {
  Graph g{DType::f64};
  Parser p{g};
  Leaves leaves;
  std::vector<Node> wrt;
  std::mt19937 rng{20261130};
  Tensor idx = Tensor::from(Shape{kBatch, kT}, {4, 0, 4, 1, 1, 3, 0, 2, 4}, DType::i32);

  Bench() {
    Node w = g.input_onehot("w", kV, Shape{kT});
    p.set("w", w);
    leaves.add(w, idx);
  }
  Tensor param(const std::string& name, Shape s) {
    Node n = g.param(name, s);
    p.set(name, n);
    leaves.add(n, random_tensor(s, rng, -2, 2));
    wrt.push_back(n);
    return leaves.values.back();
  }
  Tensor input(const std::string& name, Shape s) {
    Node n = g.input(name, s);
    p.set(name, n);
    leaves.add(n, random_tensor(s.with_front(kBatch), rng, -2, 2));
    wrt.push_back(n);
    return leaves.values.back();
  }
  Tensor run(const std::string& expression) {
    Node n = p.parse(expression);
    Machine vm(compile(g, {n}));
    eq::testing::set_leaves(vm, leaves);
    vm.run();
    return vm.value(n);
  }
  void check_gradient(const std::string& expression) {
    INFO("gradient of " << expression);
    Node n = p.parse(expression);
    Node r = g.input("R" + std::to_string(g.size()), n.shape().example());
    leaves.add(r, random_tensor(n.shape().example().with_front(kBatch), rng, -1, 1));
    eq::testing::gradient_error(ir::sum(n * r, 0), leaves, wrt);
  }
  // Index t of example e.
  std::int64_t at(std::int64_t e, std::int64_t t) const {
    return static_cast<std::int64_t>(idx.at(e * kT + t));
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

// Whether any node `n` depends on (itself included) is `op`.
bool reaches(Node n, ir::Op op) {
  if (n.op() == op) return true;
  for (int i = 0; i < n.arity(); ++i)
    if (reaches(n.input(i), op)) return true;
  return false;
}

using eq::testing::diagnose;

}  // namespace

TEST_CASE("§9.7 w·E of a onehot[T, V] input looks up rows of E", "[lang-v2][onehot-seq]") {
  Bench b;
  Tensor E = b.param("E", Shape{kV, kD});
  Tensor W = b.param("W", Shape{kD, 2});
  Tensor F = b.param("F", Shape{kD, kV});
  Tensor c = b.param("c", Shape{kD});
  Tensor X = b.input("X", Shape{kT, 2});
  // e(e, t, k): the embedding of index t of example e, by hand.
  auto e = [&](std::int64_t ex, std::int64_t t, std::int64_t k) {
    return E.at(b.at(ex, t) * kD + k);
  };
  std::vector<double> rows, rows_f, projected, soft, joined, summed;
  for (std::int64_t ex = 0; ex < kBatch; ++ex) {
    for (std::int64_t t = 0; t < kT; ++t) {
      for (std::int64_t k = 0; k < kD; ++k) rows.push_back(e(ex, t, k));
      for (std::int64_t k = 0; k < kD; ++k) rows_f.push_back(F.at(k * kV + b.at(ex, t)));
      for (std::int64_t j = 0; j < 2; ++j) {
        double s = 0;
        for (std::int64_t k = 0; k < kD; ++k) s += e(ex, t, k) * W.at(k * 2 + j);
        projected.push_back(s);
      }
      double total = 0;
      for (std::int64_t k = 0; k < kD; ++k) total += std::exp(e(ex, t, k) + c.at(k));
      for (std::int64_t k = 0; k < kD; ++k) soft.push_back(std::exp(e(ex, t, k) + c.at(k)) / total);
      for (std::int64_t k = 0; k < kD; ++k) joined.push_back(e(ex, t, k));
      for (std::int64_t k = 0; k < 2; ++k) joined.push_back(X.at((ex * kT + t) * 2 + k));
    }
    for (std::int64_t k = 0; k < kD; ++k) summed.push_back(e(ex, 0, k) + e(ex, 1, k) + e(ex, 2, k));
  }
  Tensor got = b.run("w·E");
  CHECK(got.shape() == Shape{kBatch, kT, kD});
  check_values(got, rows, 0);  // copies: exact
  check_values(b.run("w·Fᵀ"), rows_f, 0);
  // vec lays the T rows out one after another: the concatenated embeddings
  // x = (C(w₁), …, C(w_T)) of Bengio et al. (2003).
  got = b.run("vec(w·E)");
  CHECK(got.shape() == Shape{kBatch, kT * kD});
  check_values(got, rows, 0);
  check_values(b.run("(w·E)·W"), projected);
  check_values(b.run("softmax(w·E + c)"), soft);
  check_values(b.run("[w·E, X]"), joined, 0);
  check_values(b.run("Σ(w·E, axis = 0)"), summed);

  // A lookup, not a product: no one-hot matrix and no matmul in the graph.
  Node lookup = b.p.parse("w·E");
  CHECK(lookup.op() == ir::Op::gather_rows);
  CHECK_FALSE(reaches(lookup, ir::Op::onehot));
  CHECK_FALSE(reaches(lookup, ir::Op::matmul));
  CHECK_FALSE(reaches(b.p.parse("vec(w·Fᵀ)"), ir::Op::onehot));
  // (w·E)·W is then one [B·T, D]·[D, 2] product of the looked-up rows.
  Node product = b.p.parse("(w·E)·W");
  CHECK(product.op() == ir::Op::matmul);
  CHECK(product.input(0).op() == ir::Op::gather_rows);
}

TEST_CASE("§9.7 lookups: gradients against central differences", "[lang-v2][onehot-seq]") {
  Bench b;
  b.param("E", Shape{kV, kD});
  b.param("F", Shape{kD, kV});
  b.param("H", Shape{2, kT * kD});
  b.param("W", Shape{kD, 2});
  b.param("d", Shape{2});
  b.param("U", Shape{kD + 2, 2});
  b.input("X", Shape{kT, 2});
  // Bengio's hidden layer over the concatenated embeddings, and the
  // per-example-matrix forms the lookup feeds.
  b.check_gradient("tanh(d + H·vec(w·E))");
  b.check_gradient("softmax((w·E)·W) + X");
  b.check_gradient("[w·E, X]·U");
  b.check_gradient("logsumexp(w·Fᵀ + w·E, axis = -1)");
}

TEST_CASE("§9.7 onehot[T, V]: located errors", "[lang-v2][onehot-seq]") {
  CHECK(diagnose("input w : onehot[3, 5]\nparam E : [4, 2] ~ glorot\nz = w·E\n") ==
        "m.eq:3:5: error: cannot multiply w [3, 5] · E [4, 2]\n"
        "z = w·E\n"
        "    ^ ~\n");
  CHECK(diagnose("input w : onehot[3, 5]\nparam E : [5, 2] ~ glorot\nz = w·E + w\n") ==
        "m.eq:3:5: error: cannot add w·E [3, 2] + w [3, 5]\n"
        "z = w·E + w\n"
        "    ^~~   ~\n");
  CHECK(diagnose("target y : onehot[3, 5]\n") ==
        "m.eq:1:12: error: a onehot target takes one size, the number of classes: onehot[V] "
        "(onehot[T, V] is for inputs)\n"
        "target y : onehot[3, 5]\n"
        "           ^~~~~~~~~~~~\n");
  CHECK(diagnose("input w : onehot[2, 3, 5]\n") ==
        "m.eq:1:11: error: onehot takes the classes, or a count and the classes: onehot[V] or "
        "onehot[T, V]\n"
        "input w : onehot[2, 3, 5]\n"
        "          ^~~~~~~~~~~~~~~\n");
  CHECK(diagnose("input xₜ : onehot[3, 5]\n") ==
        "m.eq:1:12: error: a step of a time model takes one size, the number of classes: "
        "onehot[V] (onehot[T, V] is T indices of one example)\n"
        "input xₜ : onehot[3, 5]\n"
        "           ^~~~~~~~~~~~\n");
  CHECK(diagnose("input w : onehot[3, 5]\nparam E : [5, 2] ~ glorot\nz = vec(w·E)\n") ==
        "no error");
}
