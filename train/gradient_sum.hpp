// GradientSum: one training step's numbers summed over the ranks of a
// Communicator, so that every rank applies the solver step of the whole
// batch and all ranks keep equal weights (data parallelism).
//
// Each rank ran the step on its share: B_r of the step's B examples (or
// symbols), its objective and gradients means over those. The whole batch's
// mean gradient is Σ_r (B_r / B)·g_r. So each rank copies its gradients,
// weighted by B_r / B, into one contiguous buffer, and one allreduce sums
// the buffer in place; the gradient views then point into it. Weighting by
// share, rather than averaging, keeps shares that differ by one example
// exact (a batch of 33 on 2 ranks is 16 + 17).
//
// B comes from a small allreduce that goes first, of [loss·B_r, B_r,
// correct, failed]: the same numbers make the step's result global (the
// mean loss over the batch, its example and correct counts), and `failed`
// tells every rank that some rank's step threw, so that none is left
// waiting in the large allreduce — every rank then throws the
// CollectiveError of fail_together() with the failing rank's message.
//
// The buffer is sized on the first step; no step allocates after that.
// docs/notes.md has the measurements behind one buffer rather than buckets
// overlapped with the backward pass.
#pragma once

#include <optional>
#include <span>
#include <string>
#include <vector>

#include "runtime/tensor.hpp"
#include "train/communicator.hpp"
#include "train/training_data.hpp"

namespace eq {

class GradientSum {
 public:
  explicit GradientSum(Communicator& comm) : comm_(comm) {}

  // Collective. `error` is this rank's failure in the step, if any: then
  // `grads` are not read, and every rank throws CollectiveError. Otherwise
  // `result` becomes the whole step's and `grads` views of the summed
  // gradients (valid until the next call).
  void sum(std::span<ConstView> grads, StepResult& result, const std::optional<std::string>& error);

 private:
  template <class T>
  void sum_as(std::span<ConstView> grads, std::vector<T>& buffer, double weight);

  Communicator& comm_;
  std::vector<float> f32_;
  std::vector<double> f64_;
};

}  // namespace eq
