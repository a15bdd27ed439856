// GradientSum: one training step's numbers summed over the ranks of a
// Communicator, so that every rank applies the solver step of the whole
// batch and all ranks keep equal weights (data parallelism).
//
// Each rank ran the step on its share — B_r of the step's B examples (or
// streams) — with the shared training program (program.hpp), whose
// objective is the share's mean times B_r / B. Its gradients are therefore
// this rank's exact part of the whole batch's mean gradient, and the sum
// over ranks is that gradient: no pass over the gradients weights them.
// Weighting by share, rather than averaging the ranks, keeps shares that
// differ by one example exact (a batch of 33 on 2 ranks is 16 + 17).
//
// The sums land in one contiguous buffer, which the gradient views then
// point into. Gradients of at least kOwnSumBytes are summed straight from
// the Machine's buffers into their place (an allreduce each, whose latency
// is nothing beside their size); the smaller ones are copied together and
// summed with one allreduce. For the char-LSTM that is one allreduce of
// every gradient; for the large MLP of bench/, one for the biases and the
// last layer and one for each large matrix, with no copy of 80 MB.
//
// A small allreduce goes first, of [loss, B_r, correct, failed]: the same
// numbers make the step's result global (the whole batch's mean loss, its
// example and correct counts), and `failed` tells every rank that some
// rank's step threw, so that none is left waiting in the large allreduce —
// every rank then throws the CollectiveError of fail_together() with the
// failing rank's message.
//
// The buffer is sized on the first step; no step allocates after that.
// docs/notes.md says why the sum comes after the backward pass rather than
// in buckets overlapped with it, and what measurement would change that.
#pragma once

#include <optional>
#include <span>
#include <string>
#include <vector>

#include "eq/runtime/tensor.hpp"
#include "eq/train/communicator.hpp"
#include "eq/train/training_data.hpp"

namespace eq {

class GradientSum {
 public:
  // Gradients this large or larger get an allreduce of their own.
  static constexpr std::size_t kOwnSumBytes = std::size_t{1} << 20;

  explicit GradientSum(Communicator& comm) : comm_(comm) {}

  // Collective. `error` is this rank's failure in the step, if any: then
  // `grads` are not read, and every rank throws CollectiveError. Otherwise
  // `result` (this share's, its loss weighted by the share) becomes the
  // whole step's, and `grads` views of the summed gradients, valid until
  // the next call.
  void sum(std::span<ConstView> grads, StepResult& result, const std::optional<std::string>& error);

 private:
  template <class T>
  void sum_as(std::span<ConstView> grads, std::vector<T>& buffer);

  Communicator& comm_;
  std::vector<std::size_t> offsets_;  // each gradient's place in the buffer
  std::size_t small_ = 0;             // the small gradients: [0, small_) of the buffer
  std::vector<float> f32_;
  std::vector<double> f64_;
};

}  // namespace eq
