#include "eq/compiler/export/onnx_graph.hpp"

#include "eq/compiler/export/onnx_names.hpp"
#include "eq/runtime/error.hpp"

namespace eq::onnx_export {

int onnx_type(DType dtype) {
  switch (dtype) {
    case DType::f32:
      return onnx::TensorProto::FLOAT;
    case DType::f64:
      return onnx::TensorProto::DOUBLE;
    case DType::i32:
      return onnx::TensorProto::INT32;
  }
  EQ_ASSERT(false, "onnx_type: unknown dtype");
  return 0;
}

std::string OnnxGraph::name(const std::string& unicode) {
  return unique_ascii_name(unicode, taken_);
}

std::string OnnxGraph::fresh(const std::string& stem) {
  std::string out;
  do out = (stem.empty() ? "v" : stem + "_") + std::to_string(next_value_++);
  while (!taken_.insert(out).second);
  return out;
}

onnx::NodeProto& OnnxGraph::add(const std::string& op, const std::vector<std::string>& inputs,
                                const std::vector<std::string>& outputs) {
  onnx::NodeProto& n = *graph_.add_node();
  n.set_op_type(op);
  n.set_name(op + "_" + std::to_string(next_node_++));
  for (const std::string& i : inputs) n.add_input(i);
  for (const std::string& o : outputs) n.add_output(o);
  return n;
}

std::string OnnxGraph::op(const std::string& op, const std::vector<std::string>& inputs,
                          const std::string& output) {
  std::string out = output.empty() ? fresh() : output;
  add(op, inputs, {out});
  return out;
}

namespace {
onnx::TensorProto& constant_value(onnx::NodeProto& node) {
  onnx::AttributeProto& a = *node.add_attribute();
  a.set_name("value");
  a.set_type(onnx::AttributeProto::TENSOR);
  return *a.mutable_t();
}

void fill(onnx::TensorProto& t, const Tensor& value) {
  t.set_data_type(onnx_type(value.dtype()));
  for (std::int64_t d : value.shape()) t.add_dims(d);
  // Little-endian raw bytes, as eq's tensors are (and as ONNX's raw_data is).
  t.set_raw_data(value.raw(), value.bytes());
}
}  // namespace

std::string OnnxGraph::scalar(double value, DType dtype) {
  std::string out = fresh("c");
  fill(constant_value(add("Constant", {}, {out})), Tensor::scalar(value, dtype));
  return out;
}

std::string OnnxGraph::int64s(const std::vector<std::int64_t>& values) {
  std::string out = fresh("c");
  onnx::TensorProto& t = constant_value(add("Constant", {}, {out}));
  t.set_data_type(onnx::TensorProto::INT64);
  t.add_dims(static_cast<std::int64_t>(values.size()));
  for (std::int64_t v : values) t.add_int64_data(v);
  return out;
}

std::string OnnxGraph::int32_range(std::int64_t n) {
  std::string out = fresh("c");
  onnx::TensorProto& t = constant_value(add("Constant", {}, {out}));
  t.set_data_type(onnx::TensorProto::INT32);
  t.add_dims(n);
  for (std::int64_t i = 0; i < n; ++i) t.add_int32_data(static_cast<std::int32_t>(i));
  return out;
}

void OnnxGraph::initializer(const std::string& name, const Tensor& value, const std::string& doc) {
  onnx::TensorProto& t = *graph_.add_initializer();
  t.set_name(name);
  if (!doc.empty()) t.set_doc_string(doc);
  fill(t, value);
}

onnx::ValueInfoProto& OnnxGraph::value_info(onnx::ValueInfoProto& v, const std::string& name,
                                            DType dtype, const ir::IShape& shape,
                                            const std::string& doc) {
  v.set_name(name);
  if (!doc.empty()) v.set_doc_string(doc);
  onnx::TypeProto_Tensor& t = *v.mutable_type()->mutable_tensor_type();
  t.set_elem_type(onnx_type(dtype));
  onnx::TensorShapeProto& s = *t.mutable_shape();
  if (shape.has_batch()) s.add_dim()->set_dim_param(kBatchAxis);
  for (std::int64_t d : shape.example()) s.add_dim()->set_dim_value(d);
  return v;
}

void OnnxGraph::input(const std::string& name, DType dtype, const ir::IShape& shape,
                      const std::string& doc) {
  value_info(*graph_.add_input(), name, dtype, shape, doc);
}

void OnnxGraph::output(const std::string& name, DType dtype, const ir::IShape& shape,
                       const std::string& doc) {
  value_info(*graph_.add_output(), name, dtype, shape, doc);
}

std::string OnnxGraph::batch() {
  if (batch_.empty()) {
    EQ_ASSERT(!batch_source_.empty(), "the batch size is needed but no graph input is batched");
    batch_ = fresh("batch");
    onnx::NodeProto& n = add("Shape", {batch_source_}, {batch_});
    set_int(n, "start", 0);
    set_int(n, "end", 1);
  }
  return batch_;
}

std::string OnnxGraph::shape_operand(const ir::IShape& shape, std::int64_t batch_as) {
  std::vector<std::int64_t> dims(shape.example().begin(), shape.example().end());
  if (!shape.has_batch()) return int64s(dims);
  if (batch_as >= 0) {
    dims.insert(dims.begin(), batch_as);
    return int64s(dims);
  }
  std::string rest = int64s(dims);
  onnx::NodeProto& n = add("Concat", {batch(), rest}, {fresh()});
  set_int(n, "axis", 0);
  return n.output(0);
}

void set_int(onnx::NodeProto& node, const std::string& name, std::int64_t value) {
  onnx::AttributeProto& a = *node.add_attribute();
  a.set_name(name);
  a.set_type(onnx::AttributeProto::INT);
  a.set_i(value);
}

void set_ints(onnx::NodeProto& node, const std::string& name, std::vector<std::int64_t> values) {
  onnx::AttributeProto& a = *node.add_attribute();
  a.set_name(name);
  a.set_type(onnx::AttributeProto::INTS);
  for (std::int64_t v : values) a.add_ints(v);
}

void set_float(onnx::NodeProto& node, const std::string& name, double value) {
  onnx::AttributeProto& a = *node.add_attribute();
  a.set_name(name);
  a.set_type(onnx::AttributeProto::FLOAT);
  a.set_f(static_cast<float>(value));
}

}  // namespace eq::onnx_export
