// export_reference: what the ONNX Runtime check (ort_check.js) feeds an
// exported model, and, for a time model, what eq computes for it.
//   export_reference MODEL.eq W.safetensors MODEL.onnx OUT.json [STEPS]
// A model without time: its data's raw input columns (unscaled: the ONNX
// model scales them itself), under their ONNX names; the expected values
// are `eqc predict --values`'s, which the test runs separately.
// A time model: the first STEPS symbols of its text, or the first STEPS rows
// of its series of numbers, and the expected first output at every step as
// training computes it — the window unrolled over all STEPS steps from the
// initial states, step t's hₜ₋ₖ wired to step t−k's hₜ — and the states the ONNX runtime is to
// carry, read from the model's "eq.states" metadata as the README tells a user to (so a wrong
// pairing there is a wrong number at some step).
#include <onnx/onnx_pb.h>

#include <algorithm>
#include <cstdio>
#include <cstring>
#include <fstream>
#include <nlohmann/json.hpp>

#include "eq/compiler/export/onnx_names.hpp"
#include "eq/compiler/lower/unroll.hpp"
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

std::string metadata(const onnx::ModelProto& m, const std::string& key) {
  for (const auto& p : m.metadata_props())
    if (p.key() == key) return p.value();
  throw eq::Error("the ONNX model has no metadata " + key);
}

// The states as a runtime following the README reads them: the pairs of
// "eq.states", each input's size from the graph, its initial value.
json states_of(const onnx::ModelProto& onnx, const eq::SafetensorsFile& weights) {
  json out = json::array();
  for (json st : json::parse(metadata(onnx, "eq.states"))) {
    // One example: the batch axis 1, the others as the graph declares them.
    json dims = json::array();
    std::int64_t size = 1;
    for (const auto& in : onnx.graph().input())
      if (in.name() == st["input"])
        for (const auto& d : in.type().tensor_type().shape().dim()) {
          dims.push_back(d.has_dim_param() ? 1 : d.dim_value());
          size *= dims.back().get<std::int64_t>();
        }
    if (dims.empty()) throw eq::Error("eq.states names " + st["input"].dump() + ", not an input");
    json s = {{"input", st["input"]}, {"output", st["output"]}, {"dims", dims}};
    if (st["init"].is_array()) {  // a learnt start: its values
      s["data"] = st["init"];
      // They are the parameter's, as trained.
      if (st["init"] != values_of(weights.find(st["init_param"].get<std::string>())->view()))
        throw eq::Error("eq.states: the values of " + st["input"].dump() + " are not " +
                        st["init_param"].dump() + "'s");
    } else
      s["data"] = std::vector<double>(static_cast<std::size_t>(size), st["init"].get<double>());
    out.push_back(s);
  }
  return out;
}

// Step t's input: symbol t of a text, or row t of a series of numbers (a
// series is never scaled: setup refuses `scale` for it); `raw` gets it as
// the spec lists it for the ONNX model.
eq::Tensor step_input(const eq::Setup& setup, const eq::ModelLeaf& x, std::int64_t t, json& raw) {
  if (setup.text.numel() > 0) {
    eq::Tensor symbol(eq::DType::i32, eq::Shape{1});
    symbol.data<std::int32_t>()[0] = setup.text.data<std::int32_t>()[t];
    raw = symbol.data<std::int32_t>()[0];
    return symbol;
  }
  const eq::DataColumn& c = *setup.data.find(x.name);
  const std::int64_t f = c.values.shape().numel() / c.values.shape()[0];
  eq::Tensor row(x.node.dtype(), eq::Shape{1, f});
  raw = json::array();
  for (std::int64_t i = 0; i < f; ++i) {
    raw.push_back(c.values.data<double>()[t * f + i]);
    row.set(i, c.values.data<double>()[t * f + i]);
  }
  return row;
}

json steps(eq::Setup& setup, const eq::SafetensorsFile& weights, const onnx::ModelProto& onnx,
           std::int64_t count) {
  eq::Model& model = *setup.model;
  const eq::ModelLeaf& x = model.inputs().at(0);
  const std::string& output = model.outputs().at(0).first;
  const bool text = setup.text.numel() > 0;
  if (!text && !setup.data.find(x.name)) throw eq::Error("the data has no column for " + x.name);
  json fed = json::array(), expected = json::array();
  count = std::min(count, text ? setup.text.numel() : setup.data.size());
  if (count > 0) {
    // The training window over the whole sequence, from the initial states.
    eq::Window w = eq::unroll(model, static_cast<int>(count));
    const std::vector<eq::ir::Node>& outs = w.values.at(output);
    eq::Machine m(eq::compile(model.graph(), outs));
    eq::set_params(model, weights, m);
    for (std::int64_t t = 0; t < count; ++t) {
      json raw;
      m.let(w.inputs.at(x.name)[static_cast<std::size_t>(t)], step_input(setup, x, t, raw));
      fed.push_back(raw);
    }
    for (const eq::UnrolledState& st : w.states)
      for (const eq::ir::Node& n : st.carry_in) {
        eq::Tensor init(n.dtype(), n.shape().example().with_front(1));
        if (st.init_param.empty())
          eq::kernels::fill(init.view(), st.init_value);
        else
          eq::kernels::copy(weights.find(st.init_param)->view(), init.view());
        m.let(n, init);
      }
    // A learnt start: every window's first step reads where(reset, h₀, carried).
    for (const eq::UnrolledState& st : w.states)
      if (st.reset) {
        eq::Tensor start(st.reset.dtype(), eq::Shape{1, 1});
        eq::kernels::fill(start.view(), 1.0);
        m.let(st.reset, start);
      }
    m.run();
    for (const eq::ir::Node& y : outs) expected.push_back(values_of(m.view(y)));
  }
  // A text model is fed symbols (int32 [1]), a series rows (float32 [1, F]).
  return {{"input", eq::onnx_export::ascii_name(x.name)},
          {"output", eq::onnx_export::ascii_name(output)},
          {"states", states_of(onnx, weights)},
          {text ? "symbols" : "rows", fed},
          {"expected", expected}};
}

}  // namespace

int main(int argc, char** argv) {
  if (argc < 5) {
    std::fprintf(stderr,
                 "usage: export_reference MODEL.eq W.safetensors MODEL.onnx OUT.json [STEPS]\n");
    return 2;
  }
  try {
    eq::SafetensorsFile weights = eq::load_safetensors(argv[2]);
    eq::SavedModel saved = eq::decode_metadata(weights.metadata, argv[2]);
    eq::SetupOptions so;
    so.saved = &saved;
    so.inputs_only = true;
    eq::Setup setup = eq::setup_file(argv[1], so);
    onnx::ModelProto onnx;
    std::ifstream in(argv[3], std::ios::binary);
    if (!onnx.ParseFromIstream(&in)) throw eq::Error(std::string(argv[3]) + ": not an ONNX model");
    json spec =
        setup.model->timed()
            ? steps(setup, weights, onnx, argc > 5 ? std::atoll(argv[5]) : 100)
            : json{{"inputs", inputs(setup)},
                   {"output", eq::onnx_export::ascii_name(setup.model->outputs()[0].first)}};
    std::ofstream(argv[4]) << spec.dump();
  } catch (const std::exception& e) {
    std::fprintf(stderr, "%s\n", e.what());
    return 1;
  }
  return 0;
}
