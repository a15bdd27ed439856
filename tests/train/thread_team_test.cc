// Threads that split the batch (train/thread_team.hpp): the team's
// collectives — sums in rank order, the same bits on every thread, rank
// numbering inside processes of an outer Communicator — when a batch is
// split, and the models of `eqc train` on 2 threads against 1: the digits
// MLP and a char-LSTM (its carried states too) end with the single thread's
// weights to float tolerance, the same bits on every run, and a step on
// 2 threads allocates nothing once the first steps have sized the buffers.
// tests/train/loop_test.cc runs the loop's data parallelism on the team.
#include "eq/train/thread_team.hpp"

#include <atomic>
#include <catch2/catch.hpp>
#include <chrono>
#include <cmath>
#include <cstring>
#include <string>
#include <thread>
#include <vector>

#include "eq/runtime/blas.hpp"
#include "eq/train/trainer.hpp"
#include "support/alloc_counter.hpp"
#include "support/tiny_runs.hpp"

using namespace eq;

namespace {

// A hidden layer of H² weights, f32, over the tiny data of tiny_runs.hpp.
const char* const kSquare = R"(
dim H
dim K
input x : [2]
target y : onehot[K]
param A : [H, 2] ~ he
param V : [H, H] ~ he
param W : [K, H] ~ glorot
ŷ = softmax(W·relu(V·relu(A·x)))
loss = -Σ(y*log(ŷ))
output ŷ
train {
  data = csv("d.csv", x = 0:2, y = 2)
  optimizer = sgd(lr = 0.1)
}
)";

void rethrow_any(const std::vector<std::exception_ptr>& thrown) {
  for (const std::exception_ptr& e : thrown)
    if (e) std::rethrow_exception(e);
}

std::string models_dir() { return std::string(std::getenv("EQ_SOURCE_DIR")) + "/models"; }

// What one thread of a training run ends with.
struct Run {
  SafetensorsFile weights, checkpoint;
  std::vector<double> losses;  // rank 0's step reports
  long step_allocations = -1;  // rank 0: heap allocations of steps 4 … 9, every thread's
};

// Trains `setup` on `shares` threads of one team, the way eqc train does,
// and returns rank 0's run (every rank's weights are checked equal).
Run train_on_threads(const Setup& setup, int shares) {
  blas::set_threads(1);
  ThreadTeam team(shares);
  Setup own = copy_setup(setup);  // a Setup serves the Trainers of one run
  TeamTrainers trainers(own, team);
  std::vector<Run> runs(static_cast<std::size_t>(shares));
  long at_step_4 = 0;
  rethrow_any(team.run([&](Communicator& comm) {
    Run& run = runs[static_cast<std::size_t>(comm.rank())];
    Trainer& t = trainers.of(comm);
    run.losses.reserve(static_cast<std::size_t>(t.total_steps()));  // no allocation in a step
    t.initialize();
    TrainHooks h;
    h.on_step = [&](const StepProgress& p) {
      run.losses.push_back(p.loss);
      if (p.step == 4) at_step_4 = testing::allocations();
      if (p.step == 9) run.step_allocations = testing::allocations() - at_step_4;
    };
    t.train(h);
    run.weights = t.weights();
    run.checkpoint = t.checkpoint();
  }));
  for (const Run& r : runs) {
    REQUIRE(r.weights.tensors.size() == runs[0].weights.tensors.size());
    for (std::size_t i = 0; i < r.weights.tensors.size(); ++i)
      CHECK(std::memcmp(r.weights.tensors[i].second.raw(), runs[0].weights.tensors[i].second.raw(),
                        r.weights.tensors[i].second.bytes()) == 0);
  }
  return runs[0];
}

// Every tensor of `want` named in `names` (all when empty) in `got`, to
// `rel` of the tensor's largest magnitude; `bitwise`: the same bytes.
void check_close(const SafetensorsFile& got, const SafetensorsFile& want, double rel,
                 bool bitwise = false) {
  REQUIRE(got.tensors.size() == want.tensors.size());
  for (const auto& [name, w] : want.tensors) {
    INFO(name);
    const Tensor* g = got.find(name);
    REQUIRE(g);
    REQUIRE(g->shape() == w.shape());
    if (bitwise) {
      CHECK(std::memcmp(g->raw(), w.raw(), w.bytes()) == 0);
      continue;
    }
    double scale = 0, worst = 0;
    for (std::int64_t k = 0; k < w.numel(); ++k) {
      scale = std::max(scale, std::abs(w.at(k)));
      worst = std::max(worst, std::abs(g->at(k) - w.at(k)));
    }
    CHECK(worst <= rel * scale);
  }
}

// 2 threads against 1 on `setup`'s model, and against a second 2-thread run.
void check_two_threads_train_as_one(Setup& setup) {
  // Small models, to keep the test fast: split whatever their work.
  REQUIRE(batch_shares(setup, 2, 1, 0) == 2);
  const Run one = train_on_threads(setup, 1);
  const Run two = train_on_threads(setup, 2);
  const Run again = train_on_threads(setup, 2);
  // f32 sums of two halves against one whole: rounding apart.
  check_close(two.weights, one.weights, 1e-4);
  check_close(two.checkpoint, one.checkpoint, 1e-4);  // optimizer state, carried states
  REQUIRE(two.losses.size() == one.losses.size());
  for (std::size_t i = 0; i < one.losses.size(); ++i)
    CHECK(two.losses[i] == Approx(one.losses[i]).epsilon(1e-4));
  check_close(again.checkpoint, two.checkpoint, 0, true);
  CHECK(again.losses == two.losses);
  // Once the first steps have sized every buffer, steps allocate nothing.
  CHECK(two.step_allocations == 0);
  CHECK(one.step_allocations == 0);
}

}  // namespace

TEST_CASE("ThreadTeam: sums in rank order, the same bits on every thread", "[train][team]") {
  // 1e8 + 1 rounds back to 1e8 in f32: only rank order gives 0 here, and
  // 1 + (1e8 − 1e8) = 1 would be another order's bits.
  const float parts[3] = {1e8f, 1.0f, -1e8f};
  ThreadTeam team(3);
  std::vector<std::vector<float>> in_place(3), apart(3);
  std::vector<std::int64_t> counts(3), ranks(3), sizes(3);
  std::vector<double> doubles(3);
  rethrow_any(team.run([&](Communicator& comm) {
    const auto r = static_cast<std::size_t>(comm.rank());
    ranks[r] = comm.rank();
    sizes[r] = comm.size();
    in_place[r] = {parts[r], static_cast<float>(r)};
    comm.allreduce_sum(std::span<float>(in_place[r]));
    const std::vector<float> mine{parts[r], 2.0f};
    apart[r].resize(2);
    comm.allreduce_sum(std::span<const float>(mine), std::span<float>(apart[r]));
    std::int64_t c = 10 + comm.rank();
    comm.allreduce_sum(std::span<std::int64_t>(&c, 1));
    counts[r] = c;
    double d = 0.5 * comm.rank();
    comm.allreduce_sum(std::span<const double>(&d, 1), std::span<double>(&doubles[r], 1));
  }));
  const float want = (parts[0] + parts[1]) + parts[2];
  CHECK(want == 0.0f);
  for (std::size_t r = 0; r < 3; ++r) {
    INFO("rank " << r);
    CHECK(ranks[r] == static_cast<std::int64_t>(r));
    CHECK(sizes[r] == 3);
    CHECK(in_place[r] == std::vector<float>{want, 3.0f});
    CHECK(apart[r] == std::vector<float>{want, 6.0f});
    CHECK(counts[r] == 33);
    CHECK(doubles[r] == 1.5);
  }
}

TEST_CASE("ThreadTeam: threads inside processes number p·N + t", "[train][team]") {
  // The outer Communicator is itself a team of 2 "processes", each with a
  // team of 3 threads: the path MPI processes take, without MPI.
  ThreadTeam processes(2);
  std::vector<std::int64_t> rank(6, -1), size(6), sum(6), sum_inplace(6);
  std::vector<std::string> received(6);
  std::vector<std::vector<std::string>> gathered(6);
  rethrow_any(processes.run([&](Communicator& process) {
    ThreadTeam threads(3, process);
    rethrow_any(threads.run([&](Communicator& comm) {
      const auto r = static_cast<std::size_t>(comm.rank());
      rank[r] = comm.rank();
      size[r] = comm.size();
      const double mine = comm.rank() + 1;
      double total = 0;
      comm.allreduce_sum(std::span<const double>(&mine, 1), std::span<double>(&total, 1));
      sum[r] = static_cast<std::int64_t>(total);
      std::int64_t c = comm.rank();
      comm.allreduce_sum(std::span<std::int64_t>(&c, 1));
      sum_inplace[r] = c;
      std::string text = comm.rank() == 0 ? "from rank 0" : "xxxxxxxxxxx";
      comm.broadcast(std::as_writable_bytes(std::span(text.data(), text.size())));
      received[r] = text;
      gathered[r] = comm.gather("r" + std::to_string(comm.rank()) + std::string(comm.rank(), '.'));
      comm.barrier();
    }));
  }));
  for (std::size_t r = 0; r < 6; ++r) {
    INFO("rank " << r);
    CHECK(rank[r] == static_cast<std::int64_t>(r));
    CHECK(size[r] == 6);
    CHECK(sum[r] == 21);
    CHECK(sum_inplace[r] == 15);
    CHECK(received[r] == "from rank 0");
    if (r == 0)
      CHECK(gathered[r] ==
            std::vector<std::string>{"r0", "r1.", "r2..", "r3...", "r4....", "r5....."});
    else
      CHECK(gathered[r].empty());
  }
}

TEST_CASE("ThreadTeam: a thread's error names the thread, in one process", "[train][team]") {
  // Threads of one process are threads to its user; inside processes (the
  // team of 2 "processes" below stands for MPI) they are ranks p·N + t.
  std::vector<std::string> said(2);
  ThreadTeam team(2);
  rethrow_any(team.run([&](Communicator& comm) {
    try {
      run_together(comm, [&] {
        if (comm.rank() == 1) throw Error("d.csv:17:3: error: not a number");
      });
    } catch (const CollectiveError& e) {
      said[static_cast<std::size_t>(comm.rank())] = e.what();
    }
  }));
  CHECK(said[0] == "thread 1: d.csv:17:3: error: not a number\n");
  CHECK(said[1] == said[0]);
  ThreadTeam processes(2);
  std::vector<std::string> inside(4);
  rethrow_any(processes.run([&](Communicator& process) {
    ThreadTeam threads(2, process);
    rethrow_any(threads.run([&](Communicator& comm) {
      try {
        run_together(comm, [&] {
          if (comm.rank() == 3) throw Error("m.eq:1:1: error: rank 3 only");
        });
      } catch (const CollectiveError& e) {
        inside[static_cast<std::size_t>(comm.rank())] = e.what();
      }
    }));
  }));
  CHECK(inside[0] == "rank 3: m.eq:1:1: error: rank 3 only\n");
}

TEST_CASE("batch_shares: a batch is split when every share keeps 8 rows", "[train][team]") {
  // The rules of rows and weights, whatever the work (the work: below).
  auto batch_shares = [](const Setup& s, int threads, int processes = 1) {
    return eq::batch_shares(s, threads, processes, 0);
  };
  testing::TinyFolder f("eq_team_");
  // 24 examples, batch 16 (16 + 8): shares of 8 and 4 rows.
  Setup s = f.setup(testing::kTinyLogreg, {{"batch", "16"}});
  CHECK(batch_shares(s, 1) == 1);
  CHECK(batch_shares(s, 2) == 2);
  CHECK(batch_shares(s, 3) == 1);     // 5 rows a share
  CHECK(batch_shares(s, 2, 2) == 1);  // 4 rows a share on each of 2 processes
  Setup small = f.setup(testing::kTinyLogreg, {{"batch", "8"}});
  CHECK(batch_shares(small, 2) == 1);
  // 23 training examples in batches of 22: the last batch of 1 has no row
  // for a second share.
  Setup last = f.setup(testing::kTinyLogreg, {{"batch", "22"}, {"validate", "0.05"}});
  CHECK(batch_shares(last, 2) == 1);
  Setup streams = f.setup(testing::kTinyRnn, {{"batch", "16"}});
  CHECK(batch_shares(streams, 2) == 2);
  CHECK(batch_shares(streams, 4) == 1);
  // Weights of 2100² f32 (17.6 MB): a copy on each thread, and the whole
  // solver step on each, cost more than the split gains; 100² do not.
  SetupOptions wide;
  wide.overrides = {{"batch", "16"}};
  wide.dims = {{"H", 2100}};
  Setup heavy = setup_source("m.eq", kSquare, f.dir.string(), wide);
  CHECK(batch_shares(heavy, 2) == 1);
  wide.dims = {{"H", 100}};
  Setup light = setup_source("m.eq", kSquare, f.dir.string(), wide);
  CHECK(batch_shares(light, 2) == 2);
}

TEST_CASE("batch_shares: a step split must hold enough work for each thread", "[train][team]") {
  testing::TinyFolder f("eq_team_");
  // Weights × rows (× window for a time model) per share, against 8 M
  // multiply-adds. The digits MLP at batch 32: 9,610 weights × 16 rows.
  SetupOptions o;
  o.overrides = {{"validate", "0"}};
  Setup digits = setup_file(models_dir() + "/mlp.eq", o);
  CHECK(batch_shares(digits, 2) == 1);
  CHECK(batch_shares(digits, 2, 1, 9610 * 16) == 2);
  CHECK(batch_shares(digits, 2, 1, 9610 * 16 + 1) == 1);
  // Wider, on larger batches: 76,810 weights (1024 × 64 + 1024 + 10 × 1024 + 10)
  // × 128 rows; and at the boundary.
  o.dims = {{"H", 1024}};
  o.overrides = {{"validate", "0"}, {"batch", "256"}};
  Setup wide = setup_file(models_dir() + "/mlp.eq", o);
  CHECK(batch_shares(wide, 2) == 2);
  CHECK(batch_shares(wide, 2, 2) == 1);  // 64 rows a share: 4.9 M
  CHECK(batch_shares(wide, 2, 1, 76810 * 128) == 2);
  CHECK(batch_shares(wide, 2, 1, 76810 * 128 + 1) == 1);
  // The char-LSTM, H = 128, V = 65: 107,713 weights × 16 streams × 50 steps.
  Setup lstm = setup_file(models_dir() + "/lstm.eq", {});
  CHECK(batch_shares(lstm, 2) == 2);
  CHECK(batch_shares(lstm, 2, 1, 107713LL * 16 * 50) == 2);
  CHECK(batch_shares(lstm, 2, 1, 107713LL * 16 * 50 + 1) == 1);
}

TEST_CASE("the digits MLP on 2 threads trains as on 1", "[train][team]") {
  SetupOptions o;
  o.overrides = {{"steps", "12"}, {"validate", "0"}};
  Setup s = setup_file(models_dir() + "/mlp.eq", o);
  check_two_threads_train_as_one(s);
}

TEST_CASE("a char-LSTM on 2 threads trains as on 1, its carried states too", "[train][team]") {
  SetupOptions o;
  o.dims = {{"H", 16}};
  o.overrides = {{"steps", "10"}, {"window", "8"}, {"validate", "0"}};
  Setup s = setup_file(models_dir() + "/lstm.eq", o);
  check_two_threads_train_as_one(s);
}

TEST_CASE("the ranks start the clock together: a late rank's start-up is not training time",
          "[train][team]") {
  // Thread 1 starts training 1.5 s after thread 0 (as a rank still compiling
  // or loading its data would). Rank 0's epoch seconds and examples/s must
  // count the steps only, not the wait in the first step's sum.
  SetupOptions o;
  o.overrides = {{"steps", "4"}, {"validate", "0"}};
  Setup s = setup_file(models_dir() + "/mlp.eq", o);
  blas::set_threads(1);
  ThreadTeam team(2);
  Setup own = copy_setup(s);
  TeamTrainers trainers(own, team);
  double epoch_seconds = -1;
  rethrow_any(team.run([&](Communicator& comm) {
    Trainer& t = trainers.of(comm);
    t.initialize();
    if (comm.rank() == 1) std::this_thread::sleep_for(std::chrono::milliseconds(1500));
    TrainHooks h;
    h.on_epoch = [&](const EpochReport& e) { epoch_seconds = e.seconds; };
    t.train(h);
  }));
  // 4 steps of the digits MLP take well under a millisecond each; 1 s
  // leaves room for a loaded machine and the sanitizers.
  CHECK(epoch_seconds >= 0);
  CHECK(epoch_seconds < 1.0);
}
