// Communicator: what data-parallel training needs from the processes it runs
// on — their number, this one's rank, and a few collective operations. The
// Trainer (trainer.hpp) takes one; so does a program that trains the way
// `eqc train` does.
//
// Three implementations:
//   SingleProcess    one process, rank 0 of 1: every collective is a no-op;
//   MpiCommunicator  the processes of an MPI job (mpi_communicator.hpp),
//                    only in builds with MPI (built_with_mpi()).
//   ThreadTeam       the threads of one process, each training a share of
//                    the batch (thread_team.hpp), inside either of those.
// world_communicator() picks the one this process was started for.
//
// Every collective must be called by every rank, in the same order, with the
// same sizes; a rank that skips one leaves the others waiting. So an error on
// one rank must reach the others: run_together() runs a piece of work on
// every rank and turns an eq::Error on any of them into a CollectiveError on
// all of them, with the failing ranks' messages; an error outside such a
// piece ends the job with abort().
#pragma once

#include <algorithm>
#include <cstddef>
#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <span>
#include <string>
#include <vector>

#include "eq/runtime/error.hpp"

namespace eq {

class Communicator {
 public:
  virtual ~Communicator() = default;

  virtual int rank() const = 0;  // 0 … size() − 1
  virtual int size() const = 0;
  // What a rank is called in messages that name one ("rank 1: …"): the
  // threads of one process are "thread"s to its user.
  virtual const char* rank_noun() const { return "rank"; }

  // Replaces `data` on every rank by its element-wise sum over all ranks.
  // Every rank gets the same bits.
  virtual void allreduce_sum(std::span<float> data) = 0;
  virtual void allreduce_sum(std::span<double> data) = 0;
  virtual void allreduce_sum(std::span<std::int64_t> data) = 0;
  // The same from a buffer of the caller's into `sum` (of the same size,
  // not overlapping it), which saves copying `in` into `sum` first.
  virtual void allreduce_sum(std::span<const float> in, std::span<float> sum) = 0;
  virtual void allreduce_sum(std::span<const double> in, std::span<double> sum) = 0;
  // Copies rank 0's `data` to every rank (the same size on every rank).
  virtual void broadcast(std::span<std::byte> data) = 0;
  // Rank 0 gets every rank's `block` (of any size), in rank order; the other
  // ranks get nothing.
  virtual std::vector<std::string> gather(std::string_view block) = 0;
  virtual void barrier() = 0;
  // Prints `message` (a line is added) to standard error and ends every
  // process of the job with exit status 1, at once: for an error that the
  // other ranks cannot know about and would wait for forever.
  [[noreturn]] virtual void abort(const std::string& message) = 0;
};

// One process: rank 0 of 1.
class SingleProcess final : public Communicator {
 public:
  int rank() const override { return 0; }
  int size() const override { return 1; }
  void allreduce_sum(std::span<float>) override {}
  void allreduce_sum(std::span<double>) override {}
  void allreduce_sum(std::span<std::int64_t>) override {}
  void allreduce_sum(std::span<const float> in, std::span<float> sum) override { copy(in, sum); }
  void allreduce_sum(std::span<const double> in, std::span<double> sum) override { copy(in, sum); }
  void broadcast(std::span<std::byte>) override {}
  std::vector<std::string> gather(std::string_view block) override { return {std::string(block)}; }
  void barrier() override {}
  [[noreturn]] void abort(const std::string& message) override;

 private:
  template <class T>
  static void copy(std::span<const T> in, std::span<T> out) {
    std::copy(in.begin(), in.end(), out.begin());
  }
};

// A SingleProcess for defaults (it has no state).
Communicator& single_process();

// Whether this build of eq has MpiCommunicator.
bool built_with_mpi();

// The processes this one was started with: an MpiCommunicator when started
// by an MPI launcher (mpirun sets OMPI_COMM_WORLD_SIZE, PMIx launchers
// PMIX_RANK, Hydra and Slurm PMI_RANK), else a SingleProcess. Throws
// eq::Error when a launcher started several processes but this build has no
// MPI, since each would train alone and overwrite the others' files.
std::unique_ptr<Communicator> world_communicator();

// Rank 0's string on every rank (the length first, then the bytes).
void broadcast(Communicator& comm, std::string& text);

// An error that every rank throws together: its message, the same on every
// rank, names the failing ranks ("rank 1: data.csv:17:3: …") unless every
// rank failed the same way. A program reports it once, from rank 0.
class CollectiveError : public Error {
 public:
  explicit CollectiveError(const std::string& message) : Error(message) {}
};

// Runs `body` on every rank; if it throws (eq::Error or another exception)
// on any rank, every rank throws a CollectiveError. Collective: one small
// allreduce when nothing fails.
void run_together(Communicator& comm, const std::function<void()>& body);

// For a collective step that already knows some rank failed: every rank
// calls it, with its own message or nothing, and every rank throws the
// CollectiveError of run_together().
[[noreturn]] void fail_together(Communicator& comm, const std::optional<std::string>& error);

}  // namespace eq
