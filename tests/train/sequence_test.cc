// Text streams for truncated BPTT, and sampling a time model symbol by symbol
// (against the unrolled window of training for states read k steps back).
#include <catch2/catch.hpp>

#include "eq/compiler/lower/model.hpp"
#include "eq/compiler/lower/unroll.hpp"
#include "eq/compiler/machine.hpp"
#include "eq/runtime/error.hpp"
#include "eq/runtime/kernels.hpp"
#include "eq/train/sampler.hpp"
#include "eq/train/streams.hpp"

using namespace eq;

TEST_CASE("text streams are contiguous slices read window by window", "[sequence]") {
  // 0 1 2 … 20: two streams of 10 symbols each (the 21st is unused), windows of 3.
  Tensor symbols(DType::i32, Shape{21});
  for (int i = 0; i < 21; ++i) symbols.set(i, i);
  TextStreams s(symbols, 0, 21, 2, 3);
  CHECK(s.windows() == 3);  // (10 − 1) / 3: every step needs the symbol after it
  std::vector<Tensor> x = s.make_step_tensors(), y = s.make_step_tensors();
  s.fill(1, x, y);
  // Window 1, step 0: stream 0 at position 3, stream 1 at 10 + 3.
  CHECK(x[0].at(0) == 3);
  CHECK(x[0].at(1) == 13);
  CHECK(y[0].at(0) == 4);
  CHECK(x[2].at(1) == 15);
  CHECK(y[2].at(1) == 16);
  s.fill(2, x, y);
  CHECK(y[2].at(0) == 9);  // the last target of stream 0 stays inside its slice
  CHECK(y[2].at(1) == 19);
  CHECK_THROWS_WITH(TextStreams(symbols, 0, 21, 8, 3),
                    "the text is too short: 21 symbols give 8 streams of 2, fewer than one window "
                    "of 3 steps plus one; lower batch or window");
}

TEST_CASE("draw follows the distribution and the temperature", "[sequence]") {
  Rng rng(5);
  std::vector<double> scratch;
  const double p[3] = {0.1, 0.2, 0.7};
  int counts[3] = {0, 0, 0};
  for (int i = 0; i < 20000; ++i) ++counts[draw(p, 3, false, 1.0, rng, scratch)];
  CHECK(counts[0] / 20000.0 == Approx(0.1).margin(0.015));
  CHECK(counts[2] / 20000.0 == Approx(0.7).margin(0.015));
  // A low temperature all but always picks the most likely symbol.
  int top = 0;
  for (int i = 0; i < 1000; ++i) top += draw(p, 3, false, 0.05, rng, scratch) == 2;
  CHECK(top >= 999);
  const double logits[2] = {0.0, std::log(3.0)};  // probabilities 1/4, 3/4
  int ones = 0;
  for (int i = 0; i < 20000; ++i) ones += draw(logits, 2, true, 1.0, rng, scratch) == 1;
  CHECK(ones / 20000.0 == Approx(0.75).margin(0.015));
  CHECK_THROWS_WITH(draw(p, 3, false, 0.0, rng, scratch), "the temperature must be greater than 0");
}

TEST_CASE("sampling feeds each symbol back and carries the state", "[sequence]") {
  // A model whose next symbol is (x + h) mod 3 where h counts steps mod 3 in
  // its state: with sharp weights, sampling at a low temperature is exact.
  const char* source = R"(
dim V = 3
input xₜ : onehot[V]
param W : [V, V] ~ glorot
param U : [V, V] ~ glorot
hₜ = W·xₜ + U·hₜ₋₁
ŷₜ = softmax(hₜ)
output ŷₜ
)";
  Model m = Model::from_source("m.eq", source);
  Sampler s(m);
  // W maps symbol i to a large score for (i + 1) mod 3; U = 0: no memory.
  Tensor w(DType::f32, Shape{3, 3});
  for (int i = 0; i < 3; ++i) w.set(((i + 1) % 3) * 3 + i, 30);
  s.machine().set_param(m.graph().leaf("W"), w);
  s.machine().set_param(m.graph().leaf("U"), Tensor(DType::f32, Shape{3, 3}));
  Rng rng(1);
  CHECK(s.sample({0}, 5, 0.5, rng) == std::vector<std::int32_t>{1, 2, 0, 1, 2});
  CHECK(s.sample({2, 2}, 2, 0.5, rng) == std::vector<std::int32_t>{0, 1});
  // With U = 2·I the carried state outweighs the input: after the first
  // step's score for symbol 1, h keeps pointing at 1 (30 → 60+30 → …).
  Tensor u(DType::f32, Shape{3, 3});
  for (int i = 0; i < 3; ++i) u.set(i * 3 + i, 2);
  s.machine().set_param(m.graph().leaf("U"), u);
  CHECK(s.sample({0}, 4, 0.5, rng) == std::vector<std::int32_t>{1, 1, 1, 1});
  CHECK_THROWS_WITH(s.sample({7}, 1, 1.0, rng), "symbol 7 is outside the vocabulary of 3");
}

TEST_CASE("sampling refuses models it cannot run", "[sequence]") {
  Model plain = Model::from_source(
      "m.eq", "input x : onehot[3]\nparam W : [3, 3] ~ glorot\ny = softmax(W·x)\noutput y\n");
  CHECK_THROWS_WITH(
      Sampler(plain),
      "sampling needs a time model (one with hₜ and hₜ₋₁); this one has no recurrence");
}

TEST_CASE("sampling draws a model's noise afresh at every step, from its seed",
          "[sequence][noise]") {
  Model m = Model::from_source("m.eq", R"(dim V = 3
input  xₜ : onehot[V]
target yₜ : onehot[V]
noise ε : [V] ~ normal(0, 1)
param W : [V, V] ~ 0
hₜ = 0*hₜ₋₁ + W·xₜ
ŷₜ = softmax(hₜ + ε)
output ŷₜ
)");
  Sampler s(m);  // W holds zeros: ŷ is softmax(ε) alone
  s.set_noise_seed(8);
  auto step = [&](std::vector<double>& p) {
    s.feed(1);
    s.probabilities(p);
  };
  std::vector<double> first, second, again, other;
  s.reset();
  step(first);
  step(second);
  CHECK(first != second);  // step 1 draws other numbers than step 0
  s.reset();
  step(again);
  CHECK(again == first);  // reset: step 0 again, the same numbers
  s.set_noise_seed(9);
  s.reset();
  step(other);
  CHECK(other != first);
}

TEST_CASE("sampling a state read k steps back steps as the training window does", "[sequence]") {
  // The one-step program carries hₜ₋₁ … hₜ₋ₖ (StateCarry); the unrolled
  // window of training wires step t's hₜ₋ₖ to step t−k's hₜ. Fed the same
  // symbols from the same initial states, both give the same ŷₜ at every
  // step. The second model reads hₜ₋₃ alone: hₜ₋₁ and hₜ₋₂ are carried only
  // to be passed on.
  const std::string source = GENERATE(std::string(R"(dim V = 5
input xₜ : onehot[V]
param W : [4, V] ~ glorot
param U : [4, 4] ~ orthogonal
param Y : [V, 8] ~ glorot
state hₜ : [4] = 0.25
hₜ = tanh(W·xₜ + U·hₜ₋₁)
ŷₜ = softmax(Y·[hₜ, hₜ₋₂])
output ŷₜ
)"),
                                      std::string(R"(dim V = 5
input xₜ : onehot[V]
param W : [4, V] ~ glorot
param U : [4, 4] ~ orthogonal
param Y : [V, 4] ~ glorot
hₜ = tanh(W·xₜ + U·hₜ₋₃)
ŷₜ = softmax(Y·hₜ)
output ŷₜ
)"));
  Model m = Model::from_source("m.eq", source);
  Sampler s(m);
  Rng rng(3);
  s.machine().initialize(rng);
  const std::vector<std::int32_t> symbols{1, 4, 0, 0, 3, 2, 4, 1};
  const int steps = static_cast<int>(symbols.size());

  Model u = Model::from_source("m.eq", source);
  Window w = unroll(u, steps);
  const std::vector<ir::Node>& outputs = w.values.at("ŷₜ");
  Machine vm(compile(u.graph(), outputs));
  for (std::size_t i = 0; i < m.params().size(); ++i)
    vm.set_param(u.params()[i].node, s.machine().value(m.params()[i].node));
  for (int t = 0; t < steps; ++t) {
    Tensor x(DType::i32, Shape{1});
    x.set(0, symbols[static_cast<std::size_t>(t)]);
    vm.let(w.inputs.at("xₜ")[static_cast<std::size_t>(t)], x);
  }
  for (const UnrolledState& st : w.states)
    for (const ir::Node& n : st.carry_in) {
      Tensor init(DType::f32, n.shape().example().with_front(1));
      kernels::fill(init.view(), st.init_value);
      vm.let(n, init);
    }
  vm.run();

  s.reset();
  std::vector<double> p;
  for (int t = 0; t < steps; ++t) {
    s.feed(symbols[static_cast<std::size_t>(t)]);
    s.probabilities(p);
    const Tensor want = vm.value(outputs[static_cast<std::size_t>(t)]);
    INFO("step " << t);
    for (std::size_t k = 0; k < p.size(); ++k)
      CHECK(p[k] == Approx(want.at(static_cast<std::int64_t>(k))).epsilon(1e-6));
  }
}
