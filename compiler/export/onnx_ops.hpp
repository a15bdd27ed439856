// The ONNX side of the op table (compiler/ir/ops.def): for every op, the
// ONNX operators it becomes and the function that emits them. The table in
// onnx_ops.cc has one row per op, in ops.def's order; static_asserts there
// fail the build when an op is added to ops.def without a row here, so no
// op can be forgotten by the exporter. A row may say the op cannot be
// exported (no emitter, and why): the exporter then stops with
// cannot_export() at the equation that used it.
#pragma once

#include <string>
#include <string_view>
#include <vector>

#include "eq/compiler/export/onnx_graph.hpp"
#include "eq/compiler/ir/graph.hpp"

namespace eq::onnx_export {

// What an emitter sees: the node, its inputs' ONNX value names, and the
// name its result must be written to.
struct Emit {
  OnnxGraph& g;
  const ir::Node& n;
  const std::vector<std::string>& in;
  const std::string& out;
};

struct OnnxRow {
  ir::Op op;
  std::string_view onnx;  // the ONNX operators it becomes, for people; or why it cannot be exported
  void (*emit)(const Emit&);  // null: cannot be exported (or a leaf the exporter binds itself)
};

// The row of `op`.
const OnnxRow& onnx_row(ir::Op op);

// Throws eq::Error: "cannot export op X to ONNX: why", at the source of the
// equation `n` came from (file:line:col, the line, carets), or naming the
// op alone for a node built by C++ code.
[[noreturn]] void cannot_export(const ir::Node& n, std::string_view why);

}  // namespace eq::onnx_export
