// OnnxGraph: builds an onnx::GraphProto (Debian's libonnx-dev schema) node
// by node for the exporter and the op table's emitters. It names values,
// makes constants and initializers from eq tensors, and knows the one
// symbolic axis eq has, the batch (compiler/ir/shape.hpp): a batched
// IShape's axis 0 becomes the dim_param "batch", and batch() is its size
// at run time, for the few ops whose shape operand must name it.
#pragma once

#include <onnx/onnx_pb.h>

#include <cstdint>
#include <set>
#include <string>
#include <vector>

#include "eq/compiler/ir/shape.hpp"
#include "eq/runtime/tensor.hpp"

namespace eq::onnx_export {

// ONNX's name of the symbolic batch axis in every input and output.
inline constexpr const char* kBatchAxis = "batch";

// The TensorProto element type of an eq dtype.
int onnx_type(DType dtype);

class OnnxGraph {
 public:
  explicit OnnxGraph(onnx::GraphProto& graph) : graph_(graph) {}

  // The ONNX name of a model's name (an input, output or weight): folded
  // to ASCII (onnx_names.hpp) and unique in the graph.
  std::string name(const std::string& unicode);
  // A name for an internal value, not used before, from `stem` ("v" when empty).
  std::string fresh(const std::string& stem = "");

  // Adds a node `op(inputs) → outputs`; returns it to set attributes on.
  onnx::NodeProto& add(const std::string& op, const std::vector<std::string>& inputs,
                       const std::vector<std::string>& outputs);
  // One-output form: adds `op(inputs)` writing `output` (a fresh name when
  // empty) and returns the output's name.
  std::string op(const std::string& op, const std::vector<std::string>& inputs,
                 const std::string& output = "");

  // Constants, as Constant nodes: a scalar of `dtype`, an int64 / int32 list.
  std::string scalar(double value, DType dtype);
  std::string int64s(const std::vector<std::int64_t>& values);
  std::string int32_range(std::int64_t n);  // 0, 1, …, n-1 as int32 [n]
  // A tensor (weights, scaling statistics) as a graph initializer `name`,
  // with `doc` as its doc_string.
  void initializer(const std::string& name, const Tensor& value, const std::string& doc = "");

  // An input or output's ValueInfoProto: element type and shape, the batch
  // axis symbolic; `doc` becomes its doc_string (the Unicode name).
  void input(const std::string& name, DType dtype, const ir::IShape& shape, const std::string& doc);
  void output(const std::string& name, DType dtype, const ir::IShape& shape,
              const std::string& doc);

  // Names the value whose axis 0 is the batch (a batched graph input).
  void set_batch_source(const std::string& name) { batch_source_ = name; }
  // The batch size as an int64 [1] tensor (computed once, on first use).
  std::string batch();

  // A shape operand for Reshape / Expand: `shape`'s sizes, its batch axis
  // given as `batch_as` (0 = "copy the input's axis", 1 = "broadcast") or,
  // when `batch_as` < 0, as the run-time batch size.
  std::string shape_operand(const ir::IShape& shape, std::int64_t batch_as);

 private:
  onnx::ValueInfoProto& value_info(onnx::ValueInfoProto& v, const std::string& name, DType dtype,
                                   const ir::IShape& shape, const std::string& doc);

  onnx::GraphProto& graph_;
  std::set<std::string> taken_;  // every value name given out
  int next_value_ = 0, next_node_ = 0;
  std::string batch_source_, batch_;
};

// Attribute setters for a node add() returned.
void set_int(onnx::NodeProto& node, const std::string& name, std::int64_t value);
void set_ints(onnx::NodeProto& node, const std::string& name, std::vector<std::int64_t> values);
void set_float(onnx::NodeProto& node, const std::string& name, double value);

}  // namespace eq::onnx_export
