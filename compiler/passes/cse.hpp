// Common-subexpression elimination: the merge after rewrites.
//
// Hash-consing already makes equal nodes one node when they are built. After
// rewrites, though, two nodes that were different can become equal (x·1 + y
// and x + y once x·1 → x); rebuilding every node from its rewritten inputs
// through Graph::make merges them. Counts the nodes merged into an earlier one.
#pragma once

#include "eq/compiler/passes/pass.hpp"

namespace eq::passes {

std::vector<Node> cse(Graph& graph, const std::vector<Node>& roots, PassStats& stats);

}  // namespace eq::passes
