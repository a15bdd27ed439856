// The graph IR: hash-consing, shape rules, batch axis.
#include <catch2/catch.hpp>

#include "eq/compiler/ir/builders.hpp"
#include "eq/runtime/error.hpp"

using namespace eq;
using namespace eq::ir;

namespace {
int count_op(const Graph& g, Op op) {
  int n = 0;
  for (NodeId i = 0; i < g.size(); ++i) n += g.data(i).op == op;
  return n;
}
}  // namespace

TEST_CASE("hash-consing: σ(W·x) + σ(W·x) holds one σ and one product", "[ir]") {
  Graph g;
  Node W = g.param("W", Shape{3, 4});
  Node x = g.input("x", Shape{4});
  Node a = sigmoid(matmul(x, W, false, true));
  Node b = sigmoid(matmul(x, W, false, true));
  Node s = a + b;
  CHECK(a == b);
  CHECK(count_op(g, Op::sigmoid) == 1);
  CHECK(count_op(g, Op::matmul) == 1);
  CHECK(s.shape() == IShape::batched(Shape{3}));
  // Commutative ops are one node whatever the order; others are not.
  CHECK(x * W.graph().constant(2) == W.graph().constant(2) * x);
  CHECK_FALSE(x - W.graph().constant(2) == W.graph().constant(2) - x);
}

TEST_CASE("the batch axis stays in front and is contracted by products", "[ir]") {
  Graph g;
  Node W = g.param("W", Shape{3, 4});
  Node x = g.input("x", Shape{4});
  CHECK(x.shape().str() == "[B, 4]");
  Node y = matmul(x, W, false, true);
  CHECK(y.shape().str() == "[B, 3]");
  // dW = Gᵀ·X sums over the batch: the result has no batch axis.
  CHECK(matmul(y, x, true, false).shape().str() == "[3, 4]");
  CHECK(sum(y).shape().str() == "[B]");
  CHECK(sum(y, 0).shape().str() == "[]");
  CHECK(softmax(y).shape().str() == "[B, 3]");
}

TEST_CASE("factories reject shapes that do not fit, naming both", "[ir]") {
  Graph g;
  Node W = g.param("W", Shape{3, 4});
  Node v = g.param("v", Shape{5});
  Node x = g.input("x", Shape{4});
  CHECK_THROWS_WITH(matmul(W, v), "matmul: inner sizes differ: [3, 4] · [5]");
  CHECK_THROWS_WITH(W + v, "add: shapes do not broadcast: [3, 4] and [5]");
  CHECK_THROWS_WITH(transpose(x), "transpose: cannot swap the batch axis of [B, 4]");
  CHECK_THROWS_WITH(matmul(W, x), "matmul: inner sizes differ: [3, 4] · [B, 4]");
  CHECK_THROWS_WITH(g.param("W", Shape{2}), "'W' is already an input or parameter of this graph");
  Node i = g.input_indices("i");
  CHECK_THROWS_WITH(exp(i), "exp: needs float data, got [B] i32");
}

TEST_CASE("op spellings map to ops, both Unicode and ASCII", "[ir]") {
  CHECK(op_for_spelling("σ") == Op::sigmoid);
  CHECK(op_for_spelling("sigmoid") == Op::sigmoid);
  CHECK(op_for_spelling("ln") == Op::log);
  CHECK(op_for_spelling("√") == Op::sqrt);
  CHECK(op_for_spelling("Σ") == Op::sum);
  CHECK_FALSE(op_for_spelling("mean").has_value());  // a composite: sum / n
  CHECK_FALSE(op_for_spelling("nonsense").has_value());
}
