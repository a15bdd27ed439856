// Trainer: the training loop of `eqc train`, as a library class so that a
// C++ program can train a model too.
//
// One training program is compiled: the objective (the mean of `loss` over
// the batch), the gradient of every parameter, and the output accuracy is
// read from. Each step lets one batch in, runs the tape, checks that the
// objective is finite, and hands the gradient views to the Solver, which
// updates the Machine's parameters in place. Nothing is allocated per step.
//
// Order of examples: the data is split once (seeded) into a training part
// and a held-out validation share; each epoch visits the training part in a
// fresh seeded shuffle, in batches of `batch`, the last one partial. The
// position (step, epoch, batch within the epoch, and the shuffling
// generator's state before the epoch's shuffle) is saved in checkpoints, so
// a resumed run draws the same batches and ends with the same weights as an
// uninterrupted one. Running training metrics of an epoch resumed midway
// count only the batches after the resume.
//
// A non-finite objective stops the run with an eq::Error naming the step and
// (from a re-run of that batch in checking mode) the equation that produced
// the first NaN or Inf; parameters are not updated by that step.
#pragma once

#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <vector>

#include "compiler/machine.hpp"
#include "train/evaluate.hpp"
#include "train/setup.hpp"
#include "runtime/random.hpp"
#include "runtime/solvers.hpp"

namespace eq {

struct StepProgress {
  std::int64_t epoch = 0, epochs = 0;            // 1-based epoch in progress, of
  std::int64_t epoch_step = 0, epoch_steps = 0;  // batch within it, of
  std::int64_t step = 0, total_steps = 0;        // solver steps so far, of
  double loss = 0;                               // this batch's objective
  double examples_per_second = 0;
  double eta_seconds = 0;
};

struct EpochReport {
  std::int64_t epoch = 0;  // 1-based, just finished
  std::int64_t step = 0;   // solver steps so far
  Metrics train;           // running loss / accuracy over the epoch's batches
  std::optional<Metrics> validation;
  double seconds = 0;      // wall time of the epoch's steps (validation excluded)
};

struct TrainHooks {
  std::function<void(const StepProgress&)> on_step;
  std::function<void(const EpochReport&)> on_epoch;
  // Every `checkpoint_every` steps (0 = never), with checkpoint().
  std::int64_t checkpoint_every = 0;
  std::function<void(const SafetensorsFile&)> on_checkpoint;
};

// After a step whose objective `loss` is not finite: re-runs the step in
// checking mode to find the first NaN / Inf and throws an eq::Error naming
// the step and that equation. Returns when `loss` is finite.
void stop_if_not_finite(Machine& machine, double loss, std::int64_t step);

// The progress numbers after a step: `position` is where the run is now,
// `examples` how many examples (or symbols) the run has stepped through
// since `first_step`, in `seconds`.
StepProgress step_progress(const TrainPosition& position, std::int64_t epochs, std::int64_t per_epoch,
                           std::int64_t step, std::int64_t total, std::int64_t first_step, double loss,
                           double examples, double seconds);

// What a weights file keeps about the run (checkpoint.hpp), from its set-up.
SavedModel saved_model(const Setup& setup);

class Trainer {
 public:
  // Rejects time models (SequenceTrainer trains those), models without `loss`, and data
  // with fewer examples than a split needs.
  explicit Trainer(Setup& setup);
  ~Trainer();

  // Parameters from their initialisers, drawn from Rng(seed).
  void initialize();
  // Parameters from a weights file (--init); checked against the model.
  void load_weights(const SafetensorsFile& weights);
  // Parameters, optimizer state and position from a checkpoint (--resume).
  void resume(const SafetensorsFile& checkpoint);

  // Trains to the configured epochs / steps from the current position.
  void train(const TrainHooks& hooks = {});

  // Loss and accuracy of the current parameters on the validation split (or,
  // without one, on the training data).
  Metrics validate();

  // The weights with their metadata; a checkpoint adds the optimizer state
  // and the position.
  SafetensorsFile weights();
  SafetensorsFile checkpoint();

  std::int64_t steps_per_epoch() const;
  std::int64_t total_steps() const;
  std::int64_t step() const { return solver_->step_count(); }
  std::int64_t train_examples() const { return static_cast<std::int64_t>(train_rows_.size()); }
  std::int64_t validation_examples() const { return static_cast<std::int64_t>(val_rows_.size()); }
  Machine& machine() { return *machine_; }
  Solver& solver() { return *solver_; }

 private:
  void begin_epoch();
  void run_step(std::span<const std::int64_t> rows);
  SavedModel saved() const;

  Setup& setup_;
  Model& model_;
  const TrainConfig& config_;
  std::vector<std::int64_t> train_rows_, val_rows_, order_;
  std::map<std::string, FeatureScale> scale_;
  std::unique_ptr<Batches> batches_;
  std::unique_ptr<Machine> machine_;
  std::unique_ptr<Evaluator> evaluator_;
  std::unique_ptr<Solver> solver_;
  ir::Node objective_;
  std::vector<ir::Node> grads_;
  std::vector<ConstView> grad_views_;
  AccuracyPair acc_;
  Rng shuffle_rng_;
  TrainPosition position_;  // epoch, epoch_step, rng at epoch start
  // Running sums of the epoch in progress.
  double epoch_loss_ = 0;
  std::int64_t epoch_examples_ = 0, epoch_correct_ = 0;
};

}  // namespace eq
