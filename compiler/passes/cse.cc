#include "eq/compiler/passes/cse.hpp"

namespace eq::passes {

using namespace eq::ir;

std::vector<Node> cse(Graph& graph, const std::vector<Node>& roots, PassStats& stats) {
  // With no rules, rewrite() is exactly the rebuild through Graph::make.
  const std::vector<char> before = reachable(graph, roots);
  std::int64_t count_before = 0;
  for (char k : before) count_before += k;
  std::vector<Node> out = rewrite(graph, roots, {}, stats);
  const std::vector<char> after = reachable(graph, out);
  std::int64_t count_after = 0;
  for (char k : after) count_after += k;
  if (count_before > count_after) stats.count("nodes merged", count_before - count_after);
  return out;
}

}  // namespace eq::passes
