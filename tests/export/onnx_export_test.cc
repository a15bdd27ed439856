// The ONNX back end on small models: the interface it writes (names, types,
// the symbolic batch, scaling, labels, states), the op rows, and the error
// for an op that cannot be exported. Numbers are checked end to end, by
// ONNX Runtime against eq (export_test.sh).
#include "eq/compiler/export/onnx_export.hpp"

#include <algorithm>
#include <catch2/catch.hpp>
#include <map>

#include "eq/compiler/export/onnx_ops.hpp"
#include "eq/runtime/error.hpp"

namespace {

using eq::onnx_export::ExportOptions;

onnx::ModelProto export_source(const std::string& text, const ExportOptions& options = {}) {
  eq::Model model = eq::Model::from_source("m.eq", text);
  eq::SafetensorsFile weights;
  for (const eq::ModelParam& p : model.params())
    weights.tensors.emplace_back(p.name, eq::Tensor(p.node.dtype(), p.node.shape().example()));
  onnx::ModelProto proto;
  REQUIRE(proto.ParseFromString(eq::onnx_export::export_onnx(model, weights, options)));
  return proto;
}

std::string metadata(const onnx::ModelProto& m, const std::string& key) {
  for (const auto& p : m.metadata_props())
    if (p.key() == key) return p.value();
  return "";
}

std::string dims(const onnx::ValueInfoProto& v) {
  std::string out;
  for (const auto& d : v.type().tensor_type().shape().dim())
    out += (out.empty() ? "" : "x") +
           (d.has_dim_param() ? d.dim_param() : std::to_string(d.dim_value()));
  return out;
}

std::vector<std::string> op_types(const onnx::GraphProto& g) {
  std::vector<std::string> out;
  for (const auto& n : g.node()) out.push_back(n.op_type());
  return out;
}

constexpr const char* kLogreg =
    "input x : [4]\ntarget y : onehot[3]\nparam W : [3, 4] ~ 0\nparam b : [3] ~ 0\n"
    "ŷ = softmax(W·x + b)\nloss = -Σ(y*log(ŷ))\noutput ŷ\n";

}  // namespace

TEST_CASE("a classifier exports with raw features in and labelled probabilities out", "[export]") {
  ExportOptions o;
  o.scale["x"] = {{1, 2, 3, 4}, {0.5, 0.5, 0.25, 0.25}};
  o.labels["y"] = {"setosa", "versicolor", "virginica"};
  onnx::ModelProto m = export_source(kLogreg, o);
  CHECK(m.opset_import(0).version() == 17);
  CHECK(m.producer_name() == "eq");
  const onnx::GraphProto& g = m.graph();
  CHECK(g.name() == "m");
  REQUIRE(g.input_size() == 1);
  CHECK(g.input(0).name() == "x");
  CHECK(dims(g.input(0)) == "batchx4");
  REQUIRE(g.output_size() == 1);
  CHECK(g.output(0).name() == "y_hat");
  CHECK(g.output(0).doc_string() == "ŷ");
  CHECK(dims(g.output(0)) == "batchx3");
  CHECK(g.output(0).type().tensor_type().elem_type() == onnx::TensorProto::FLOAT);
  // The graph scales x itself, then W·x + b is one Gemm, softmax one Softmax.
  CHECK(op_types(g) == std::vector<std::string>{"Sub", "Mul", "Gemm", "Add", "Softmax"});
  CHECK(g.initializer_size() == 4);  // x's offset and factor, W, b
  CHECK(g.initializer(0).name() == "x_offset");
  CHECK(g.initializer(0).raw_data().size() == 4 * sizeof(float));
  CHECK(metadata(m, "eq.labels") == R"({"y_hat":["setosa","versicolor","virginica"]})");
  CHECK(metadata(m, "eq.source") == std::string(kLogreg));
}

TEST_CASE("a time model exports its step: states in, next states out", "[export]") {
  onnx::ModelProto m = export_source(
      "input xₜ : onehot[5]\nparam W : [3, 5] ~ 0\nparam U : [3, 3] ~ 0\nparam V : [5, 3] ~ 0\n"
      "hₜ = tanh(W·xₜ + U·hₜ₋₁)\nŷₜ = softmax(V·hₜ)\noutput ŷₜ\n");
  const onnx::GraphProto& g = m.graph();
  REQUIRE(g.input_size() == 2);
  CHECK(g.input(0).name() == "x_t");
  CHECK(g.input(0).type().tensor_type().elem_type() == onnx::TensorProto::INT32);
  CHECK(dims(g.input(0)) == "batch");
  CHECK(g.input(1).name() == "h_tm1");
  CHECK(g.input(1).doc_string() == "hₜ₋₁");
  CHECK(dims(g.input(1)) == "batchx3");
  REQUIRE(g.output_size() == 2);
  CHECK(g.output(0).name() == "y_hat_t");
  CHECK(g.output(1).name() == "h_t");
  CHECK(metadata(m, "eq.states") == R"([{"init":0.0,"input":"h_tm1","output":"h_t"}])");
}

TEST_CASE("a state read k steps back is k inputs, each passed one step further back", "[export]") {
  // hₜ₋₁ and hₜ₋₂ in; out: hₜ for the next step's hₜ₋₁, and this step's hₜ₋₁
  // for the next step's hₜ₋₂.
  onnx::ModelProto m = export_source(
      "input xₜ : onehot[5]\nparam W : [3, 5] ~ 0\nparam U : [3, 3] ~ 0\nparam V : [5, 6] ~ 0\n"
      "state hₜ : [3] = 0.5\nhₜ = tanh(W·xₜ + U·hₜ₋₁)\nŷₜ = softmax(V·[hₜ, hₜ₋₂])\noutput ŷₜ\n");
  const onnx::GraphProto& g = m.graph();
  REQUIRE(g.input_size() == 3);
  CHECK(g.input(1).name() == "h_tm1");
  CHECK(g.input(2).name() == "h_tm2");
  REQUIRE(g.output_size() == 3);
  CHECK(g.output(1).name() == "h_t");
  CHECK(g.output(2).name() == "h_tm2_next");
  CHECK(dims(g.output(2)) == "batchx3");
  const onnx::NodeProto& shift = g.node(g.node_size() - 1);
  CHECK(shift.op_type() == "Identity");
  CHECK(shift.input(0) == "h_tm1");
  CHECK(shift.output(0) == "h_tm2_next");
  CHECK(metadata(m, "eq.states") == R"([{"init":0.5,"input":"h_tm1","output":"h_t"},)"
                                    R"({"init":0.5,"input":"h_tm2","output":"h_tm2_next"}])");
  // Read only three steps back: hₜ₋₁ and hₜ₋₂ are inputs all the same.
  onnx::ModelProto only = export_source(
      "input xₜ : onehot[5]\nparam W : [3, 5] ~ 0\nparam U : [3, 3] ~ 0\n"
      "hₜ = tanh(W·xₜ + U·hₜ₋₃)\noutput hₜ\n");
  CHECK(metadata(only, "eq.states") == R"([{"init":0.0,"input":"h_tm1","output":"h_t_2"},)"
                                       R"({"init":0.0,"input":"h_tm2","output":"h_tm2_next"},)"
                                       R"({"init":0.0,"input":"h_tm3","output":"h_tm3_next"}])");
}

TEST_CASE("an output that is also a state is written twice, not renamed", "[export]") {
  onnx::ModelProto m =
      export_source("input xₜ : [2]\nparam W : [2, 2] ~ 0\nhₜ = tanh(W·xₜ + hₜ₋₁)\noutput hₜ\n");
  const onnx::GraphProto& g = m.graph();
  REQUIRE(g.output_size() == 2);
  CHECK(g.output(0).name() == "h_t");
  CHECK(g.output(1).name() == "h_t_2");
  CHECK(g.node(g.node_size() - 1).op_type() == "Identity");
}

TEST_CASE("a matrix plus a product of matrices is one Gemm with its C", "[export]") {
  // The accumulate pass makes C + A·Bᵀ one matmul_acc; ONNX's Gemm is the same.
  onnx::ModelProto m = export_source(
      "input x : [2]\nparam A : [2, 3] ~ glorot\nparam B : [2, 3] ~ glorot\n"
      "param C : [2, 2] ~ glorot\nz = (C + A·Bᵀ)·x\noutput z\n");
  int gemms_with_c = 0;
  for (const onnx::NodeProto& n : m.graph().node()) {
    if (n.op_type() != "Gemm" || n.input_size() != 3) continue;
    ++gemms_with_c;
    bool trans_b = false;
    for (const onnx::AttributeProto& a : n.attribute())
      trans_b |= a.name() == "transB" && a.i() == 1;
    CHECK(trans_b);
  }
  CHECK(gemms_with_c == 1);
}

TEST_CASE("every op of the table has an ONNX row that can emit it", "[export]") {
  for (int i = 0; i < eq::ir::op_count(); ++i) {
    const auto op = static_cast<eq::ir::Op>(i);
    const eq::onnx_export::OnnxRow& row = eq::onnx_export::onnx_row(op);
    INFO(eq::ir::op_name(op));
    CHECK(row.op == op);
    CHECK(!row.onnx.empty());
    // Inputs and parameters are bound by the exporter; gradient helpers and
    // dropout masks (training only: passes/inference.hpp) never reach a
    // prediction program (their rows say so, and export reports them at the
    // equation). Every other op emits.
    using eq::ir::Op;
    const bool bound = op == Op::input || op == Op::param;
    const bool not_exported = op == Op::gelu_grad || op == Op::elu_grad ||
                              op == Op::leaky_relu_grad || op == Op::unslice ||
                              op == Op::dropout_mask;
    CHECK((row.emit != nullptr) == !(bound || not_exported));
  }
}

TEST_CASE("an op that cannot be exported is reported at its equation", "[export]") {
  eq::Model model = eq::Model::from_source("m.eq", kLogreg);
  const eq::ir::Node out = model.outputs()[0].second;
  try {
    eq::onnx_export::cannot_export(out, "no ONNX operator computes it");
    FAIL("no error");
  } catch (const eq::Error& e) {
    CHECK(std::string(e.what()) ==
          "m.eq:5:5: error: cannot export op softmax to ONNX: no ONNX operator computes it\n"
          "ŷ = softmax(W·x + b)\n"
          "    ^~~~~~~~~~~~~~~~");
  }
}

TEST_CASE("a model without an output has nothing to export", "[export]") {
  eq::Model model =
      eq::Model::from_source("m.eq", "input x : [2]\nparam w : [2] ~ 0\nloss = Σ(w*x)\n");
  eq::SafetensorsFile weights;
  weights.tensors.emplace_back("w", eq::Tensor(eq::DType::f32, eq::Shape{2}));
  CHECK_THROWS_WITH(eq::onnx_export::export_onnx(model, weights, {}),
                    "m.eq: the model has no `output` statement to export");
}

TEST_CASE("per-example products and a joined row export as MatMul, Expand and Concat", "[export]") {
  // X·W is a stack times a shared matrix (MatMul broadcasts W), Q·Qᵀ a
  // product per example (a Transpose of the last two axes first), and the
  // param row c joins every example after an Expand to the batch.
  onnx::ModelProto m = export_source(
      "input X : [3, 4]\nparam W : [4, 2] ~ 0\nparam c : [3, 1] ~ 0\n"
      "Q = X·W\nA = softmax(Q·Qᵀ)\nz = vec([A, c])\noutput z\n");
  const onnx::GraphProto& g = m.graph();
  CHECK(dims(g.input(0)) == "batchx3x4");
  CHECK(dims(g.output(0)) == "batchx12");
  const std::vector<std::string> ops = op_types(g);
  auto count = [&](const std::string& op) { return std::count(ops.begin(), ops.end(), op); };
  CHECK(count("MatMul") == 2);
  CHECK(count("Gemm") == 0);  // Gemm takes matrices only, not stacks
  CHECK(count("Transpose") == 1);
  CHECK(count("Expand") == 1);
  int joins = 0;  // Concat along the last axis (the Expand's shape is a Concat too, on axis 0)
  for (const auto& n : g.node())
    if (n.op_type() == "Transpose") {
      REQUIRE(n.attribute_size() == 1);
      CHECK(std::vector<std::int64_t>(n.attribute(0).ints().begin(), n.attribute(0).ints().end()) ==
            std::vector<std::int64_t>{0, 2, 1});
    } else if (n.op_type() == "Concat" && n.attribute(0).i() == -1) {
      ++joins;
      CHECK(n.input_size() == 2);
    }
  CHECK(joins == 1);
}

TEST_CASE("noise exports as ONNX's own draws of its shape; dropout not at all", "[export][noise]") {
  onnx::ModelProto m = export_source(
      "input x : [4]\nnoise ε : [4] ~ normal(0.5, 2)\nnoise u : [4] ~ uniform(-1, 1)\n"
      "param W : [3, 4] ~ 0\nh = dropout(x + ε*u, 0.5)\nŷ = W·h\noutput ŷ\n");
  const onnx::GraphProto& g = m.graph();
  const std::vector<std::string> ops = op_types(g);
  auto count = [&](const std::string& op) { return std::count(ops.begin(), ops.end(), op); };
  CHECK(count("RandomNormalLike") == 1);
  CHECK(count("RandomUniformLike") == 1);
  CHECK(count("ConstantOfShape") == 2);
  // x + ε·u, then W·h: one Mul (ε·u) and no second one for a dropout mask.
  CHECK(count("Mul") == 1);
  for (const auto& n : g.node()) {
    if (n.op_type() != "RandomNormalLike" && n.op_type() != "RandomUniformLike") continue;
    std::map<std::string, float> f;
    std::int64_t dtype = -1;
    for (const auto& a : n.attribute()) {
      if (a.type() == onnx::AttributeProto::FLOAT) f[a.name()] = a.f();
      if (a.name() == "dtype") dtype = a.i();
    }
    CHECK(dtype == onnx::TensorProto::FLOAT);
    if (n.op_type() == "RandomNormalLike") {
      CHECK(f.at("mean") == 0.5f);
      CHECK(f.at("scale") == 2.0f);
    } else {
      CHECK(f.at("low") == -1.0f);
      CHECK(f.at("high") == 1.0f);
    }
  }
}

TEST_CASE("a learnt start's values are in eq.states: the ONNX file alone starts the loop",
          "[export]") {
  eq::Model model = eq::Model::from_source(
      "m.eq",
      "input xₜ : onehot[5]\nparam W : [2, 5] ~ 0\nparam U : [2, 2] ~ 0\nparam h₀ : [2] ~ 0\n"
      "state hₜ : [2] = h₀\nhₜ = tanh(W·xₜ + U·hₜ₋₁)\noutput hₜ\n");
  eq::SafetensorsFile weights;
  for (const eq::ModelParam& p : model.params())
    weights.tensors.emplace_back(p.name, eq::Tensor(p.node.dtype(), p.node.shape().example()));
  weights.tensors[2].second = eq::Tensor::from(eq::Shape{2}, {0.25, -1.5}, eq::DType::f32);
  onnx::ModelProto m;
  REQUIRE(m.ParseFromString(eq::onnx_export::export_onnx(model, weights, {})));
  // Until 2026-12-01 only "init_param" named it: no initializer holds h₀,
  // since no node of the step reads it.
  CHECK(metadata(m, "eq.states") ==
        R"([{"init":[0.25,-1.5],"init_param":"h₀","input":"h_tm1","output":"h_t_2"}])");
}

TEST_CASE("a one-hot input read from labels keeps them, under the input's ONNX name", "[export]") {
  ExportOptions o;
  o.labels["c"] = {"blue", "green", "red"};
  o.labels["y"] = {"no", "yes"};
  onnx::ModelProto m = export_source(
      "input c : onehot[3]\ntarget y : onehot[2]\nparam G : [2, 3] ~ 0\nŷ = softmax(G·c)\n"
      "loss = -Σ(y*log(ŷ))\noutput ŷ\n",
      o);
  CHECK(metadata(m, "eq.labels") == R"({"c":["blue","green","red"],"y_hat":["no","yes"]})");
}

TEST_CASE("an output that reads a target is refused at the equation that reads it", "[export]") {
  // y's one-hot form is made once, at loss; the error is at r's `ŷ*y`.
  eq::Model model = eq::Model::from_source(
      "m.eq",
      "input x : [4]\ntarget y : onehot[3]\nparam W : [3, 4] ~ 0\nŷ = softmax(W·x)\n"
      "loss = -Σ(y*log(ŷ))\nr = ŷ*y\noutput r\n");
  eq::SafetensorsFile weights;
  weights.tensors.emplace_back("W", eq::Tensor(eq::DType::f32, eq::Shape{3, 4}));
  CHECK_THROWS_WITH(eq::onnx_export::export_onnx(model, weights, {}),
                    "m.eq:6:5: error: the prediction reads the target y, which predictions do not "
                    "have: an `output` may depend on inputs and parameters only\n"
                    "r = ŷ*y\n"
                    "    ^~~");
}

TEST_CASE("an output that reads an earlier step of a target is refused where it reads it",
          "[export]") {
  // hₜ reads yₜ₋₁ (a series forecast with observed lags): a prediction has
  // no targets at any step. It said "the prediction is the target yₜ".
  eq::Model model = eq::Model::from_source(
      "m.eq",
      "input xₜ : [1]\ntarget yₜ : [1]\nparam W : [2, 1] ~ 0\nparam A : [2, 1] ~ 0\n"
      "param U : [2, 2] ~ 0\nparam V : [1, 2] ~ 0\nhₜ = tanh(W·xₜ + U·hₜ₋₁ + A·yₜ₋₁)\n"
      "ŷₜ = V·hₜ\nlossₜ = Σ((yₜ - ŷₜ)²)\noutput ŷₜ\n");
  eq::SafetensorsFile weights;
  for (const eq::ModelParam& p : model.params())
    weights.tensors.emplace_back(p.name, eq::Tensor(p.node.dtype(), p.node.shape().example()));
  CHECK_THROWS_WITH(eq::onnx_export::export_onnx(model, weights, {}),
                    Catch::Matchers::StartsWith(
                        "m.eq:7:27: error: the prediction reads the target yₜ (as yₜ₋₁), which "
                        "predictions do not have"));
}
