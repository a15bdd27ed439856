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

// How many reachable products read each node as such a weight, by id: set
// for the walk of one pass (rules are plain functions). Thread-local, so
// that programs may be compiled on several threads at once (graphs of their
// own), though eq itself compiles on one.
thread_local const std::vector<int>* readers = nullptr;

Node stored_transposed(Node n) {
  if (!reads_weight_transposed(n)) return Node();
  const Node w = n.input(1);
  const auto id = static_cast<std::size_t>(w.id());
  if (readers == nullptr || id >= readers->size() || (*readers)[id] < 2) return Node();
  return matmul(n.input(0), transpose(w), n.attrs().trans_a, false);
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
  readers = &count;
  std::vector<Node> out;
  try {
    out = rewrite(graph, roots, kRules, stats);
  } catch (...) {
    readers = nullptr;
    throw;
  }
  readers = nullptr;
  return out;
}

}  // namespace eq::passes
