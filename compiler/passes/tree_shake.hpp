// Tree shaking: only what the roots need is compiled.
//
// The passes leave the nodes they replaced in the graph's arena, and a model
// defines values (the loss, other outputs) that a given program does not
// ask for. The tape compiler walks back from the roots, so a tape compiled
// for prediction holds no loss or gradient code; this pass does the same
// walk and counts the nodes of the arena left out (leaves stay: a Machine
// can set every input and parameter of its graph).
#pragma once

#include "eq/compiler/passes/pass.hpp"

namespace eq::passes {

std::vector<Node> tree_shake(Graph& graph, const std::vector<Node>& roots, PassStats& stats);

}  // namespace eq::passes
