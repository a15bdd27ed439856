#include "eq/compiler/passes/accumulate.hpp"

#include "eq/compiler/ir/builders.hpp"

namespace eq::passes {

using namespace eq::ir;

namespace {

// A product of two matrices into an unbatched matrix that only `sum` reads
// (walk_count: the readers of a node, the roots counted as readers).
bool lone_product(Node p, Node sum) {
  return is(p, Op::matmul) && p.input(0).shape().rank() == 2 && p.input(1).shape().rank() == 2 &&
         p.shape() == sum.shape() && p.dtype() == sum.dtype() && walk_count(p) == 1;
}

Node accumulated(Node n) {
  if (!is(n, Op::add) || n.shape().has_batch() || n.shape().rank() != 2) return Node();
  for (int k : {1, 0}) {
    const Node p = n.input(k), c = n.input(1 - k);
    if (lone_product(p, n) && c.shape() == n.shape() && c.dtype() == n.dtype())
      return matmul_acc(c, p.input(0), p.input(1), p.attrs().trans_a, p.attrs().trans_b);
  }
  return Node();
}

// The same for the gradient of a one-hot product's weights: a scatter
// (zeros, then columns added) that only the sum reads adds into c instead.
Node scattered(Node n) {
  if (!is(n, Op::add) || n.shape().has_batch() || n.shape().rank() != 2) return Node();
  for (int k : {1, 0}) {
    const Node s = n.input(k), c = n.input(1 - k);
    if (is(s, Op::scatter) && s.shape() == n.shape() && s.dtype() == n.dtype() &&
        walk_count(s) == 1 && c.shape() == n.shape() && c.dtype() == n.dtype())
      return scatter_acc(c, s.input(0), s.input(1));
  }
  return Node();
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
