// Training time models end to end through the library: a small RNN learns a
// periodic text and then samples it back; a resumed run ends with the same
// weights as an uninterrupted one; wrong set-ups are refused clearly.
#include <catch2/catch.hpp>
#include <cstdio>
#include <cstring>
#include <filesystem>
#include <fstream>

#include "eq/runtime/error.hpp"
#include "eq/train/evaluate.hpp"
#include "eq/train/sampler.hpp"
#include "eq/train/trainer.hpp"

using namespace eq;
namespace fs = std::filesystem;

namespace {

const char* kRnn = R"(
dim V
dim H = 16
input  xₜ : onehot[V]
target yₜ : onehot[V]
param W : [H, V] ~ glorot
param U : [H, H] ~ orthogonal
param b : [H] ~ 0
param Wy : [V, H] ~ glorot
param by : [V] ~ 0
hₜ = tanh(W·xₜ + U·hₜ₋₁ + b)
ŷₜ = softmax(Wy·hₜ + by)
lossₜ = -Σ(yₜ*log(ŷₜ))
output ŷₜ
train {
  data = text("abc.txt")
  optimizer = adam(lr = 0.02)
  batch = 4
  window = 8
  epochs = 6
  validate = 0.1
  seed = 1
}
)";

// A folder with the model's data: "abcd" repeated, so the next symbol is
// always determined by the current one.
fs::path make_data() {
  fs::path dir = fs::temp_directory_path() / ("eq_seq_" + std::to_string(::getpid()));
  fs::create_directories(dir);
  std::ofstream f(dir / "abc.txt");
  for (int i = 0; i < 400; ++i) f << "abcd";
  return dir;
}

Setup setup(const fs::path& dir, std::map<std::string, std::string> overrides = {}) {
  SetupOptions so;
  so.overrides = std::move(overrides);
  return setup_source("rnn.eq", kRnn, dir.string(), so);
}

}  // namespace

TEST_CASE("an RNN learns a periodic text and samples it back", "[sequence][train]") {
  fs::path dir = make_data();
  Setup s = setup(dir);
  REQUIRE(s.model->dims().at("V") == 4);
  Trainer t(s);
  t.initialize();
  const double before = t.validate().loss;
  std::vector<double> epochs;
  TrainHooks hooks;
  hooks.on_epoch = [&](const EpochReport& r) {
    REQUIRE(r.validation);
    epochs.push_back(r.validation->loss);
  };
  t.train(hooks);
  INFO("validation loss " << before << " → " << epochs.back());
  CHECK(before > 1.2);          // about log 4 before training
  CHECK(epochs.back() < 0.05);  // the text is fully predictable
  // Sampling from the trained weights continues the pattern.
  Setup s2 = setup(dir);
  Sampler sampler(*s2.model);
  set_params(*s2.model, t.weights(), sampler.machine());
  Rng rng(4);
  std::vector<std::int32_t> drawn = sampler.sample({0, 1}, 8, 0.5, rng);  // "ab" → "cdabcdab"
  CHECK(drawn == std::vector<std::int32_t>{2, 3, 0, 1, 2, 3, 0, 1});
  fs::remove_all(dir);
}

TEST_CASE("a resumed time-model run ends with the weights of an uninterrupted one",
          "[sequence][train]") {
  fs::path dir = make_data();
  auto train_steps = [&](std::int64_t steps, const SafetensorsFile* from) {
    Setup s = setup(dir, {{"steps", std::to_string(steps)}});
    Trainer t(s);
    if (from)
      t.resume(*from);
    else
      t.initialize();
    t.train();
    return t.checkpoint();
  };
  SafetensorsFile straight = train_steps(30, nullptr);
  SafetensorsFile half = train_steps(17, nullptr);  // stops inside the second epoch
  SafetensorsFile resumed = train_steps(30, &half);
  for (const auto& [name, tensor] : straight.tensors) {
    INFO(name);
    const Tensor* other = resumed.find(name);
    REQUIRE(other != nullptr);
    CHECK(std::memcmp(tensor.raw(), other->raw(), tensor.bytes()) == 0);
  }
  fs::remove_all(dir);
}

TEST_CASE("time-model training refuses set-ups it cannot run", "[sequence][train]") {
  fs::path dir = make_data();
  Setup s = setup(dir, {{"batch", "500"}});
  // The message names the text file (issue 17, item 14).
  CHECK_THROWS_WITH(Trainer(s),
                    (dir / "abc.txt").string() +
                        ": the text is too short: 1440 symbols give 500 streams of 2, fewer than "
                        "one window of 8 steps plus one; lower batch or window");
  fs::remove_all(dir);
}

namespace {
TrainPosition ck_position(const SafetensorsFile& ck) {
  return *decode_metadata(ck.metadata, ck.path).position;
}
}  // namespace

TEST_CASE("a checkpoint resumed with another window is refused, naming why", "[sequence][train]") {
  fs::path dir = make_data();
  Setup first = setup(dir, {{"steps", "30"}});
  Trainer t(first);
  t.initialize();
  t.train();
  SafetensorsFile ck = t.checkpoint();
  ck.path = "ck.safetensors";
  Setup other = setup(dir, {{"window", "32"}});
  Trainer u(other);
  CHECK_THROWS_WITH(u.resume(ck), "ck.safetensors: the checkpoint stopped at step " +
                                      std::to_string(ck_position(ck).epoch_step) +
                                      " of an epoch of " + std::to_string(t.steps_per_epoch()) +
                                      " steps, but this run's epoch has 11: resume with the batch, "
                                      "validation share, window and data it was trained with");
  fs::remove_all(dir);
}

TEST_CASE("a held-out share too short for one window names validate", "[sequence][train]") {
  fs::path dir = make_data();
  Setup s = setup(dir, {{"validate", "0.005"}});
  CHECK_THROWS_WITH(Trainer(s),
                    "rnn.eq: validate = 0.005 holds out 8 symbols, fewer than "
                    "one window of 8 steps plus one; raise validate or lower window");
  fs::remove_all(dir);
}
