#include "eq/compiler/passes/accumulate.hpp"

#include <utility>

#include "eq/compiler/ir/builders.hpp"

namespace eq::passes {

using namespace eq::ir;

namespace {

// In an add of two unbatched matrices of one type, the operand of `op` that
// only the add reads (walk_count: its readers, the roots counted as
// readers) and that `fits`, and the other operand, the running sum c;
// else null nodes.
std::pair<Node, Node> lone_term(Node n, Op op, bool (*fits)(Node)) {
  if (!is(n, Op::add) || n.shape().has_batch() || n.shape().rank() != 2) return {};
  for (int k : {1, 0}) {
    const Node t = n.input(k), c = n.input(1 - k);
    if (is(t, op) && fits(t) && t.shape() == n.shape() && t.dtype() == n.dtype() &&
        walk_count(t) == 1 && c.shape() == n.shape() && c.dtype() == n.dtype())
      return {t, c};
  }
  return {};
}

bool of_matrices(Node p) {
  return p.input(0).shape().rank() == 2 && p.input(1).shape().rank() == 2;
}
bool any(Node) { return true; }

// c + op(a)·op(b), a product of two matrices.
Node accumulated(Node n) {
  const auto [p, c] = lone_term(n, Op::matmul, of_matrices);
  return p ? matmul_acc(c, p.input(0), p.input(1), p.attrs().trans_a, p.attrs().trans_b) : Node();
}

// The same for the gradient of a one-hot product's weights: a scatter
// (zeros, then columns added) adds into c instead.
Node scattered(Node n) {
  const auto [s, c] = lone_term(n, Op::scatter, any);
  return s ? scatter_acc(c, s.input(0), s.input(1)) : Node();
}

const std::vector<Rule> kRules = {
    {"c + op(a)·op(b) → matmul_acc(c, a, b) (gemm with β = 1)", accumulated},
    {"c + scatter(g, idx) → scatter_acc(c, g, idx) (added into c)", scattered},
};

}  // namespace

std::vector<Node> accumulate(Graph& graph, const std::vector<Node>& roots, PassStats& stats) {
  const std::vector<char> keep = reachable(graph, roots);
  std::vector<int> count(keep.size(), 0);
  for (std::size_t id = 0; id < keep.size(); ++id) {
    if (!keep[id]) continue;
    for (NodeId in : graph.node(static_cast<NodeId>(id)).data().inputs)
      ++count[static_cast<std::size_t>(in)];
  }
  for (const Node& r : roots) ++count[static_cast<std::size_t>(r.id())];
  return rewrite_counting(graph, roots, kRules, stats, count);
}

}  // namespace eq::passes
