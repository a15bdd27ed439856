#include "eq/compiler/passes/transpose_weights.hpp"

#include "eq/compiler/ir/builders.hpp"

namespace eq::passes {

using namespace eq::ir;

namespace {

// A product that reads a weight (rank 2, no batch axis) transposed, with a
// batched left operand.
bool reads_weight_transposed(Node n) {
  if (!is(n, Op::matmul) || !n.attrs().trans_b) return false;
  const Node a = n.input(0), w = n.input(1);
  return a.shape().has_batch() && !w.shape().has_batch() && w.shape().rank() == 2;
}

// In the walk, walk_count(W) is how many reachable products read W so.
Node stored_transposed(Node n) {
  if (!reads_weight_transposed(n) || walk_count(n.input(1)) < 2) return Node();
  return matmul(n.input(0), transpose(n.input(1)), n.attrs().trans_a, false);
}

const std::vector<Rule> kRules = {
    {"op(a)·Wᵀ, W read so twice or more → op(a)·(Wᵀ made once)", stored_transposed},
};

}  // namespace

std::vector<Node> transpose_weights(Graph& graph, const std::vector<Node>& roots,
                                    PassStats& stats) {
  const std::vector<char> keep = reachable(graph, roots);
  std::vector<int> count(keep.size(), 0);
  for (std::size_t id = 0; id < keep.size(); ++id) {
    if (!keep[id]) continue;
    const Node n = graph.node(static_cast<NodeId>(id));
    if (reads_weight_transposed(n)) ++count[static_cast<std::size_t>(n.input(1).id())];
  }
  return rewrite_counting(graph, roots, kRules, stats, count);
}

}  // namespace eq::passes
