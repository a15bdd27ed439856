// The one training loop (train/trainer.hpp) and its hook points: the
// per-step seed a run sees before each step, and data parallelism — two
// shares of every batch (or of the text streams) trained in two threads
// whose reduce hooks average the gradients end with the weights of one
// whole-batch run.
#include <barrier>
#include <catch2/catch.hpp>
#include <cmath>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <map>
#include <string>
#include <set>
#include <thread>

#include "runtime/blas.hpp"
#include "runtime/error.hpp"
#include "support/tiny_runs.hpp"
#include "train/trainer.hpp"

using namespace eq;
namespace fs = std::filesystem;

namespace {

using testing::kTinyLogreg, testing::kTinyRnn;
const char* const kLogreg = kTinyLogreg;
const char* const kRnn = kTinyRnn;

struct Folder : testing::TinyFolder {
  Folder() : TinyFolder("eq_loop_") {}
};

// Stands in for an all-reduce over two processes: each rank's reduce hook
// stores its gradients and counts, waits for the other, and points its views
// at the mean of both weighted by examples.
class TwoRanks {
 public:
  TrainHooks hooks(int rank) {
    TrainHooks h;
    h.reduce = [this, rank](std::span<ConstView> grads, StepResult& r) { reduce(rank, grads, r); };
    return h;
  }

 std::int64_t own_examples[2] = {0, 0};  // what each share covered itself

 private:
  struct Slot {
    std::vector<Tensor> grads, reduced;
    StepResult result;
  };
  void reduce(int rank, std::span<ConstView> grads, StepResult& r) {
    Slot& mine = slots_[rank];
    mine.grads.clear();
    for (ConstView g : grads) {
      Tensor t(g.dtype, g.shape);
      std::memcpy(t.raw(), g.data, t.bytes());
      mine.grads.push_back(std::move(t));
    }
    mine.result = r;
    own_examples[rank] += r.examples;
    sync_.arrive_and_wait();
    const Slot &a = slots_[0], &b = slots_[1];
    const auto na = static_cast<double>(a.result.examples), nb = static_cast<double>(b.result.examples);
    mine.reduced.clear();
    for (std::size_t i = 0; i < grads.size(); ++i) {
      Tensor t(grads[i].dtype, grads[i].shape);
      for (std::int64_t k = 0; k < t.numel(); ++k)
        t.set(k, (a.grads[i].at(k) * na + b.grads[i].at(k) * nb) / (na + nb));
      mine.reduced.push_back(std::move(t));
    }
    r.loss = (a.result.loss * na + b.result.loss * nb) / (na + nb);
    r.examples = a.result.examples + b.result.examples;
    r.correct = a.result.correct + b.result.correct;
    sync_.arrive_and_wait();  // both have read the slots before either writes them again
    for (std::size_t i = 0; i < grads.size(); ++i) grads[i] = mine.reduced[i].view();
  }

  Slot slots_[2];
  std::barrier<> sync_{2};
};

// The parameters after training `source` whole, and in two shares whose
// gradients are averaged; both shares must end with identical weights.
void check_two_shares_train_as_one(const Folder& f, const char* source) {
  blas::set_threads(1);
  Setup whole = f.setup(source);
  Trainer one(whole);
  one.initialize();
  std::vector<EpochReport> one_reports;
  TrainHooks one_hooks;
  one_hooks.on_epoch = [&](const EpochReport& r) { one_reports.push_back(r); };
  one.train(one_hooks);
  const SafetensorsFile expected = one.weights();

  Setup s0 = f.setup(source), s1 = f.setup(source);
  Trainer r0(s0, training_data(s0, Shard{0, 2})), r1(s1, training_data(s1, Shard{1, 2}));
  CHECK(r0.steps_per_epoch() == one.steps_per_epoch());
  TwoRanks ranks;
  TrainHooks h0 = ranks.hooks(0), h1 = ranks.hooks(1);
  std::vector<EpochReport> reports;
  h0.on_epoch = [&](const EpochReport& r) { reports.push_back(r); };
  r0.initialize();
  r1.initialize();
  std::thread other([&] { r1.train(h1); });
  r0.train(h0);
  other.join();

  // Each share ran on its part alone; the parts make up the whole.
  std::int64_t all = 0;
  for (const EpochReport& r : one_reports) all += r.train.examples;
  CHECK(ranks.own_examples[0] > 0);
  CHECK(ranks.own_examples[1] > 0);
  CHECK(ranks.own_examples[0] + ranks.own_examples[1] == all);
  const SafetensorsFile w0 = r0.weights(), w1 = r1.weights();
  for (const auto& [name, want] : expected.tensors) {
    INFO(name);
    const Tensor &a = *w0.find(name), &b = *w1.find(name);
    CHECK(std::memcmp(a.raw(), b.raw(), a.bytes()) == 0);
    for (std::int64_t k = 0; k < want.numel(); ++k) CHECK(a.at(k) == Approx(want.at(k)).epsilon(1e-12));
  }
  REQUIRE(reports.size() == one_reports.size());
  for (std::size_t e = 0; e < reports.size(); ++e) {
    CHECK(reports[e].train.examples == one_reports[e].train.examples);
    CHECK(reports[e].train.loss == Approx(one_reports[e].train.loss).epsilon(1e-12));
    CHECK(reports[e].train.accuracy == one_reports[e].train.accuracy);
  }
}

}  // namespace

TEST_CASE("every step's run sees its step and a seed of (seed, step) alone", "[train][loop]") {
  Folder f;
  std::vector<StepContext> seen;
  TrainHooks hooks;
  hooks.before_run = [&](Machine&, const StepContext& at) { seen.push_back(at); };
  Setup s = f.setup(kLogreg);
  Trainer t(s);
  t.initialize();
  t.train(hooks);
  REQUIRE(seen.size() == 6);  // 2 epochs of 3 batches
  std::set<std::uint64_t> seeds;
  for (std::size_t i = 0; i < seen.size(); ++i) {
    CHECK(seen[i].step == static_cast<std::int64_t>(i) + 1);
    CHECK(seen[i].epoch == static_cast<std::int64_t>(i) / 3);
    CHECK(seen[i].epoch_step == static_cast<std::int64_t>(i) % 3);
    CHECK(seen[i].seed == step_seed(3, seen[i].step));
    seeds.insert(seen[i].seed);
  }
  CHECK(seeds.size() == 6);
  CHECK(step_seed(3, 1) != step_seed(4, 1));
  // A run resumed at step 4 sees the steps and seeds the whole run saw.
  Setup half = f.setup(kLogreg);
  SetupOptions stop;
  stop.overrides["steps"] = "4";
  Setup first = setup_source("m.eq", kLogreg, f.dir.string(), stop);
  Trainer a(first);
  a.initialize();
  a.train();
  Trainer b(half);
  b.resume(a.checkpoint());
  std::vector<StepContext> resumed;
  hooks.before_run = [&](Machine&, const StepContext& at) { resumed.push_back(at); };
  b.train(hooks);
  REQUIRE(resumed.size() == 2);
  CHECK(resumed[0].step == 5);
  CHECK(resumed[0].epoch_step == 1);
  CHECK(resumed[1].seed == seen[5].seed);
}

TEST_CASE("two shares of every batch, gradients averaged, train as one batch", "[train][loop]") {
  Folder f;
  check_two_shares_train_as_one(f, kLogreg);
}

TEST_CASE("two shares of the text streams, gradients averaged, train as all streams", "[train][loop]") {
  Folder f;
  check_two_shares_train_as_one(f, kRnn);
}

TEST_CASE("shares need an example or a stream each", "[train][loop]") {
  Folder f;
  Setup s = f.setup(kLogreg);
  CHECK_THROWS_WITH(training_data(s, Shard{0, 9}),
                    (f.dir / "d.csv").string() + ": a batch of 8 examples cannot be shared by 9 "
                                                 "processes; lower their number or raise batch");
  CHECK_THROWS_WITH(training_data(s, Shard{2, 2}), "shard 2 of 2 does not exist");
  Setup r = f.setup(kRnn);
  CHECK_THROWS_WITH(training_data(r, Shard{0, 5}), "m.eq: batch = 4 streams cannot be shared by 5 "
                                                   "processes; lower their number or raise batch");
}

// ---- noise and dropout (docs/language.md §9) in the loop ---------------------

namespace {

// kTinyLogreg with noise on its inputs and dropout on its features.
const char* const kNoisyLogreg = R"(
input x : [2]
target y : onehot[K]
dim K
noise ε : [2] ~ normal(0, 0.5)
noise u : [K] ~ uniform(-0.1, 0.1)
param W : [K, 2] ~ normal(0, 1)
param b : [K] ~ 0.1
h = dropout(x + ε, 0.25)
ŷ = softmax(W·h + b + u)
loss = -Σ(y*log(ŷ))
output ŷ
train {
  data = csv("d.csv", x = 0:2, y = 2)
  optimizer = sgd(lr = 0.3)
  batch = 8
  epochs = 2
  dtype = f64
  seed = 3
}
)";

// kTinyRnn with dropout inside its recurrence.
const char* const kDroppedRnn = R"(
dim V
dim H = 6
input  xₜ : onehot[V]
target yₜ : onehot[V]
param W : [H, V] ~ glorot
param U : [H, H] ~ orthogonal
param b : [H] ~ 0
param Wy : [V, H] ~ glorot
hₜ = tanh(W·xₜ + U·hₜ₋₁ + b)
ŷₜ = softmax(Wy·dropout(hₜ, 0.3))
lossₜ = -Σ(yₜ*log(ŷₜ))
output ŷₜ
train {
  data = text("t.txt")
  optimizer = sgd(lr = 0.1)
  batch = 4
  window = 5
  steps = 7
  dtype = f64
}
)";

SafetensorsFile trained(const Folder& f, const char* source, std::map<std::string, std::string> overrides = {},
                        const SafetensorsFile* from = nullptr) {
  Setup s = f.setup(source, std::move(overrides));
  Trainer t(s);
  if (from) t.resume(*from);
  else t.initialize();
  t.train();
  return from ? t.weights() : t.checkpoint();
}

void check_same_bits(const SafetensorsFile& a, const SafetensorsFile& b) {
  REQUIRE(a.tensors.size() == b.tensors.size());
  for (const auto& [name, want] : a.tensors) {
    INFO(name);
    const Tensor* got = b.find(name);
    REQUIRE(got);
    CHECK(std::memcmp(want.raw(), got->raw(), want.bytes()) == 0);
  }
}

}  // namespace

TEST_CASE("a resumed run with noise and dropout ends with the bits of an uninterrupted one", "[train][loop][noise]") {
  blas::set_threads(1);
  Folder f;
  for (const char* source : {kNoisyLogreg, kDroppedRnn}) {
    const std::string steps = source == kNoisyLogreg ? "6" : "7";
    const SafetensorsFile whole = trained(f, source, {{"steps", steps}});
    const SafetensorsFile half = trained(f, source, {{"steps", "4"}});
    const SafetensorsFile resumed = trained(f, source, {{"steps", steps}}, &half);
    SafetensorsFile whole_weights;
    for (const auto& [name, t] : whole.tensors)
      if (resumed.find(name)) whole_weights.tensors.emplace_back(name, t);
    check_same_bits(whole_weights, resumed);
    // The noise is drawn: the same model without it (σ = 0, p = 0) trains other weights.
    std::string quiet = source;
    for (auto [from, to] : {std::pair{"normal(0, 0.5)", "normal(0, 0)"}, {"uniform(-0.1, 0.1)", "uniform(0, 0)"},
                            {"x + ε, 0.25", "x + ε, 0"}, {"hₜ, 0.3", "hₜ, 0"}})
      if (auto at = quiet.find(from); at != std::string::npos) quiet.replace(at, std::string(from).size(), to);
    REQUIRE(quiet != source);
    const SafetensorsFile other = trained(f, quiet.c_str(), {{"steps", steps}});
    bool differs = false;
    for (const auto& [name, t] : whole_weights.tensors)
      differs = differs || std::memcmp(t.raw(), other.find(name)->raw(), t.bytes()) != 0;
    CHECK(differs);
  }
}

TEST_CASE("two shares of every batch draw the noise of the whole batch", "[train][loop][noise]") {
  Folder f;
  check_two_shares_train_as_one(f, kNoisyLogreg);
}

TEST_CASE("two shares of the text streams draw the dropout of all streams", "[train][loop][noise]") {
  Folder f;
  check_two_shares_train_as_one(f, kDroppedRnn);
}
