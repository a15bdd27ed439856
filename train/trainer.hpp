// Trainer: the one training loop — of `eqc train`, and of a C++ program
// that trains a model. It drives a TrainingData (training_data.hpp): example
// batches for an ordinary model, text windows for a time model.
//
// The loop owns the solver and the position (step, epoch, step within the
// epoch), and decides when to validate (at the end of every epoch and of
// the run) and when to hand out a checkpoint (every checkpoint_every
// steps). Each step lets the data in, runs the training program, checks
// that the objective is finite, lets the data read what it needs, and hands
// the gradient views to the Solver, which updates the Machine's parameters
// in place. Nothing is allocated per step.
//
// Two hooks sit in the step for what runs across processes or draws noise:
//   before_run  after the data is let in and the Machine's noise key set
//               (the run's seed, the step, TrainingData::noise_row), before
//               the run; the StepContext carries step_seed(seed, step);
//   reduce      between backward and the solver step: it may point the
//               gradient views at reduced buffers (the mean over ranks) and
//               reduce the step's numbers, so that reports are global.
//
// A checkpoint keeps the position and what the data carries (the shuffling
// generator, the states at the end of the last window), so a resumed run
// draws the same data and ends with the same weights as an uninterrupted
// one. Running training metrics of an epoch resumed midway count only the
// steps after the resume.
//
// A non-finite objective stops the run with an eq::Error naming the step and
// (from a re-run in checking mode) the equation that produced the first NaN
// or Inf; parameters are not updated by that step.
#pragma once

#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <span>

#include "runtime/solvers.hpp"
#include "train/setup.hpp"
#include "train/training_data.hpp"

namespace eq {

struct StepProgress {
  std::int64_t epoch = 0, epochs = 0;            // 1-based epoch in progress, of
  std::int64_t epoch_step = 0, epoch_steps = 0;  // step within it, of
  std::int64_t step = 0, total_steps = 0;        // solver steps so far, of
  double loss = 0;                               // this step's objective
  double examples_per_second = 0;                // or symbols
  double eta_seconds = 0;
  double seconds = 0;  // training time of this run so far (validation excluded)
};

struct EpochReport {
  std::int64_t epoch = 0;  // 1-based, just finished
  std::int64_t step = 0;   // solver steps so far
  Metrics train;           // running loss / accuracy over the epoch's steps
  std::optional<Metrics> validation;
  double seconds = 0;      // wall time of the epoch's steps (validation excluded)
};

struct TrainHooks {
  std::function<void(const StepProgress&)> on_step;
  std::function<void(const EpochReport&)> on_epoch;
  // Every `checkpoint_every` steps (0 = never), with checkpoint().
  std::int64_t checkpoint_every = 0;
  std::function<void(const SafetensorsFile&)> on_checkpoint;
  // See the header: the places data parallelism and noise hook in.
  std::function<void(Machine&, const StepContext&)> before_run;
  std::function<void(std::span<ConstView> grads, StepResult& result)> reduce;
};

// What a weights file keeps about the run (checkpoint.hpp), from its set-up.
SavedModel saved_model(const Setup& setup);

// The data `setup`'s model trains on: TextWindows for a time model,
// ExampleBatches otherwise; `shard` of every step.
std::unique_ptr<TrainingData> training_data(Setup& setup, const Shard& shard = {});

class Trainer {
 public:
  // Trains on training_data(setup).
  explicit Trainer(Setup& setup);
  Trainer(Setup& setup, std::unique_ptr<TrainingData> data);
  ~Trainer();

  // Parameters from their initialisers, drawn from Rng(seed).
  void initialize();
  // Parameters from a weights file (--init); checked against the model.
  void load_weights(const SafetensorsFile& weights);
  // Parameters, optimizer state and position from a checkpoint (--resume).
  void resume(const SafetensorsFile& checkpoint);

  // Trains to the configured epochs / steps from the current position.
  void train(const TrainHooks& hooks = {});

  // Loss and accuracy of the current parameters on the validation share (or,
  // without one, on the training data).
  Metrics validate() { return data_->validate(); }

  // The weights with their metadata; a checkpoint adds the optimizer state,
  // the position and what the data carries.
  SafetensorsFile weights();
  SafetensorsFile checkpoint();

  std::int64_t steps_per_epoch() const { return data_->steps_per_epoch(); }
  // steps, or epochs × steps_per_epoch; eq::Error (checked in the constructor)
  // when that passes int64.
  std::int64_t total_steps() const;
  std::int64_t step() const { return solver_->step_count(); }
  // Examples (or symbols: unit()) trained on and held out.
  std::int64_t train_examples() const { return data_->train_size(); }
  std::int64_t validation_examples() const { return data_->validation_size(); }
  const char* unit() const { return data_->unit(); }
  Machine& machine() { return data_->machine(); }
  Solver& solver() { return *solver_; }
  TrainingData& data() { return *data_; }

 private:
  StepResult run_step(const TrainHooks& hooks);
  EpochReport epoch_report(double seconds);

  Setup& setup_;
  std::unique_ptr<TrainingData> data_;
  std::unique_ptr<Solver> solver_;
  std::vector<ConstView> grad_views_;
  TrainPosition position_;  // the loop's epoch and epoch_step
  // Running sums of the epoch in progress.
  double epoch_loss_ = 0;
  std::int64_t epoch_examples_ = 0, epoch_correct_ = 0;
};

}  // namespace eq
