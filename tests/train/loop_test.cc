// The one training loop (train/trainer.hpp): the per-step seed a run sees
// before each step, and data parallelism — shares of every batch (or of the
// text streams) trained on threads of one process (ThreadTeam), whose
// gradients are summed, end with the weights, reports and validation
// figures of one whole-batch run; checkpoints move between rank counts; a
// failure on one rank reaches all. tests/train/mpi_train_test.cc runs the
// same across processes.
#include <algorithm>
#include <catch2/catch.hpp>
#include <cmath>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <map>
#include <set>
#include <string>
#include <thread>

#include "eq/runtime/blas.hpp"
#include "eq/runtime/error.hpp"
#include "eq/train/thread_team.hpp"
#include "eq/train/trainer.hpp"
#include "support/tiny_runs.hpp"

using namespace eq;
namespace fs = std::filesystem;

namespace {

using testing::kTinyLogreg, testing::kTinyRnn;
const char* const kLogreg = kTinyLogreg;
const char* const kRnn = kTinyRnn;

// Two layers of 512: ∂W₂ is 2 MiB, large enough for an allreduce of its
// own straight from the Machine's buffer (GradientSum::kOwnSumBytes).
const char* kWide = R"(
input x : [2]
target y : onehot[K]
dim K
param W₁ : [512, 2] ~ he
param W₂ : [512, 512] ~ he
param W₃ : [K, 512] ~ glorot
ŷ = softmax(W₃·relu(W₂·relu(W₁·x)))
loss = -Σ(y*log(ŷ))
output ŷ
train {
  data = csv("d.csv", x = 0:2, y = 2)
  optimizer = adam(lr = 0.01)
  batch = 7
  steps = 6
  dtype = f64
  seed = 3
}
)";

struct Folder : testing::TinyFolder {
  Folder() : TinyFolder("eq_loop_") {}
};

// What one rank of a run ends with, for the test to check after the threads
// have joined (Catch2's assertions are not thread-safe).
struct RankRun {
  SafetensorsFile weights, checkpoint;
  std::vector<EpochReport> reports;  // rank 0's hooks only
  std::vector<std::int64_t> shares;  // the batch let in at every step
  Metrics validation;
};

SetupOptions with(std::map<std::string, std::string> overrides) {
  SetupOptions o;
  o.overrides = std::move(overrides);
  return o;
}

// Trains `source` on `ranks` threads, each on its share, from `resume` when
// given (the same file on every rank), to the configured steps.
std::vector<RankRun> train_on(const Folder& f, const char* source, int ranks,
                              const SetupOptions& options,
                              const SafetensorsFile* resume = nullptr) {
  ThreadTeam group(ranks);
  std::vector<RankRun> runs(static_cast<std::size_t>(ranks));
  const auto thrown = group.run([&](Communicator& comm) {
    RankRun& run = runs[static_cast<std::size_t>(comm.rank())];
    Setup s = setup_source("m.eq", source, f.dir.string(), options);
    Trainer t(s, comm);
    if (resume)
      t.resume(*resume);
    else
      t.initialize();
    TrainHooks h;
    h.on_epoch = [&](const EpochReport& r) { run.reports.push_back(r); };
    h.before_run = [&](Machine& m, const StepContext&) {
      run.shares.push_back(m.runtime().batch());
    };
    t.train(h);
    run.weights = t.weights();
    run.checkpoint = t.checkpoint();
    run.validation = t.validate();
  });
  for (const std::exception_ptr& e : thrown)
    if (e) std::rethrow_exception(e);
  return runs;
}

// Every tensor of `want` in `got`, to `rel` of the tensor's largest magnitude.
void check_close(const SafetensorsFile& got, const SafetensorsFile& want, double rel) {
  for (const auto& [name, w] : want.tensors) {
    INFO(name);
    const Tensor* g = got.find(name);
    REQUIRE(g);
    double scale = 0, worst = 0;
    for (std::int64_t k = 0; k < w.numel(); ++k) {
      scale = std::max(scale, std::abs(w.at(k)));
      worst = std::max(worst, std::abs(g->at(k) - w.at(k)));
    }
    CHECK(worst <= rel * scale);
  }
}

void check_equal(const SafetensorsFile& a, const SafetensorsFile& b) {
  REQUIRE(a.tensors.size() == b.tensors.size());
  for (std::size_t i = 0; i < a.tensors.size(); ++i) {
    INFO(a.tensors[i].first);
    CHECK(a.tensors[i].first == b.tensors[i].first);
    CHECK(std::memcmp(a.tensors[i].second.raw(), b.tensors[i].second.raw(),
                      a.tensors[i].second.bytes()) == 0);
  }
}

// `ranks` shares of every batch, gradients summed, end where one whole-batch
// run ends: equal weights on every rank, the single run's to 1e-12 (f64),
// and the same epoch reports and validation figures.
void check_shares_train_as_one(const Folder& f, const char* source, int ranks,
                               const SetupOptions& options, std::int64_t batch) {
  blas::set_threads(1);
  const std::vector<RankRun> one = train_on(f, source, 1, options);
  const std::vector<RankRun> many = train_on(f, source, ranks, options);
  for (const RankRun& r : many) check_equal(r.weights, many[0].weights);
  check_close(many[0].weights, one[0].weights, 1e-12);
  // Every step's shares make up its batch and differ by at most one.
  REQUIRE(many[0].shares.size() == one[0].shares.size());
  for (std::size_t i = 0; i < one[0].shares.size(); ++i) {
    std::int64_t sum = 0, lo = batch, hi = 0;
    for (const RankRun& r : many)
      sum += r.shares[i], lo = std::min(lo, r.shares[i]), hi = std::max(hi, r.shares[i]);
    CHECK(sum == one[0].shares[i]);
    CHECK(hi - lo <= 1);
  }
  REQUIRE(many[0].reports.size() == one[0].reports.size());
  for (std::size_t r = 1; r < many.size(); ++r) CHECK(many[r].reports.empty());  // rank 0 reports
  for (std::size_t e = 0; e < one[0].reports.size(); ++e) {
    const EpochReport &got = many[0].reports[e], &want = one[0].reports[e];
    CHECK(got.train.examples == want.train.examples);
    CHECK(got.train.loss == Approx(want.train.loss).epsilon(1e-12));
    CHECK(got.train.accuracy == want.train.accuracy);
    REQUIRE(got.validation.has_value() == want.validation.has_value());
    if (!want.validation) continue;
    CHECK(got.validation->examples == want.validation->examples);
    CHECK(got.validation->loss == Approx(want.validation->loss).epsilon(1e-12));
    CHECK(got.validation->accuracy == want.validation->accuracy);
    CHECK(got.validation->classes == want.validation->classes);
    CHECK(got.validation->confusion == want.validation->confusion);
  }
  for (const RankRun& r : many) {
    CHECK(r.validation.examples == one[0].validation.examples);
    CHECK(r.validation.loss == Approx(one[0].validation.loss).epsilon(1e-12));
    CHECK(r.validation.accuracy == one[0].validation.accuracy);
    // The confusion matrices of the shares add up to the whole run's.
    CHECK(r.validation.classes == one[0].validation.classes);
    CHECK(r.validation.confusion == one[0].validation.confusion);
  }
}

// A checkpoint written by `from` ranks, resumed by `to` ranks, ends where an
// uninterrupted run does.
void check_resume_across_ranks(const Folder& f, const char* source, int from, int to,
                               std::map<std::string, std::string> options,
                               const std::string& stop) {
  blas::set_threads(1);
  const std::vector<RankRun> whole = train_on(f, source, 1, with(options));
  auto first = options;
  first["steps"] = stop;
  const std::vector<RankRun> half = train_on(f, source, from, with(first));
  const std::vector<RankRun> rest = train_on(f, source, to, with(options), &half[0].checkpoint);
  for (const RankRun& r : rest) check_equal(r.weights, rest[0].weights);
  check_close(rest[0].weights, whole[0].weights, 1e-12);
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

TEST_CASE("shares of every batch, gradients summed, train as one batch", "[train][loop]") {
  Folder f;
  // 17 training examples in batches of 7 (7, 7, 3) and 7 held out: shares
  // of 3 + 4 and 2 + 2 + 3, and a last batch of 1 + 1 + 1.
  const SetupOptions o = with({{"validate", "0.3"}, {"batch", "7"}});
  SECTION("2 ranks") { check_shares_train_as_one(f, kLogreg, 2, o, 7); }
  SECTION("3 ranks") { check_shares_train_as_one(f, kLogreg, 3, o, 7); }
  SECTION("a gradient summed from its own buffer") { check_shares_train_as_one(f, kWide, 3, o, 7); }
}

TEST_CASE("shares of the text streams, gradients summed, train as all streams", "[train][loop]") {
  Folder f;
  // 4 streams (2 + 2, 1 + 1 + 2); 3 held-out streams (1 + 2, 1 + 1 + 1).
  const SetupOptions o = with({{"validate", "0.3"}});
  SECTION("2 ranks") { check_shares_train_as_one(f, kRnn, 2, o, 4); }
  SECTION("3 ranks") { check_shares_train_as_one(f, kRnn, 3, o, 4); }
}

TEST_CASE("a checkpoint of N ranks resumes on M ranks", "[train][loop]") {
  Folder f;
  SECTION("examples, 3 ranks to 2") {
    check_resume_across_ranks(f, kLogreg, 3, 2, {{"batch", "7"}}, "5");
  }
  SECTION("examples, 2 ranks to 1") {
    check_resume_across_ranks(f, kLogreg, 2, 1, {{"batch", "7"}}, "4");
  }
  SECTION("text, 3 ranks to 2") { check_resume_across_ranks(f, kRnn, 3, 2, {}, "3"); }
  SECTION("text, 1 rank to 3") { check_resume_across_ranks(f, kRnn, 1, 3, {}, "4"); }
  SECTION("text, 2 ranks to 1") { check_resume_across_ranks(f, kRnn, 2, 1, {}, "5"); }
}

TEST_CASE("a checkpoint holds the carried states of every rank's streams", "[train][loop]") {
  Folder f;
  const std::vector<RankRun> one = train_on(f, kRnn, 1, with({{"steps", "3"}}));
  const std::vector<RankRun> three = train_on(f, kRnn, 3, with({{"steps", "3"}}));
  const Tensor* want = one[0].checkpoint.find("__state__.hₜ[-1]");
  const Tensor* got = three[0].checkpoint.find("__state__.hₜ[-1]");
  REQUIRE(want);
  REQUIRE(got);
  CHECK(got->shape() == Shape{4, 6});
  for (std::int64_t k = 0; k < want->numel(); ++k)
    CHECK(got->at(k) == Approx(want->at(k)).epsilon(1e-12));
}

TEST_CASE("a step that fails on one rank stops every rank with its message", "[train][loop]") {
  Folder f;
  ThreadTeam group(3);
  std::vector<std::int64_t> steps(3);
  const auto thrown = group.run([&](Communicator& comm) {
    Setup s = f.setup(kLogreg);
    Trainer t(s, comm);
    t.initialize();
    TrainHooks h;
    h.before_run = [&](Machine&, const StepContext& at) {
      if (comm.rank() == 1 && at.step == 2) throw Error("d.csv:17:3: error: not a number");
    };
    try {
      t.train(h);
    } catch (...) {
      steps[static_cast<std::size_t>(comm.rank())] = t.step();
      throw;
    }
  });
  for (int r = 0; r < 3; ++r) {
    INFO("rank " << r);
    REQUIRE(thrown[static_cast<std::size_t>(r)]);
    CHECK(steps[static_cast<std::size_t>(r)] == 1);  // the failed step updated nothing
    try {
      std::rethrow_exception(thrown[static_cast<std::size_t>(r)]);
    } catch (const CollectiveError& e) {
      // A team of one process: its ranks are its threads, and named so.
      CHECK(std::string(e.what()) == "thread 1: d.csv:17:3: error: not a number\n");
    }
  }
}

TEST_CASE("run_together: an error on some ranks is every rank's, naming them", "[train][loop]") {
  ThreadTeam group(3);
  auto messages = [&](auto fails) {
    std::vector<std::string> got(3);
    const auto thrown = group.run([&](Communicator& comm) {
      try {
        run_together(comm, [&] { fails(comm.rank()); });
      } catch (const CollectiveError& e) {
        got[static_cast<std::size_t>(comm.rank())] = e.what();
      }
    });
    for (const auto& e : thrown) CHECK_FALSE(e);
    return got;
  };
  const auto some = messages([](int rank) {
    if (rank > 0) throw Error("m.eq:1:1: error: rank " + std::to_string(rank) + " only\n  x\n  ^");
  });
  // The ranks here are threads of one process, and are named so (ranks of
  // processes are "rank N": thread_team_test.cc, mpi_cli_test.sh).
  for (const std::string& m : some)
    CHECK(m ==
          "thread 1: m.eq:1:1: error: rank 1 only\n  x\n  ^\nthread 2: m.eq:1:1: error: rank 2 "
          "only\n  x\n  ^\n");
  const auto all = messages([](int) { throw Error("m.eq: the same everywhere\n"); });
  for (const std::string& m : all) CHECK(m == "m.eq: the same everywhere\n");
  const auto none = messages([](int) {});
  for (const std::string& m : none) CHECK(m.empty());
  // Another exception on one rank reaches the others too (they waited for
  // it forever: an API audit's eq::InternalError on rank 1 hung rank 0).
  const auto other = messages([](int rank) {
    if (rank == 2) throw std::runtime_error("not an eq::Error");
  });
  for (const std::string& m : other) CHECK(m == "thread 2: internal error: not an eq::Error\n");
  // One process: the error itself.
  CHECK_THROWS_WITH(run_together(single_process(), [] { throw Error("alone"); }), "alone");
}

TEST_CASE("shares need an example or a stream each", "[train][loop]") {
  Folder f;
  Setup s = f.setup(kLogreg);
  CHECK_THROWS_WITH(training_data(s, Shard{0, 9}),
                    (f.dir / "d.csv").string() +
                        ": 24 training examples make batches of 8 each epoch, too few to share "
                        "among 9 processes (each takes part of every batch); lower their number "
                        "or raise batch");
  // A last batch smaller than the others (20 = 2 of 8 and one of 4) is
  // named as such: it said "a batch of 4" of a run whose batch is 8.
  Setup p = f.setup(kLogreg, {{"validate", "0.2"}});
  CHECK_THROWS_WITH(training_data(p, Shard{0, 5}),
                    (f.dir / "d.csv").string() +
                        ": 20 training examples make 2 batches of 8 and a last one of 4 each "
                        "epoch, too few to share among 5 processes (each takes part of every "
                        "batch); lower their number or choose a batch whose last one holds at "
                        "least 5");
  CHECK_THROWS_WITH(training_data(s, Shard{2, 2}), "shard 2 of 2 does not exist");
  Setup r = f.setup(kRnn);
  CHECK_THROWS_WITH(training_data(r, Shard{0, 5}),
                    "m.eq: batch = 4 streams cannot be shared by 5 "
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

SafetensorsFile trained(const Folder& f, const char* source,
                        std::map<std::string, std::string> overrides = {},
                        const SafetensorsFile* from = nullptr) {
  Setup s = f.setup(source, std::move(overrides));
  Trainer t(s);
  if (from)
    t.resume(*from);
  else
    t.initialize();
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

TEST_CASE("a resumed run with noise and dropout ends with the bits of an uninterrupted one",
          "[train][loop][noise]") {
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
    for (auto [from, to] : {std::pair{"normal(0, 0.5)", "normal(0, 0)"},
                            {"uniform(-0.1, 0.1)", "uniform(0, 0)"},
                            {"x + ε, 0.25", "x + ε, 0"},
                            {"hₜ, 0.3", "hₜ, 0"}})
      if (auto at = quiet.find(from); at != std::string::npos)
        quiet.replace(at, std::string(from).size(), to);
    REQUIRE(quiet != source);
    const SafetensorsFile other = trained(f, quiet.c_str(), {{"steps", steps}});
    bool differs = false;
    for (const auto& [name, t] : whole_weights.tensors)
      differs = differs || std::memcmp(t.raw(), other.find(name)->raw(), t.bytes()) != 0;
    CHECK(differs);
  }
}

TEST_CASE("shares of every batch draw the noise of the whole batch", "[train][loop][noise]") {
  Folder f;
  // Validation too: its shares draw the numbers of the whole held-out set.
  const SetupOptions o = with({{"validate", "0.3"}, {"batch", "7"}});
  SECTION("2 ranks") { check_shares_train_as_one(f, kNoisyLogreg, 2, o, 7); }
  SECTION("3 ranks") { check_shares_train_as_one(f, kNoisyLogreg, 3, o, 7); }
  SECTION("resumed on other ranks") {
    check_resume_across_ranks(f, kNoisyLogreg, 2, 3, {{"validate", "0.3"}, {"batch", "7"}}, "4");
  }
}

TEST_CASE("shares of the text streams draw the dropout of all streams", "[train][loop][noise]") {
  Folder f;
  const SetupOptions o = with({{"validate", "0.3"}});
  SECTION("2 ranks") { check_shares_train_as_one(f, kDroppedRnn, 2, o, 4); }
  SECTION("3 ranks") { check_shares_train_as_one(f, kDroppedRnn, 3, o, 4); }
}
