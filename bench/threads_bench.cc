// Training steps of a model through eq's one training loop (eq::Trainer) at
// 1 thread and at N, in one run, the way `eqc train --threads N` runs them:
// N shares of every batch, each on a thread of a ThreadTeam with 1-thread
// BLAS, when batch_shares() says the batch is large enough, else one share
// with N BLAS threads (issue 15, "two threads that pay"). The thread
// counts take turns, `rounds` times each, so that a machine whose load
// drifts slows them alike; each prints the median step of every round, and
// the last line the ratio of the medians of those, and the median and range
// of each round's own ratio.
//
// Usage: threads_bench MODEL.eq [steps] [rounds] [threads...]   (default 2)
// A count written Nb (2b) runs one share on N BLAS threads whatever
// batch_shares() says, and Nf (2f) N shares even where batch_shares() finds
// too little work in a share, to set the ways side by side.
// e.g.   threads_bench models/lstm.eq 30 3 2
//        threads_bench models/mlp.eq 400 5 2 2b
#include <algorithm>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <string>
#include <vector>

#include "eq/runtime/blas.hpp"
#include "eq/runtime/parallel.hpp"
#include "eq/train/setup.hpp"
#include "eq/train/thread_team.hpp"
#include "eq/train/trainer.hpp"

namespace {

using Clock = std::chrono::steady_clock;

double median(std::vector<double> v) {
  std::sort(v.begin(), v.end());
  return v.empty() ? 0 : v[v.size() / 2];
}

struct Round {
  int shares = 1;
  double ms = 0;    // median step
  double mean = 0;  // mean step: what a run's examples/s sees
  double loss = 0;
};

// `steps` steps (plus 3 of warm-up, not counted) of `setup` on `threads`
// threads; the median time between one step's report and the next.
Round time_steps(eq::Setup& setup, int threads, char how, int steps) {
  Round r;
  r.shares =
      how == 'b' ? 1 : eq::batch_shares(setup, threads, 1, how == 'f' ? 0 : eq::kMinShareWork);
  const int inner = r.shares > 1 ? 1 : threads;
  eq::blas::set_threads(inner);
  eq::runtime::set_parallel_threads(inner);
  setup.config.steps = steps + 3;
  eq::ThreadTeam team(r.shares);
  eq::Setup own = eq::copy_setup(setup);  // a Setup serves the Trainers of one run
  eq::TeamTrainers trainers(own, team);
  std::vector<double> ms;
  Clock::time_point last;
  const auto thrown = team.run([&](eq::Communicator& comm) {
    eq::Trainer& trainer = trainers.of(comm);
    trainer.initialize();
    eq::TrainHooks hooks;
    hooks.on_step = [&](const eq::StepProgress& p) {
      const Clock::time_point now = Clock::now();
      if (p.step > 3) ms.push_back(std::chrono::duration<double, std::milli>(now - last).count());
      last = now;
      r.loss = p.loss;
    };
    trainer.train(hooks);
  });
  for (const std::exception_ptr& e : thrown)
    if (e) std::rethrow_exception(e);
  r.ms = median(ms);
  for (double m : ms) r.mean += m / static_cast<double>(ms.size());
  return r;
}

}  // namespace

int main(int argc, char** argv) {
  if (argc < 2) {
    std::fprintf(stderr, "usage: threads_bench MODEL.eq [steps] [rounds] [threads...]\n");
    return 2;
  }
  const int steps = argc > 2 ? std::atoi(argv[2]) : 30;
  const int rounds = argc > 3 ? std::atoi(argv[3]) : 3;
  std::vector<int> counts{1};
  std::vector<char> how{'s'};  // s: as batch_shares() says, b: BLAS threads, f: forced split
  for (int i = 4; i < argc; ++i) {
    counts.push_back(std::atoi(argv[i]));
    const char last = std::string(argv[i]).back();
    how.push_back(last == 'b' || last == 'f' ? last : 's');
  }
  if (counts.size() == 1) counts.push_back(2), how.push_back('s');
  try {
    eq::Setup setup = eq::setup_file(argv[1], {});
    std::printf("%s: batch %lld, %d steps a round, OPENBLAS_CORETYPE=%s\n", argv[1],
                static_cast<long long>(setup.config.batch), steps,
                std::getenv("OPENBLAS_CORETYPE") ? std::getenv("OPENBLAS_CORETYPE") : "(unset)");
    std::vector<std::vector<double>> medians(counts.size());
    for (int round = 0; round < rounds; ++round)
      for (std::size_t c = 0; c < counts.size(); ++c) {
        const Round r = time_steps(setup, counts[c], how[c], steps);
        medians[c].push_back(r.ms);
        std::printf("  %d thread(s), %s: %.4f ms per step, mean %.4f (loss %.4f)\n", counts[c],
                    r.shares > 1 ? "batch split" : "BLAS threads", r.ms, r.mean, r.loss);
        std::fflush(stdout);
      }
    // Each round's own ratio too: the 1-thread and N-thread runs of a round
    // are seconds apart, so a slow phase of the machine slows both of them.
    for (std::size_t c = 1; c < counts.size(); ++c) {
      std::vector<double> ratios;
      for (int r = 0; r < rounds; ++r)
        ratios.push_back(medians[0][static_cast<std::size_t>(r)] /
                         medians[c][static_cast<std::size_t>(r)]);
      std::printf(
          "%d thread(s)%s: %.4f ms, 1 thread: %.4f ms, speed-up %.2f× (each round's: "
          "median %.2f×, %.2f–%.2f×)\n",
          counts[c],
          how[c] == 'b'   ? " of BLAS"
          : how[c] == 'f' ? " forced split"
                          : "",
          median(medians[c]), median(medians[0]), median(medians[0]) / median(medians[c]),
          median(ratios), *std::min_element(ratios.begin(), ratios.end()),
          *std::max_element(ratios.begin(), ratios.end()));
    }
  } catch (const std::exception& e) {
    std::fprintf(stderr, "%s\n", e.what());
    return 1;
  }
  return 0;
}
