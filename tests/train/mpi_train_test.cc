// Data parallelism across processes (run under `mpirun -np 2`): the digits
// MLP (models/mlp.eq) and a small LSTM trained for 20 steps on 2 ranks end
// with the weights of one process on the same global batch — to 1e-5 of each
// tensor's largest magnitude in f32, 1e-12 in f64 — with batches that do not
// divide evenly; every rank holds the same weights; validation figures are
// the single run's; checkpoints of 2 ranks resume on 1 and of 1 on 2.
//
// Each rank also trains the single-process reference itself (a
// SingleProcess communicator), so no reference crosses processes.
#include <unistd.h>

#include <catch2/catch.hpp>
#include <cmath>
#include <cstring>
#include <filesystem>
#include <fstream>

#include "eq/runtime/blas.hpp"
#include "eq/runtime/safetensors.hpp"
#include "eq/train/trainer.hpp"

namespace eq::testing {
extern Communicator* world;
}

using namespace eq;
namespace fs = std::filesystem;

namespace {

const char* kLstm = R"(
dim V
dim H = 16
input  xₜ : onehot[V]
target yₜ : onehot[V]
param Wᵢ, Wf, Wₒ, Wc : [H, V] ~ glorot
param Uᵢ, Uf, Uₒ, Uc : [H, H] ~ orthogonal
param Bᵢ, Bf, Bₒ, Bc : [H]    ~ 0
param Wy : [V, H] ~ glorot
param By : [V]    ~ 0
iₜ = σ(Wᵢ·xₜ + Uᵢ·hₜ₋₁ + Bᵢ)
fₜ = σ(Wf·xₜ + Uf·hₜ₋₁ + Bf)
oₜ = σ(Wₒ·xₜ + Uₒ·hₜ₋₁ + Bₒ)
ĉₜ = tanh(Wc·xₜ + Uc·hₜ₋₁ + Bc)
cₜ = fₜ*cₜ₋₁ + iₜ*ĉₜ
hₜ = oₜ*tanh(cₜ)
ŷₜ = softmax(Wy·hₜ + By)
lossₜ = -Σ(yₜ*log(ŷₜ))
train {
  data      = text("t.txt")
  optimizer = adam(lr = 1e-2)
  clip      = 5
  batch     = 5
  window    = 10
  steps     = 20
  validate  = 0.1
  seed      = 4
}
)";

Communicator& world() { return *testing::world; }

// This job's own folder (rank 0's process id in its name): tests that run
// at once (ctest -j, other builds) must not share it. Collective on the first
// call, which every rank makes in Folder().
const fs::path& folder() {
  static const fs::path dir = [] {
    std::string name = world().rank() == 0 ? "eq_mpi_train_test." + std::to_string(::getpid()) : "";
    broadcast(world(), name);
    return fs::temp_directory_path() / name;
  }();
  return dir;
}

// The LSTM's text, in a folder every rank shares (rank 0 writes it, the
// others wait); one machine's ranks share /tmp.
struct Folder {
  fs::path dir = folder();
  Folder() {
    if (world().rank() == 0) {
      fs::create_directories(dir);
      std::ifstream in(std::string(EQ_SOURCE_DIR) + "/models/data/tinyshakespeare.txt");
      std::string text(6000, '\0');
      in.read(text.data(), static_cast<std::streamsize>(text.size()));
      std::ofstream(dir / "t.txt") << text;
    }
    world().barrier();
  }
  ~Folder() {
    world().barrier();
    if (world().rank() == 0) fs::remove_all(dir);
  }
};

struct Run {
  SafetensorsFile weights, checkpoint;
  std::vector<EpochReport> reports;
  Metrics validation;
};

Setup model_setup(const std::string& which, SetupOptions options) {
  if (which == "mlp") return setup_file(std::string(EQ_SOURCE_DIR) + "/models/mlp.eq", options);
  return setup_source("lstm.eq", kLstm, folder().string(), options);
}

// Trains on `comm` to the configured steps, from `resume` when given.
Run train(const std::string& which, const SetupOptions& options, Communicator& comm,
          const SafetensorsFile* resume = nullptr) {
  blas::set_threads(1);
  Setup s = model_setup(which, options);
  Trainer t(s, comm);
  if (resume)
    t.resume(*resume);
  else
    t.initialize();
  Run run;
  TrainHooks h;
  h.on_epoch = [&](const EpochReport& r) { run.reports.push_back(r); };
  t.train(h);
  run.weights = t.weights();
  run.checkpoint = t.checkpoint();
  run.validation = t.validate();
  return run;
}

SetupOptions with(std::map<std::string, std::string> overrides) {
  SetupOptions o;
  o.overrides = std::move(overrides);
  return o;
}

// Every tensor of `want` in `got`, to `rel` of the tensor's largest magnitude.
void check_close(const SafetensorsFile& got, const SafetensorsFile& want, double rel) {
  double differs = 0;
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
    differs = std::max(differs, worst);
  }
  // The shares did take other paths: this is not one run twice. (Some one
  // tensor may still come out equal to the bit, as a bias did on an EPYC.)
  CHECK(differs > 0);
}

// The same weights on every rank, to the bit.
void check_same_on_every_rank(const SafetensorsFile& weights) {
  const std::vector<std::string> all = world().gather(encode_safetensors(weights));
  for (std::size_t r = 1; r < all.size(); ++r) CHECK(all[r] == all[0]);
}

double tolerance(const std::string& dtype) { return dtype == "f32" ? 1e-5 : 1e-12; }

void check_two_ranks_train_as_one(const std::string& which,
                                  std::map<std::string, std::string> options) {
  const double rel = tolerance(options["dtype"]);
  const Run one = train(which, with(options), single_process());
  const Run two = train(which, with(options), world());
  check_same_on_every_rank(two.weights);
  check_close(two.weights, one.weights, rel);
  // Validation: each rank scored its share; the sums make the single run's figures.
  CHECK(two.validation.examples == one.validation.examples);
  CHECK(two.validation.loss == Approx(one.validation.loss).epsilon(rel));
  CHECK(two.validation.accuracy.has_value() == one.validation.accuracy.has_value());
  if (one.validation.accuracy)
    CHECK(*two.validation.accuracy == Approx(*one.validation.accuracy).epsilon(rel));
  if (world().rank() != 0) return;  // reports go to rank 0
  REQUIRE(two.reports.size() == one.reports.size());
  for (std::size_t e = 0; e < one.reports.size(); ++e) {
    CHECK(two.reports[e].train.examples == one.reports[e].train.examples);
    CHECK(two.reports[e].train.loss == Approx(one.reports[e].train.loss).epsilon(rel));
    REQUIRE(two.reports[e].validation);
    CHECK(two.reports[e].validation->loss == Approx(one.reports[e].validation->loss).epsilon(rel));
  }
}

// The whole checkpoint on every rank, as a program reading rank 0's file would have it.
SafetensorsFile rank0s(const SafetensorsFile& ck) {
  std::string bytes = world().rank() == 0 ? encode_safetensors(ck) : std::string();
  broadcast(world(), bytes);
  return decode_safetensors(bytes, "checkpoint");
}

void check_resume_across(const std::string& which, std::map<std::string, std::string> options,
                         const std::string& stop) {
  const double rel = tolerance(options["dtype"]);
  const Run whole1 = train(which, with(options), single_process());
  const Run whole2 = train(which, with(options), world());
  auto first = options;
  first["steps"] = stop;
  SECTION("2 ranks, then 1") {
    const SafetensorsFile ck = rank0s(train(which, with(first), world()).checkpoint);
    const Run rest = train(which, with(options), single_process(), &ck);
    check_close(rest.weights, whole1.weights, rel);
    check_close(rest.weights, whole2.weights, rel);
  }
  SECTION("1 rank, then 2") {
    const SafetensorsFile ck = train(which, with(first), single_process()).checkpoint;
    const Run rest = train(which, with(options), world(), &ck);
    check_same_on_every_rank(rest.weights);
    check_close(rest.weights, whole1.weights, rel);
    check_close(rest.weights, whole2.weights, rel);
  }
}

}  // namespace

TEST_CASE("mpi: the digits MLP on 2 ranks trains as 1 process", "[mpi][mlp]") {
  REQUIRE(world().size() == 2);
  // Batch 33: shares of 16 and 17.
  SECTION("f32") {
    check_two_ranks_train_as_one("mlp", {{"steps", "20"}, {"batch", "33"}, {"dtype", "f32"}});
  }
  SECTION("f64") {
    check_two_ranks_train_as_one("mlp", {{"steps", "20"}, {"batch", "33"}, {"dtype", "f64"}});
  }
}

TEST_CASE("mpi: an LSTM on 2 ranks trains as 1 process", "[mpi][lstm]") {
  Folder f;
  // 5 streams: 2 and 3.
  SECTION("f32") { check_two_ranks_train_as_one("lstm", {{"dtype", "f32"}}); }
  SECTION("f64") { check_two_ranks_train_as_one("lstm", {{"dtype", "f64"}}); }
}

TEST_CASE("mpi: checkpoints move between 1 and 2 ranks", "[mpi][resume]") {
  Folder f;
  SECTION("MLP") {
    check_resume_across("mlp", {{"steps", "20"}, {"batch", "33"}, {"dtype", "f64"}}, "7");
  }
  SECTION("LSTM") { check_resume_across("lstm", {{"dtype", "f64"}}, "9"); }
}
