// The VJP dispatch: expands the vjp column of every op-table row into one
// case, with g, y, x0, x1, n and G in scope as ops.def documents.
#include <vector>

#include "eq/compiler/autodiff/grad.hpp"
#include "eq/compiler/ir/builders.hpp"
#include "eq/runtime/error.hpp"

namespace eq::autodiff {

using namespace eq::ir;

namespace {

// The gradients of op(a)·op(b) (numpy matmul of vectors and matrices): a
// vector is promoted to a row (left) or a column (right), the 2-D rule
// applied, and each gradient reshaped back.
// out_b = op(a_b)·op(b_b) for each example b (matmul with a stack), or
// Σ_b of them (matmul_sum): the 2-D rule per example. An operand shared by
// every example gets the sum of its per-example gradients, a matmul_sum
// when both factors are stacks (∂/∂W of X·W is Σ_b X_bᵀ·G_b).
std::vector<Node> per_example_matmul_vjp(Node n, Node g) {
  Node a = n.input(0), b = n.input(1);
  bool ta = n.attrs().trans_a, tb = n.attrs().trans_b;
  auto product = [](Node x, Node y, bool tx, bool ty, Node like) {
    const bool stacks = x.shape().has_batch() && y.shape().has_batch();
    return stacks && !like.shape().has_batch() ? matmul_sum(x, y, tx, ty) : matmul(x, y, tx, ty);
  };
  Node da = ta ? product(b, g, tb, true, a) : product(g, b, false, !tb, a);
  Node db = tb ? product(g, a, true, ta, b) : product(a, g, !ta, false, b);
  return {da, db};
}

std::vector<Node> matmul_vjp(Node n, Node g) {
  Node a = n.input(0), b = n.input(1);
  auto stack = [](Node x) { return x.shape().has_batch() && x.shape().rank() == 3; };
  if (n.op() == Op::matmul_sum || stack(a) || stack(b)) return per_example_matmul_vjp(n, g);
  bool ta = n.attrs().trans_a, tb = n.attrs().trans_b;
  auto rows_of = [](Node m, bool t) { return t ? m.shape()[1] : m.shape()[0]; };
  auto cols_of = [](Node m, bool t) { return t ? m.shape()[0] : m.shape()[1]; };
  Node a2 = a.shape().rank() == 2 ? a : reshape(a, IShape(Shape{1, a.shape()[0]}));
  Node b2 = b.shape().rank() == 2 ? b : reshape(b, IShape(Shape{b.shape()[0], 1}));
  std::int64_t rows = rows_of(a2, ta), cols = cols_of(b2, tb);
  IShape g_shape =
      rows == IShape::kBatch ? IShape::batched(Shape{cols}) : IShape(Shape{rows, cols});
  Node g2 = reshape(g, g_shape);
  Node da = ta ? matmul(b2, g2, tb, true) : matmul(g2, b2, false, !tb);
  Node db = tb ? matmul(g2, a2, true, ta) : matmul(a2, g2, !ta, false);
  return {reshape(da, a.shape()), reshape(db, b.shape())};
}

// c + op(a)·op(b): c gets g, a and b what the product alone would get.
std::vector<Node> matmul_acc_vjp(Node n, Node g) {
  const Node product = matmul(n.input(1), n.input(2), n.attrs().trans_a, n.attrs().trans_b);
  std::vector<Node> ab = matmul_vjp(product, g);
  return {g, ab[0], ab[1]};
}

// Each part of a concatenation gets its columns of g (the engine sums them
// back over the axes the part was broadcast along).
std::vector<Node> concat_vjp(Node n, Node g) {
  std::vector<Node> out;
  const int axis = n.shape().rank() - 1;
  std::int64_t offset = 0;
  for (int k = 0; k < n.arity(); ++k) {
    const std::int64_t size = n.input(k).shape()[n.input(k).shape().rank() - 1];
    out.push_back(slice(g, axis, offset, offset + size));
    offset += size;
  }
  return out;
}
}  // namespace

std::vector<Node> vjp(Node n, Node g) {
  [[maybe_unused]] Graph& G = n.graph();
  [[maybe_unused]] Node y = n;
  [[maybe_unused]] Node x0 = n.arity() > 0 ? n.input(0) : Node();
  [[maybe_unused]] Node x1 = n.arity() > 1 ? n.input(1) : Node();
  [[maybe_unused]] Node x2 = n.arity() > 2 ? n.input(2) : Node();
  switch (n.op()) {
#define EQ_OP(name, arity, kind, flags, spellings, ...) \
  case Op::name: {                                      \
    __VA_ARGS__                                         \
  }
#include "eq/compiler/ir/ops.def"
  }
  EQ_ASSERT(false, "no VJP for op " + std::string(op_name(n.op())));
}

}  // namespace eq::autodiff
