// export_reference: what the ONNX Runtime check (ort_check.js) feeds an
// exported model, and, for a time model, what eq computes for it.
//   export_reference MODEL.eq W.safetensors OUT.json [STEPS]
// A model without time: its data's raw input columns (unscaled: the ONNX
// model scales them itself), under their ONNX names; the expected values
// are `eqc predict --values`'s, which the test runs separately.
// A time model: the first STEPS symbols of its text, run one step at a
// time by eq's own Machine on the step program (the outputs and every next
// state, as `eqc sample` compiles it), each step fed the states the last
// one computed; the expected first output of every step.
#include <cstdio>
#include <cstring>
#include <fstream>
#include <nlohmann/json.hpp>

#include "eq/compiler/export/onnx_names.hpp"
#include "eq/compiler/machine.hpp"
#include "eq/runtime/error.hpp"
#include "eq/runtime/kernels.hpp"
#include "eq/train/evaluate.hpp"
#include "eq/train/setup.hpp"

namespace {

using nlohmann::json;

json values_of(eq::ConstView v) {
  json out = json::array();
  const std::int64_t n = v.shape.numel();
  for (std::int64_t i = 0; i < n; ++i)
    out.push_back(v.dtype == eq::DType::f32   ? static_cast<const float*>(v.data)[i]
                  : v.dtype == eq::DType::f64 ? static_cast<const double*>(v.data)[i]
                                              : static_cast<const std::int32_t*>(v.data)[i]);
  return out;
}

json inputs(const eq::Setup& setup) {
  json out = json::array();
  for (const eq::ModelLeaf& leaf : setup.model->inputs()) {
    const eq::DataColumn* c = setup.data.find(leaf.name);
    if (!c) throw eq::Error("the data has no column for input " + leaf.name);
    json dims = json::array();
    for (std::int64_t d : c->values.shape()) dims.push_back(d);
    out.push_back({{"name", eq::onnx_export::ascii_name(leaf.name)},
                   {"type", leaf.node.dtype() == eq::DType::i32 ? "int32" : "float32"},
                   {"dims", dims},
                   {"data", values_of(c->values.view())}});
  }
  return out;
}

json steps(eq::Setup& setup, const eq::SafetensorsFile& weights, std::int64_t count) {
  eq::Model& model = *setup.model;
  const eq::ModelLeaf& x = model.inputs().at(0);
  std::vector<eq::ir::Node> outs{model.outputs().at(0).second};
  json states = json::array();
  std::vector<eq::Tensor> carry;
  for (const eq::ModelState& s : model.states()) {
    outs.push_back(s.next);
    carry.emplace_back(model.graph().dtype(), s.node.shape().example().with_front(1));
    eq::kernels::fill(carry.back().view(), s.init_value);
    states.push_back({{"input", eq::onnx_export::ascii_name(s.leaf)},
                      {"output", eq::onnx_export::ascii_name(s.name)},
                      {"dims", {1, s.node.shape().example().numel()}},
                      {"init", s.init_value}});
  }
  eq::Machine m(eq::compile(model.graph(), outs));
  eq::set_params(model, weights, m);
  eq::Tensor symbol(eq::DType::i32, eq::Shape{1});
  json symbols = json::array(), expected = json::array();
  for (std::int64_t t = 0; t < count && t < setup.text.numel(); ++t) {
    symbol.data<std::int32_t>()[0] = setup.text.data<std::int32_t>()[t];
    symbols.push_back(symbol.data<std::int32_t>()[0]);
    m.let(x.node, symbol);
    for (std::size_t i = 0; i < carry.size(); ++i) m.let(model.states()[i].node, carry[i]);
    m.run();
    expected.push_back(values_of(m.view(outs[0])));
    for (std::size_t i = 0; i < carry.size(); ++i)
      std::memcpy(carry[i].raw(), m.view(model.states()[i].next).data, carry[i].bytes());
  }
  return {{"input", eq::onnx_export::ascii_name(x.name)},
          {"output", eq::onnx_export::ascii_name(model.outputs()[0].first)},
          {"states", states},
          {"symbols", symbols},
          {"expected", expected}};
}

}  // namespace

int main(int argc, char** argv) {
  if (argc < 4) {
    std::fprintf(stderr, "usage: export_reference MODEL.eq W.safetensors OUT.json [STEPS]\n");
    return 2;
  }
  try {
    eq::SafetensorsFile weights = eq::load_safetensors(argv[2]);
    eq::SavedModel saved = eq::decode_metadata(weights.metadata, argv[2]);
    eq::SetupOptions so;
    so.saved = &saved;
    so.inputs_only = true;
    eq::Setup setup = eq::setup_file(argv[1], so);
    json spec =
        setup.model->timed()
            ? steps(setup, weights, argc > 4 ? std::atoll(argv[4]) : 100)
            : json{{"inputs", inputs(setup)},
                   {"output", eq::onnx_export::ascii_name(setup.model->outputs()[0].first)}};
    std::ofstream(argv[3]) << spec.dump();
  } catch (const std::exception& e) {
    std::fprintf(stderr, "%s\n", e.what());
    return 1;
  }
  return 0;
}
