// TrainingData: what the one training loop (Trainer, trainer.hpp) steps
// through. Two kinds implement it:
//   ExampleBatches  shuffled batches of examples (example_batches.hpp)
//   TextWindows     windows of parallel text streams, for truncated
//                   back-propagation through time (text_windows.hpp)
//
// A TrainingData owns the training Machine — compiled from
// training_program() plus what it reads after a run — and knows the order
// of its steps within an epoch, what it carries from step to step and how it
// scores held-out data. The loop owns everything else: the solver, the
// position, progress and epoch reports, and when to validate and to write a
// checkpoint. One step, as the loop drives it:
//
//   begin_epoch()                  before the first step of every epoch
//   let(step)                      the step's data into the Machine
//   (loop) hooks.before_run, run, the objective checked finite
//   finish(step) → StepResult      what the step covered; carried state on
//   (loop) hooks.reduce on the gradients and the result, solver step
//
// Nothing here allocates per step. With data parallelism (a Shard), a
// TrainingData holds its rank's share of every step and of the held-out
// data; the loop sums over the ranks.
#pragma once

#include <cstdint>

#include "eq/compiler/machine.hpp"
#include "eq/runtime/safetensors.hpp"
#include "eq/train/checkpoint.hpp"
#include "eq/train/communicator.hpp"
#include "eq/train/evaluate.hpp"
#include "eq/train/program.hpp"

namespace eq {

// Where one run of the training program stands.
struct StepContext {
  std::int64_t step = 0;        // the solver step this run makes, 1-based
  std::int64_t epoch = 0;       // 0-based
  std::int64_t epoch_step = 0;  // step within the epoch, 0-based
  // step_seed(config seed, step): what noise and dropout draw from, the
  // same on every rank and in a resumed run.
  std::uint64_t seed = 0;
};

// A seed for one step, from the run's seed and the step alone.
std::uint64_t step_seed(std::uint64_t seed, std::int64_t step);

// One share of every step's data, for data parallelism: share `index` of
// `count` takes rows [b·index/count, b·(index+1)/count) of each batch of b
// examples, or that share of the text streams. Every share draws the same
// order (the same seed); its objective and gradients are means over its
// rows, so a sum over shares weighs them by StepResult::examples
// (GradientSum, gradient_sum.hpp).
struct Shard {
  std::int64_t index = 0, count = 1;
  // The first and one-past-last of this share's n items.
  std::int64_t begin(std::int64_t n) const { return n * index / count; }
  std::int64_t end(std::int64_t n) const { return n * (index + 1) / count; }
};

// What one step covered: the data counts, the loop reads the objective.
struct StepResult {
  double loss = 0;            // the step's objective: mean loss per example (or symbol)
  std::int64_t examples = 0;  // examples (or symbols) it covered
  std::int64_t correct = 0;   // of them classified right, when scores_accuracy()
};

class TrainingData {
 public:
  virtual ~TrainingData() = default;

  // The compiled training step: program().outputs(…) of the data's model.
  virtual Machine& machine() = 0;
  virtual const TrainingProgram& program() const = 0;

  virtual std::int64_t steps_per_epoch() const = 0;
  // Examples (or symbols) trained on and held out, and what they are.
  virtual std::int64_t train_size() const = 0;
  virtual std::int64_t validation_size() const = 0;
  virtual const char* unit() const = 0;  // "examples", "symbols"
  virtual bool scores_accuracy() const = 0;

  virtual void begin_epoch() = 0;
  virtual void let(const StepContext& step) = 0;
  virtual StepResult finish(const StepContext& step) = 0;

  // Loss (and accuracy) of the Machine's current parameters on this shard's
  // part of the held-out data or, without any, of the training data; no
  // examples when the shard's part is empty. The Trainer sums the shards'.
  virtual Metrics validate() = 0;

  // The example index, within the whole step, of this share's first row
  // (example batches: rows of the batch; text: streams), so that with a
  // Shard every share draws the noise the whole batch would (noise key:
  // kernels::NoiseKey). 0 without one.
  virtual std::int64_t noise_row(const StepContext&) const { return 0; }

  // The parameters were set from outside the loop (initialisers, weights).
  virtual void parameters_changed() {}
  // What a checkpoint keeps beyond weights, solver state and the loop's
  // position: tensors in `checkpoint`, and `position.rng`. `position` holds
  // the loop's epoch and epoch_step. Called on every rank of `comm`: what a
  // share carries is gathered into rank 0's checkpoint, whole, so that any
  // number of ranks can resume it.
  virtual void save(SafetensorsFile& checkpoint, TrainPosition& position, Communicator& comm) = 0;
  // The same, back, from a whole checkpoint: each share takes its part.
  // Called before the loop takes up `position`.
  virtual void restore(const SafetensorsFile& checkpoint, const TrainPosition& position) = 0;
  // What the weights file keeps about the data (feature scaling).
  virtual void describe(SavedModel&) const {}
};

}  // namespace eq
