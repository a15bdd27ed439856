// The training library as a program embeds it: mistakes of the calling
// program — a batch of no rows, rows outside the data, an unknown override
// key, weights of another model — are eq::Errors that say what is wrong,
// not a hang, a read past the data or a message with no place.
#include <catch2/catch.hpp>
#include <cmath>
#include <string>

#include "eq/runtime/error.hpp"
#include "eq/train/evaluate.hpp"
#include "eq/train/trainer.hpp"
#include "support/tiny_runs.hpp"

using namespace eq;
using Catch::Matchers::Contains;
using Catch::Matchers::EndsWith;
using Catch::Matchers::Equals;
using Catch::Matchers::StartsWith;

namespace {

struct Folder : testing::TinyFolder {
  Folder() : TinyFolder("eq_api_") {}
};

// kTinyLogreg with one more parameter: another model, which kTinyLogreg's
// weights do not fit.
std::string with_bias_scale() {
  std::string source = testing::kTinyLogreg;
  const std::string from = "ŷ = softmax(W·x + b)";
  source.replace(source.find(from), from.size(), "param s : [K] ~ 1\nŷ = softmax(W·x + s*b)");
  return source;
}

}  // namespace

TEST_CASE("an Evaluator refuses a batch of fewer than one example", "[api]") {
  Folder f;
  Setup s = f.setup(testing::kTinyLogreg);
  Evaluator ev(*s.model, true);
  Batches data(s.data, *s.model, {}, 8);
  const std::string message = "the batch of an evaluation must be at least 1 example; got ";
  CHECK_THROWS_WITH(ev.evaluate(data, {}, 0), Equals(message + "0"));
  CHECK_THROWS_WITH(ev.predict(data, -3), Equals(message + "-3"));
  // A batch larger than the data is the whole data.
  CHECK(ev.evaluate(data, {}, 1000).examples == 24);
  // Batches of at most 0 rows became 1 unsaid, and no data at all scored a
  // loss of 0 (an API audit).
  CHECK_THROWS_WITH(Batches(s.data, *s.model, {}, 0), Equals(message + "0"));
  Dataset none;
  Batches empty(none, *s.model, {}, 8);
  CHECK_THROWS_WITH(ev.evaluate(empty, {}, 8),
                    Equals("no examples to evaluate: the data has no rows"));
}

TEST_CASE("an Evaluator made to score the loss says so when asked to predict", "[api]") {
  // It said "node 'ŝ' is not part of this program (compile it as an output…)".
  Folder f;
  std::string source = testing::kTinyLogreg;
  const std::string output = "output ŷ";
  source.replace(source.find(output), output.size(), "ŝ = Σ(W·x)\noutput ŝ");
  Setup s = f.setup(source.c_str());
  Batches data(s.data, *s.model, {}, 8);
  Evaluator scoring(*s.model, true);
  CHECK_THROWS_WITH(scoring.predict(data, 8),
                    Equals("this Evaluator scores the loss and does not keep the output ŝ; to "
                           "predict, make one with with_loss = false (Evaluator(model, false))"));
  Evaluator predicting(*s.model, false);
  CHECK(predicting.predict(data, 8).shape() == Shape{24});
}

TEST_CASE("weights made in memory are named as such in messages", "[api]") {
  Folder f;
  Setup s = f.setup(testing::kTinyLogreg);
  SafetensorsFile weights;  // no path: made in memory
  weights.tensors.emplace_back("W", Tensor(DType::f64, Shape{3, 3}));
  weights.tensors.emplace_back("b", Tensor(DType::f64, Shape{3}));
  Evaluator ev(*s.model, false);
  CHECK_THROWS_WITH(ev.load_params(weights),
                    StartsWith("the weights: tensor 'W' has shape [3, 3] but the model "));
}

TEST_CASE("Batches::let refuses rows outside the data and batches past max_batch", "[api]") {
  Folder f;
  Setup s = f.setup(testing::kTinyLogreg);
  Evaluator ev(*s.model, true);
  Batches data(s.data, *s.model, {}, 8);
  const std::vector<std::int64_t> past{0, 24}, negative{-1}, nine{0, 1, 2, 3, 4, 5, 6, 7, 8};
  CHECK_THROWS_WITH(data.let(ev.machine(), past),
                    Equals("row 24 is outside the data, which has 24 rows (0 to 23)"));
  CHECK_THROWS_WITH(data.let(ev.machine(), negative), StartsWith("row -1 is outside the data"));
  CHECK_THROWS_WITH(data.let(ev.machine(), nine),
                    Equals("a batch of 9 rows; these Batches take at most 8 (their max_batch)"));
  const std::vector<std::int64_t> last{23};
  CHECK_NOTHROW(data.let(ev.machine(), last));
}

TEST_CASE("an unknown override key is shown as the option it stands for", "[api]") {
  Folder f;
  CHECK_THROWS_WITH(f.setup(testing::kTinyLogreg, {{"epochz", "3"}}),
                    StartsWith("overrides:1:3: error: unknown train key 'epochz'; did you mean "
                               "'epochs'?") &&
                        Contains("--epochz 3"));
  // A known key still overrides the block's value.
  CHECK(f.setup(testing::kTinyLogreg, {{"epochs", "5"}}).config.epochs == 5);
}

TEST_CASE("weights of another model that do not fit say where the sources part", "[api]") {
  Folder f;
  Setup other = f.setup(testing::kTinyLogreg);
  Trainer trained(other);
  trained.initialize();
  SafetensorsFile weights = trained.weights();
  weights.path = "other.safetensors";

  Setup s = f.setup(with_bias_scale().c_str());
  Trainer t(s);
  const std::string where =
      "other.safetensors: these weights were trained with another model: the source saved in them "
      "(m.eq) differs from m.eq:\n"
      "  saved:  ŷ = softmax(W·x + b)   (line 7)\n"
      "  given:  param s : [K] ~ 1   (line 7)\n";
  CHECK_THROWS_WITH(
      t.load_weights(weights),
      Equals("other.safetensors: no tensor 's' (the model's parameters are W, b, s)\n" + where));
  SafetensorsFile checkpoint = trained.checkpoint();
  checkpoint.path = "other.safetensors";
  CHECK_THROWS_WITH(t.resume(checkpoint), Catch::Matchers::EndsWith(where));
  // Weights of the same model load without a word about sources.
  Trainer same(s);
  same.initialize();
  CHECK_NOTHROW(t.load_weights(same.weights()));
}

TEST_CASE("a TrainConfig set from C++ is held to the train block's ranges", "[api]") {
  // batch = 0 ended the process with SIGFPE; a negative validate threw a
  // std::length_error; NaN held out nothing; steps = -5 trained no step
  // (an API audit).
  Folder f;
  auto refused = [&](auto&& change, const std::string& message) {
    Setup s = f.setup(testing::kTinyLogreg);
    change(s.config);
    CHECK_THROWS_WITH(Trainer(s), EndsWith(message));
  };
  refused([](TrainConfig& c) { c.batch = 0; }, ": batch takes a whole number ≥ 1; got 0");
  refused([](TrainConfig& c) { c.validate = -0.5; },
          ": validate takes a number in [0, 1); got -0.5");
  refused([](TrainConfig& c) { c.validate = std::nan(""); },
          ": validate takes a number in [0, 1); got nan");
  refused([](TrainConfig& c) { c.steps = -5; }, ": steps takes a whole number ≥ 1; got -5");
  refused([](TrainConfig& c) { c.epochs = -1; }, ": epochs takes a whole number ≥ 1; got -1");
  Setup fine = f.setup(testing::kTinyLogreg);
  CHECK_NOTHROW(Trainer(fine));
}

TEST_CASE("resume() of weights made in memory names them", "[api]") {
  // It said ": not a checkpoint (…)", naming nothing (an API audit).
  Folder f;
  Setup s = f.setup(testing::kTinyLogreg);
  Trainer t(s);
  t.initialize();
  CHECK_THROWS_WITH(t.resume(t.weights()),
                    Equals("the weights given to resume(): not a checkpoint (no optimizer state or "
                           "step count)"));
  CHECK_NOTHROW(t.resume(t.checkpoint()));
}
