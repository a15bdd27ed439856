// The tape compiler: from graph nodes to a runtime::Tape.
//
// compile() first runs the optimisation pipeline on the outputs
// (compiler/passes/pipeline.hpp: folding, simplification, stabilisation,
// CSE, fusion; -O0 turns them off). The passes add nodes to the graph's
// arena and never change existing ones. Only what the (rewritten) outputs
// need is compiled (a tape for prediction
// holds no loss or gradient code). Nodes run in topological order (node ids
// already are one). The memory plan gives every value a buffer: leaves keep
// their own; every other value takes a free scratch buffer, and a buffer
// becomes free again once the last reader of every value in it has run. An
// elementwise op writes in place over an input that dies with it; a reshape
// shares its input's buffer. Transposes feeding products stay flags of the
// product (the builders fold them), never copies. A fused group of
// elementwise nodes is one instruction (Kernel::fused); the values inside
// it never exist on the tape.
#pragma once

#include <string>
#include <unordered_map>
#include <vector>

#include "compiler/ir/graph.hpp"
#include "compiler/passes/pipeline.hpp"
#include "runtime/tape.hpp"

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
