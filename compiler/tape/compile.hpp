// The tape compiler: from graph nodes to a runtime::Tape.
//
// compile() reads top to bottom as its steps:
//   1. optimise: the pass pipeline on the outputs (compiler/passes/pipeline.hpp:
//      folding, simplification, stabilisation, CSE, fusion; -O0 turns them
//      off). The passes add nodes to the graph's arena and never change
//      existing ones.
//   2. order: only what the (rewritten) outputs need, plus every leaf, in
//      node id order (already a topological one); a fused group of
//      elementwise nodes is one step at its root (Kernel::fused), and the
//      values inside it never exist on the tape. A tape for prediction holds
//      no loss or gradient code.
//   3. numbering: one tape value per step.
//   4. liveness: the last step reading each value.
//   5. placement and emission: each step's instruction (its kernel from the
//      op table) and its output's buffer (memory_plan.hpp: scratch buffers
//      reused once dead, elementwise ops in place, reshapes aliased).
// Transposes feeding products stay flags of the product (the builders fold
// them), never copies.
#pragma once

#include <string>
#include <unordered_map>
#include <vector>

#include "eq/compiler/ir/graph.hpp"
#include "eq/compiler/passes/pipeline.hpp"
#include "eq/runtime/tape.hpp"

namespace eq {

struct Program {
  runtime::Tape tape;
  std::unordered_map<ir::NodeId, int> value_of;  // node → tape value
  const ir::Graph* graph = nullptr;
  std::vector<ir::Node> roots;  // the outputs as rewritten by the passes, same order
  passes::PassStats stats;      // what the passes changed

  // The tape value of a node that was compiled — an output as given to
  // compile(), a leaf, or a node the rewritten outputs compute outside a
  // fused group; throws eq::Error otherwise.
  int value(ir::Node n) const;
  // The tape value of a node whose contents stay readable after a run: an
  // output, an input, a parameter or a constant. Throws eq::Error for other
  // nodes, whose buffers the memory plan reuses.
  int readable(ir::Node n) const;
};

// Optimises `outputs` and compiles what they need (they stay readable after a
// run). The passes add the rewritten nodes to `graph`; existing nodes never change.
Program compile(ir::Graph& graph, const std::vector<ir::Node>& outputs,
                const CompileOptions& options = {});

// The instruction listing: index, op, input values → output value, shape,
// buffer, source location; then the memory plan's total bytes.
std::string print_tape(const Program& program, std::int64_t batch = 1);

}  // namespace eq
