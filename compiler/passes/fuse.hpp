// Elementwise fusion.
//
// Groups maximal trees of elementwise nodes into one tape instruction
// (Kernel::fused) that runs a small register program blockwise
// (runtime/fused.hpp): σ(a + b + c) becomes fused[add,add,sigmoid], one loop
// over memory instead of three, with no intermediate buffers.
//
// A node joins the group of its reader when both are elementwise, it has
// that one reader (and is no root: roots are read after the run), and it has
// the reader's shape and dtype. Every operand from outside a group must be
// the node's own shape, a single element, or an unbatched row repeated over
// the leading axes (one row length per group: the `+ b` bias); an
// elementwise node with any other broadcast runs on its own. A uniform
// operand (a constant, or an expand of one) becomes an immediate of the
// program. Groups are bounded by FusedProgram's limits; operands are
// evaluated larger subtree first (Sethi–Ullman), so a tree of 32 steps
// needs at most 6 slots.
//
// Fusion is a decision about the tape, not the IR: the plan says which
// nodes run inside which group, and compile() emits one instruction per
// group. It runs last, on the roots the other passes produced.
#pragma once

#include <string>
#include <unordered_map>

#include "eq/compiler/passes/pass.hpp"
#include "eq/runtime/fused.hpp"

namespace eq::passes {

struct FusedGroup {
  Node root;                      // its value is the instruction's output
  std::vector<Node> members;      // every node computed inside, root included
  std::vector<Node> inputs;       // program input k is the value of inputs[k]
  runtime::FusedProgram program;  // program.inputs is filled by the tape compiler
};

struct FusionPlan {
  std::vector<FusedGroup> groups;
  std::unordered_map<ir::NodeId, int> group_of;  // member → index into groups

  // The group n is computed in, or -1.
  int group(Node n) const;
  // "fused[add,add,sigmoid] %9 ← %4 %6 %7 %8", one group a line.
  std::string str() const;
};

FusionPlan plan_fusion(Graph& graph, const std::vector<Node>& roots, PassStats& stats);

}  // namespace eq::passes
