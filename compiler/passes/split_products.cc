#include "eq/compiler/passes/split_products.hpp"

#include "eq/compiler/ir/builders.hpp"

namespace eq::passes {

using namespace eq::ir;

namespace {

// The axis (as stored) of operand x that op(a)·op(b) sums over: a vector's
// only axis; a left matrix's columns (its rows when transposed); a right
// matrix's rows (its columns when transposed). A stack's matrix axes are
// its last two.
int contracted_axis(Node x, bool trans, bool left) {
  const int r = x.shape().rank();
  if (r == 1) return 0;
  return left == trans ? r - 2 : r - 1;
}

// A concatenation along the axis the product contracts, with one one-hot
// part and no broadcast part.
bool splittable(Node c, int axis) {
  if (!is(c, Op::concat) || axis != c.shape().rank() - 1) return false;
  const IShape lead = c.shape().prefix(axis);
  bool hot = false;
  for (int i = 0; i < c.arity(); ++i) {
    const Node p = c.input(i);
    if (p.shape().rank() != c.shape().rank() || !(p.shape().prefix(axis) == lead)) return false;
    hot = hot || is(p, Op::onehot);
  }
  return hot;
}

// op(a)·op(b) with one operand a concatenation along the contracted axis:
// Σ over its parts of part · (the other operand's matching slice).
Node split_concat_product(Node n) {
  if (!is(n, Op::matmul)) return Node();
  const bool ta = n.attrs().trans_a, tb = n.attrs().trans_b;
  Node a = n.input(0), b = n.input(1);
  const bool left = splittable(a, contracted_axis(a, ta, true));
  if (!left && !splittable(b, contracted_axis(b, tb, false))) return Node();
  const Node joined = left ? a : b, other = left ? b : a;
  const int axis = contracted_axis(other, left ? tb : ta, !left);
  Node total;
  std::int64_t at = 0;
  for (int i = 0; i < joined.arity(); ++i) {
    const Node part = joined.input(i);
    const std::int64_t size = part.shape()[part.shape().rank() - 1];
    const Node piece = slice(other, axis, at, at + size);
    const Node term = left ? matmul(part, piece, ta, tb) : matmul(piece, part, ta, tb);
    total = total ? total + term : term;
    at += size;
  }
  return total;
}

// onehot(i) [B, V] or [B, T, V] · op(W) with W shared: the rows of W [V, m]
// that i picks, or (op(W) = Wᵀ) the columns of W [m, V] — a lookup of B or
// B·T rows in place of a B·V·m or B·T·V·m product.
Node onehot_product(Node n) {
  if (!is(n, Op::matmul) || n.attrs().trans_a) return Node();
  const Node hot = n.input(0), w = n.input(1);
  if (!is(hot, Op::onehot) || w.shape().has_batch() || w.shape().rank() != 2 ||
      w.dtype() != hot.dtype())
    return Node();
  return lookup(hot.input(0), w, n.attrs().trans_b);
}

const std::vector<Rule> kRules = {
    {"op(a)·[p, q] → op(a)[…, :P]·p + op(a)[…, P:]·q", split_concat_product},
    {"onehot(i)·op(W) → op(W)'s rows i (a gather)", onehot_product},
};

}  // namespace

std::vector<Node> split_products(Graph& graph, const std::vector<Node>& roots, PassStats& stats) {
  return rewrite(graph, roots, kRules, stats);
}

}  // namespace eq::passes
