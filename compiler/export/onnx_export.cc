// export_onnx reads top to bottom as its steps:
//   1. the roots: the `output` values, then (time models) every next state
//      (hₜ, once for however many steps back it is read);
//   2. the passes, as compile() runs them for predict;
//   3. the interface: graph inputs (with their scaling), outputs' names;
//   4. the walk over what the roots need, in node id order (a topological
//      order), each node emitted by its op's row (onnx_ops.cc);
//   5. outputs and metadata, then serialization.
#include "eq/compiler/export/onnx_export.hpp"

#include <algorithm>
#include <map>
#include <nlohmann/json.hpp>
#include <unordered_map>

#include "eq/compiler/export/onnx_graph.hpp"
#include "eq/compiler/export/onnx_ops.hpp"
#include "eq/compiler/passes/pipeline.hpp"
#include "eq/grammar/source.hpp"
#include "eq/runtime/error.hpp"

namespace eq::onnx_export {
namespace {

using ir::Node;
using ir::NodeId;
using nlohmann::json;

struct Output {
  std::string name;  // the model's (Unicode) name
  Node node;         // after the passes
  std::string onnx;  // its ONNX name
};

void metadata(onnx::ModelProto& m, const std::string& key, const std::string& value) {
  onnx::StringStringEntryProto& e = *m.add_metadata_props();
  e.set_key(key);
  e.set_value(value);
}

// The scaled input: (x − offset) · factor, the statistics as initializers
// of the input's per-example shape (broadcast over the batch).
std::string scaled(OnnxGraph& g, const ModelLeaf& leaf, const std::string& raw,
                   const InputScale& s) {
  const Shape example = leaf.node.shape().example();
  if (static_cast<std::int64_t>(s.offset.size()) != example.numel() ||
      s.factor.size() != s.offset.size())
    throw Error("the saved scaling of " + leaf.name + " has " + std::to_string(s.offset.size()) +
                " features but the input has " + std::to_string(example.numel()));
  const std::string offset = g.name(leaf.name + "_offset"), factor = g.name(leaf.name + "_factor");
  g.initializer(offset, Tensor::from(example, s.offset, leaf.node.dtype()),
                "scale offset of " + leaf.name);
  g.initializer(factor, Tensor::from(example, s.factor, leaf.node.dtype()),
                "scale factor of " + leaf.name);
  return g.op("Mul", {g.op("Sub", {raw, offset}), factor});
}

}  // namespace

std::string export_onnx(Model& model, const SafetensorsFile& weights,
                        const ExportOptions& options) {
  const std::string& source_name = model.source().name();
  if (model.outputs().empty())
    throw Error(source_name + ": the model has no `output` statement to export");
  std::vector<TensorSpec> specs;
  for (const ModelParam& p : model.params())
    specs.push_back({p.name, p.node.dtype(), p.node.shape().example()});
  expect_tensors(weights, specs);

  // 1–2. The roots, through the passes predict runs.
  std::vector<Output> outputs;
  for (const auto& [name, node] : model.outputs()) outputs.push_back({name, node, ""});
  std::vector<ir::Node> model_outputs;
  for (const auto& [name, node] : model.outputs()) model_outputs.push_back(node);
  const std::vector<CarriedState> carried = carried_states(model, model_outputs);
  for (const CarriedState& s : carried) outputs.push_back({s.name, s.next, ""});
  std::vector<Node> roots;
  for (const Output& o : outputs) roots.push_back(o.node);
  check_reads_no_target(model, roots, "the prediction");
  passes::PassStats stats;
  roots = passes::run_pipeline(model.graph(), roots, CompileOptions{}, stats).roots;
  for (std::size_t i = 0; i < outputs.size(); ++i) outputs[i].node = roots[i];

  onnx::ModelProto proto;
  OnnxGraph g(*proto.mutable_graph());
  std::unordered_map<NodeId, std::string> value;  // node → its ONNX value

  // 3. Inputs: the model's, then the carried states.
  auto bind_input = [&](const std::string& name, const ModelLeaf* leaf, Node node) -> std::string {
    const std::string raw = g.name(name);
    g.input(raw, node.dtype(), node.shape(), name);
    if (node.shape().has_batch() && value.empty()) g.set_batch_source(raw);
    auto s = options.scale.find(name);
    value[node.id()] = leaf && s != options.scale.end() && node.dtype() != DType::i32
                           ? scaled(g, *leaf, raw, s->second)
                           : raw;
    return raw;
  };
  std::map<std::string, std::string> input_names;  // a model input → its ONNX name
  for (const ModelLeaf& leaf : model.inputs())
    input_names[leaf.name] = bind_input(leaf.name, &leaf, leaf.node);
  // A state read k steps back takes k inputs, hₜ₋₁ … hₜ₋ₖ; one the
  // equations do not read (hₜ₋₁ when only hₜ₋₂ is) is an input all the same,
  // to be passed on.
  std::vector<std::vector<std::string>> state_inputs;
  for (const CarriedState& s : carried) {
    const Node any = *std::find_if(s.leaves.begin(), s.leaves.end(), [](Node l) { return !!l; });
    state_inputs.emplace_back();
    for (std::size_t j = 0; j < s.depth(); ++j) {
      if (s.leaves[j]) {
        state_inputs.back().push_back(bind_input(s.slots[j], nullptr, s.leaves[j]));
        continue;
      }
      state_inputs.back().push_back(g.name(s.slots[j]));
      g.input(state_inputs.back().back(), any.dtype(), any.shape(), s.slots[j]);
    }
  }
  // An output's ONNX name is given to the value that computes it, unless the
  // value has a name already (an input, or an earlier output): then an
  // Identity copies it at the end.
  std::unordered_map<NodeId, std::string> named_output;
  for (Output& o : outputs) {
    o.onnx = g.name(o.name);
    if (!value.count(o.node.id()) && !named_output.count(o.node.id()) &&
        o.node.op() != ir::Op::param)
      named_output[o.node.id()] = o.onnx;
  }

  // 4. Every node the roots need, operands first.
  const ir::Graph& graph = model.graph();
  const std::vector<char> keep = ir::reachable(graph, roots);
  for (NodeId id = 0; id < graph.size(); ++id) {
    if (!keep[static_cast<std::size_t>(id)] || value.count(id)) continue;
    const Node n = model.graph().node(id);
    if (n.op() == ir::Op::input)
      throw Error(source_name + ": the prediction reads '" + n.name() +
                  "', which is not an input of the model (a target?)");
    if (n.op() == ir::Op::param) {
      value[id] = g.name(n.name());
      g.initializer(value[id], *weights.find(n.name()), n.name());
      continue;
    }
    const OnnxRow& row = onnx_row(n.op());
    if (!row.emit) cannot_export(n, row.onnx);
    std::vector<std::string> in;
    for (int i = 0; i < n.arity(); ++i) in.push_back(value.at(n.input(i).id()));
    auto named = named_output.find(id);
    const std::string out = named != named_output.end() ? named->second : g.fresh();
    row.emit({g, n, in, out});
    value[id] = out;
  }

  // 5. Outputs, then what a user needs beside the graph.
  for (const Output& o : outputs) {
    const std::string& v = value.at(o.node.id());
    if (v != o.onnx) g.op("Identity", {v}, o.onnx);
    g.output(o.onnx, o.node.dtype(), o.node.shape(), o.name);
  }
  // A state's slots move one step back: the input hₜ₋ⱼ is the output that
  // becomes the next step's hₜ₋₍ⱼ₊₁₎ (slot 0's is hₜ, an output already).
  std::vector<std::vector<std::string>> state_outputs;
  for (std::size_t i = 0; i < carried.size(); ++i) {
    const CarriedState& s = carried[i];
    const Output& next = outputs[model.outputs().size() + i];
    state_outputs.push_back({next.onnx});
    for (std::size_t j = 1; j < s.depth(); ++j) {
      const std::string out = g.name(s.slots[j] + "_next");
      g.op("Identity", {state_inputs[i][j - 1]}, out);
      g.output(out, next.node.dtype(), next.node.shape(),
               s.slots[j - 1] + ", the next step's " + s.slots[j]);
      state_outputs.back().push_back(out);
    }
  }
  json labels = json::object();
  for (const ModelLeaf& t : model.targets()) {
    auto l = options.labels.find(t.name);
    if (!t.onehot || l == options.labels.end()) continue;
    // The output scored against this target (as eval and predict choose it):
    // the first whose per-example shape is [classes].
    for (const Output& o : outputs)
      if (o.node.shape().has_batch() && o.node.shape().example() == Shape{t.onehot}) {
        labels[o.onnx] = l->second;
        break;
      }
  }
  // A one-hot input read from a column of labels: class i is its i-th label.
  for (const ModelLeaf& leaf : model.inputs())
    if (auto l = options.labels.find(leaf.name); leaf.onehot && l != options.labels.end())
      labels[input_names.at(leaf.name)] = l->second;
  json states = json::array();
  for (std::size_t i = 0; i < carried.size(); ++i)
    for (std::size_t j = 0; j < carried[i].depth(); ++j) {
      json st = {{"input", state_inputs[i][j]}, {"output", state_outputs[i][j]}};
      if (carried[i].init_param.empty())
        st["init"] = carried[i].init_value;
      else {
        // A learnt start (`state hₜ = h₀`, h₀ a param): its trained values,
        // which no node of the step reads.
        st["init_param"] = carried[i].init_param;
        const Tensor& start = *weights.find(carried[i].init_param);
        json values = json::array();
        for (std::int64_t k = 0; k < start.numel(); ++k) values.push_back(start.at(k));
        st["init"] = values;
      }
      states.push_back(st);
    }

  proto.set_ir_version(8);
  onnx::OperatorSetIdProto& opset = *proto.add_opset_import();
  opset.set_domain("");
  opset.set_version(17);
  proto.set_producer_name("eq");
  proto.set_producer_version(options.producer_version);
  proto.set_doc_string(source_name);
  // The graph is named after the file: "models/mlp.eq" → "mlp".
  std::string stem = source_name.substr(source_name.find_last_of('/') + 1);
  stem = stem.substr(0, stem.find_last_of('.'));
  proto.mutable_graph()->set_name(g.name(stem.empty() ? "model" : stem));
  if (!labels.empty()) metadata(proto, "eq.labels", labels.dump());
  if (!states.empty()) metadata(proto, "eq.states", states.dump());
  if (!options.vocabulary.empty()) metadata(proto, "eq.vocabulary", options.vocabulary);
  metadata(proto, "eq.source_name", source_name);
  metadata(proto, "eq.source", model.source().text());

  std::string bytes;
  EQ_ASSERT(proto.SerializeToString(&bytes), "the ONNX model did not serialize");
  return bytes;
}

}  // namespace eq::onnx_export
