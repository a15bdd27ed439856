#include "eq/compiler/passes/tree_shake.hpp"

namespace eq::passes {

using namespace eq::ir;

std::vector<Node> tree_shake(Graph& graph, const std::vector<Node>& roots, PassStats& stats) {
  const std::vector<char> keep = reachable(graph, roots);
  std::int64_t dropped = 0;
  for (NodeId i = 0; i < graph.size(); ++i) {
    const Op op = graph.data(i).op;
    if (!keep[static_cast<std::size_t>(i)] && op != Op::input && op != Op::param) ++dropped;
  }
  if (dropped) stats.count("nodes left out", dropped);
  return roots;
}

}  // namespace eq::passes
