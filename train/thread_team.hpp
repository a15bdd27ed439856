// ThreadTeam: data parallelism between the threads of one process — the
// Communicator (communicator.hpp) of N threads, each running its own
// Trainer, with its own Machine, on its share of every step's batch (or of
// the text streams), so that `--threads 2` trains two halves of a batch at
// once instead of threading each small product (docs/notes.md says why).
//
// It is the ranks' loop, not a second one: every thread is a rank, its
// Trainer takes the rank's share (shard_of), sums its gradients and step
// figures over the ranks (GradientSum), sums validation, gathers carried
// states into checkpoints and turns one rank's failure into every rank's,
// exactly as MPI ranks do. Inside processes of an outer Communicator (MPI),
// thread t of process p is rank p·N + t of (processes)·N: the threads sum
// among themselves, then thread 0 sums over the processes.
//
// Sums add the threads in rank order, element by element, so every thread
// gets the same bits, and the same bits on every run whatever the
// scheduling. Threads meet at a barrier that spins up to ~0.3 ms before
// it sleeps: shares of equal work end up to a few hundred µs apart, and a
// futex wake-up in a virtual machine can take longer than that. Collectives allocate nothing once
// their buffers have reached the largest size asked for (the first step).
#pragma once

#include <atomic>
#include <cstddef>
#include <exception>
#include <functional>
#include <memory>
#include <vector>

#include "eq/train/communicator.hpp"
#include "eq/train/setup.hpp"
#include "eq/train/trainer.hpp"

namespace eq {

class ThreadTeam {
 public:
  // `threads` ≥ 1 threads of this process, one of the processes of `outer`
  // (which must outlive the team).
  explicit ThreadTeam(int threads, Communicator& outer = single_process());
  ~ThreadTeam();
  ThreadTeam(const ThreadTeam&) = delete;
  ThreadTeam& operator=(const ThreadTeam&) = delete;

  int threads() const { return threads_; }
  // Thread t's Communicator: rank outer.rank()·threads() + t.
  Communicator& member(int t);

  // Runs body(member(t)) on threads() threads, member 0 on the calling
  // thread, and returns when all have ended, with what each threw (null:
  // nothing). A body that throws outside a collective step (run_together,
  // a Trainer's step) leaves the others waiting: it should abort() instead.
  std::vector<std::exception_ptr> run(const std::function<void(Communicator&)>& body);

 private:
  class Member;
  class Barrier {
   public:
    explicit Barrier(int n) : n_(n) {}
    void arrive_and_wait();

   private:
    const int n_;
    std::atomic<int> arrived_{0};
    std::atomic<unsigned> phase_{0};
  };
  struct Posted {
    const void* data = nullptr;
    std::size_t size = 0;
  };

  const int threads_;
  Communicator& outer_;
  Barrier sync_;
  std::vector<Posted> posted_;  // each member's buffer of the collective in progress
  std::vector<std::unique_ptr<Member>> members_;
};

// A Trainer for each member of a team, each on a Setup of its own: member
// 0's on `setup`, the others' on copies (copy_setup, setup.hpp: the data is
// held once per thread). Built one after another on the calling thread,
// since lowering and compiling are not for several threads at once.
class TeamTrainers {
 public:
  // `setup` and `team` must outlive them; `setup` serves no other
  // Trainer (copy_setup gives another).
  TeamTrainers(Setup& setup, ThreadTeam& team);
  ~TeamTrainers();
  // Member t's.
  Trainer& operator[](int t) { return *trainers_.at(static_cast<std::size_t>(t)); }
  // The one of `member` (a Communicator of the team).
  Trainer& of(const Communicator& member);

 private:
  std::vector<std::unique_ptr<Setup>> copies_;
  std::vector<std::unique_ptr<Trainer>> trainers_;
  int first_rank_ = 0;  // member 0's rank
};

// How many shares of every step one process trains at once on `threads`
// threads (the rest of the threads go to OpenBLAS and the fused loops):
// `threads`, unless
//   - a share would keep fewer than kMinShareRows examples (or text
//     streams) of a batch, over `processes` processes, or the last, partial
//     batch of an epoch would leave a share none: a product of a few rows
//     is too thin to pay for the split;
//   - the weights pass kMaxShareWeightBytes: each thread holds its own
//     copy of them, of the optimizer's state and of the gradients, sums
//     them and applies the whole solver step, which for weights this large
//     costs more than their products, big enough for BLAS threads, gain
//     (docs/notes.md, "Two threads");
//   - a share's work, its rows (examples, or streams × window) times the
//     weights, is under `min_share_work` multiply-adds: the threads meet
//     several times a step, and a step this short does not pay for the
//     meetings (the digits MLP, 0.3 M multiply-adds a step, ran 0.84× as
//     fast split).
// Then 1.
constexpr std::int64_t kMinShareRows = 8;
constexpr std::int64_t kMaxShareWeightBytes = std::int64_t{16} << 20;
constexpr std::int64_t kMinShareWork = std::int64_t{8} << 20;
int batch_shares(const Setup& setup, int threads, int processes = 1,
                 std::int64_t min_share_work = kMinShareWork);

}  // namespace eq
