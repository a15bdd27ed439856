// Time models: gradients through an unrolled window (truncated BPTT) of a
// tiny RNN and LSTM against central differences in float64 — parameters and
// the carried-in state alike — and the structure of the unrolled graph.
#include <catch2/catch.hpp>
#include <random>

#include "eq/compiler/lower/unroll.hpp"
#include "gradcheck.hpp"

using namespace eq;

namespace {

const char* kRnn = R"(
dim V = 4
dim H = 3
input xₜ : onehot[V]
target yₜ : onehot[V]
param W : [H, V] ~ glorot
param U : [H, H] ~ glorot
param b : [H] ~ 0
param Wy : [V, H] ~ glorot
hₜ = tanh(W·xₜ + U·hₜ₋₁ + b)
ŷₜ = softmax(Wy·hₜ)
lossₜ = -Σ(yₜ*log(ŷₜ))
)";

const char* kLstm = R"(
dim V = 4
dim H = 3
input  xₜ : onehot[V]
target yₜ : onehot[V]
param Wᵢ, Wf, Wₒ, Wc : [H, V] ~ glorot
param Uᵢ, Uf, Uₒ, Uc : [H, H] ~ glorot
param Bᵢ, Bf, Bₒ, Bc : [H] ~ 0
param Wy : [V, H] ~ glorot
param By : [V] ~ 0
iₜ = σ(Wᵢ·xₜ + Uᵢ·hₜ₋₁ + Bᵢ)
fₜ = σ(Wf·xₜ + Uf·hₜ₋₁ + Bf)
oₜ = σ(Wₒ·xₜ + Uₒ·hₜ₋₁ + Bₒ)
ĉₜ = tanh(Wc·xₜ + Uc·hₜ₋₁ + Bc)
cₜ = fₜ*cₜ₋₁ + iₜ*ĉₜ
hₜ = oₜ*tanh(cₜ)
ŷₜ = softmax(Wy·hₜ + By)
lossₜ = -Σ(yₜ*log(ŷₜ))
)";

// A learnt start: h₀ is a parameter, read by the streams that start from it.
const char* kRnnLearntStart = R"(
dim V = 4
dim H = 3
input xₜ : onehot[V]
target yₜ : onehot[V]
param W : [H, V] ~ glorot
param U : [H, H] ~ glorot
param h₀ : [H] ~ 0.1
state hₜ : [H] = h₀
param Wy : [V, H] ~ glorot
hₜ = tanh(W·xₜ + U·hₜ₋₁ + 0.5hₜ₋₂)
ŷₜ = softmax(Wy·hₜ)
lossₜ = -Σ(yₜ*log(ŷₜ))
)";

// Random parameters, symbols and carried-in states for a batch of 2
// streams; `wrt` gets the parameters and carried-in leaves.
eq::testing::Leaves window_leaves(Model& m, const Window& w, std::vector<ir::Node>& wrt) {
  std::mt19937 rng(17);
  const std::int64_t B = 2, V = 4;
  eq::testing::Leaves leaves;
  for (const ModelParam& p : m.params()) {
    leaves.add(p.node, eq::testing::random_tensor(p.node.shape().example(), rng, -0.9, 0.9));
    wrt.push_back(p.node);
  }
  for (const auto& [name, nodes] : w.inputs)
    for (const ir::Node& n : nodes) {
      Tensor idx(DType::i32, Shape{B});
      for (std::int64_t b = 0; b < B; ++b) idx.set(b, static_cast<double>(rng() % V));
      leaves.add(n, idx);
    }
  for (const UnrolledState& s : w.states) {
    for (const ir::Node& n : s.carry_in) {
      leaves.add(n, eq::testing::random_tensor(n.shape().example().with_front(B), rng, -0.5, 0.5));
      wrt.push_back(n);
    }
    // A learnt start: stream 0 starts from h₀, stream 1 goes on from its
    // carried state; both paths get their gradients.
    if (s.reset)
      leaves.add(s.reset,
                 Tensor::from(s.reset.shape().example().with_front(B), {1, 0}, DType::f64));
  }
  return leaves;
}

// Learnt starts of a matrix and of a scalar state (the reset flag has the
// state's rank: it broadcast only against vectors at first).
const char* kLearntMatrixAndScalar = R"(
dim V = 4
input xₜ : onehot[V]
target yₜ : onehot[V]
param M₀ : [2, 2] ~ 0.1
param s₀ : [] ~ 0.2
param W : [2, V] ~ glorot
param Wy : [V, 2] ~ glorot
state Mₜ : [2, 2] = M₀
state sₜ : [] = s₀
Mₜ = tanh(0.5Mₜ₋₁ + sₜ₋₁ + W·xₜ)
sₜ = tanh(Σ(Mₜ))
ŷₜ = softmax(Wy·Mₜ[0])
lossₜ = -Σ(yₜ*log(ŷₜ))
)";

void check_window_gradients(const char* source, int steps) {
  ModelOptions options;
  options.dtype = DType::f64;
  Model m = Model::from_source("m.eq", source, options);
  Window w = unroll(m, steps);
  REQUIRE(w.objective);
  std::vector<ir::Node> wrt;
  eq::testing::Leaves leaves = window_leaves(m, w, wrt);
  eq::testing::gradient_error(w.objective, leaves, wrt);
}

}  // namespace

TEST_CASE("gradients through time of a tiny RNN match central differences", "[time]") {
  check_window_gradients(kRnn, 5);
}

TEST_CASE("a learnt start h₀ gets the gradient of the streams that start from it", "[time]") {
  // Until the start became where(reset, h₀, carried), h₀ was copied into
  // the carried-in leaves and its gradient was 0: it never trained.
  check_window_gradients(kRnnLearntStart, 3);
  ModelOptions options;
  options.dtype = DType::f64;
  {
    // …and that gradient is not 0 (central differences agree with 0 too
    // when the objective does not read h₀ at all).
    Model m = Model::from_source("m.eq", kRnnLearntStart, options);
    Window w = unroll(m, 3);
    std::vector<ir::Node> wrt;
    eq::testing::Leaves leaves = window_leaves(m, w, wrt);
    const ir::Node h0 = m.params()[2].node;
    REQUIRE(h0.name() == "h₀");
    const ir::Node g = grad(w.objective, {h0})[0];
    CompileOptions training;
    training.training = true;
    Machine vm(compile(m.graph(), {g}, training));
    eq::testing::set_leaves(vm, leaves);
    vm.run();
    const Tensor dh0 = vm.value(g);
    double largest = 0;
    for (std::int64_t i = 0; i < dh0.numel(); ++i) largest = std::max(largest, std::abs(dh0.at(i)));
    CHECK(largest > 1e-3);
  }
  Model m = Model::from_source("m.eq", kRnnLearntStart, options);
  Window w = unroll(m, 1);  // hₜ₋₂ at step 0 is carried in and passed on
  REQUIRE(w.states.size() == 1);
  CHECK(w.states[0].reset);
  CHECK(w.states[0].carry_out[1].op() == ir::Op::where);
  check_window_gradients(kLearntMatrixAndScalar, 3);
  Model constant = Model::from_source("m.eq", kRnn, options);
  CHECK_FALSE(unroll(constant, 2).states[0].reset);
}

TEST_CASE("gradients through time of a tiny LSTM match central differences", "[time]") {
  check_window_gradients(kLstm, 5);
}

TEST_CASE("unrolling shares what does not depend on time and carries the states", "[time]") {
  Model m = Model::from_source("m.eq", kLstm);
  REQUIRE(m.states().size() == 2);  // hₜ₋₁ and cₜ₋₁
  Window w = unroll(m, 4);
  CHECK(w.inputs.at("xₜ").size() == 4);
  CHECK(w.inputs.at("yₜ").size() == 4);
  REQUIRE(w.states.size() == 2);
  for (const UnrolledState& s : w.states) {
    REQUIRE(s.carry_in.size() == 1);
    CHECK(s.carry_out[0] == w.values.at(s.name)[3]);
  }
  // Step 1's hₜ₋₁ is step 0's hₜ: the first step's iₜ reads the carried-in
  // leaf, the second reads a computed value.
  CHECK(w.values.at("hₜ")[0] != w.values.at("hₜ")[1]);
  CHECK(w.losses.size() == 4);
}

TEST_CASE("leaves carry their time index as declared, and unroll reads it", "[time]") {
  const char* source = R"(
dim V = 3
input x_t : onehot[V]
input x₁ₜ : [2]
input s : [2]
target y_{t} : onehot[V]
param W : [2, V] ~ glorot
hₜ = tanh(W·x_t + x₁ₜ + s + hₜ₋₁)
)";
  Model m = Model::from_source("m.eq", source);
  REQUIRE(m.inputs().size() == 3);
  REQUIRE(m.targets().size() == 1);
  const ModelLeaf &x = m.inputs()[0], &x1 = m.inputs()[1], &s = m.inputs()[2], &y = m.targets()[0];
  CHECK((x.name == "xₜ" && x.timed && x.base == "x" && x.offset == 0));
  CHECK((x1.name == "x₁ₜ" && x1.timed && x1.base == "x₁"));
  CHECK((s.name == "s" && !s.timed && s.base == "s"));
  CHECK((y.name == "yₜ" && y.timed && y.base == "y"));
  // A leaf per step for the timed leaves only; the untimed one is shared.
  Window w = unroll(m, 3);
  CHECK(w.inputs.size() == 3);
  CHECK(w.inputs.at("x₁ₜ").size() == 3);
  CHECK(w.inputs.count("s") == 0);
}

TEST_CASE("a delay longer than the window passes carried states through", "[time]") {
  const char* source = R"(
dim V = 3
input xₜ : onehot[V]
param W : [2, V] ~ glorot
param U : [2, 2] ~ glorot
hₜ = tanh(W·xₜ + U·hₜ₋₂)
)";
  Model m = Model::from_source("m.eq", source);
  Window w = unroll(m, 1);
  REQUIRE(w.states.size() == 1);
  const UnrolledState& s = w.states[0];
  REQUIRE(s.carry_in.size() == 2);
  REQUIRE(s.carry_out.size() == 2);
  CHECK(s.carry_out[0] == w.values.at("hₜ")[0]);  // hₜ at the last step
  CHECK(s.carry_out[1] == s.carry_in[0]);         // the step before it came in
}
