// The tape compiler: from graph nodes to a runtime::Tape.
//
// Only what the requested outputs need is compiled (a tape for prediction
// holds no loss or gradient code). Nodes run in topological order (node ids
// already are one). The memory plan gives every value a buffer: leaves keep
// their own; every other value takes a free scratch buffer, and a buffer
// becomes free again once the last reader of every value in it has run. An
// elementwise op writes in place over an input that dies with it; a reshape
// shares its input's buffer. Transposes feeding products stay flags of the
// product (the builders fold them), never copies.
#pragma once

#include <string>
#include <unordered_map>
#include <vector>

#include "compiler/ir/graph.hpp"
#include "runtime/tape.hpp"

namespace eq {

struct Program {
  runtime::Tape tape;
  std::unordered_map<ir::NodeId, int> value_of;  // node → tape value
  const ir::Graph* graph = nullptr;

  // The tape value of a node that was compiled; throws eq::Error otherwise.
  int value(ir::Node n) const;
  // The tape value of a node whose contents stay readable after a run: an
  // output, an input, a parameter or a constant. Throws eq::Error for other
  // nodes, whose buffers the memory plan reuses.
  int readable(ir::Node n) const;
};

// Compiles the nodes needed for `outputs` (which stay readable after a run).
Program compile(const ir::Graph& graph, const std::vector<ir::Node>& outputs);

// "file:line:col" of a node's origin, or "".
std::string where(const ir::Node& n);

// The instruction listing: index, op, input values → output value, shape,
// buffer, source location; then the memory plan's total bytes.
std::string print_tape(const Program& program, std::int64_t batch = 1);

}  // namespace eq
