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
// Data parallelism: a Trainer on a Communicator (communicator.hpp) of N
// ranks — processes, or threads of a ThreadTeam (thread_team.hpp) — trains on its rank's share of
// every batch (or of the text streams, whose carried states stay on their rank), and between
// backward and the solver step sums the gradients and the step's numbers over the ranks
// (GradientSum, gradient_sum.hpp). Every rank then applies the same solver
// step to the same weights, so the ranks stay equal, and the weights are
// those of one process training on the whole batch (to rounding). Every
// rank runs the same steps; shuffling and the validation split come from the
// seed. The reports (on_step, on_epoch) and checkpoints (on_checkpoint) are
// handed to rank 0's hooks alone, with the figures of the whole batch.
// What must be called on every rank, in the same order — initialize(),
// load_weights(), resume(), train(), validate(), checkpoint() — says so.
// A step that throws on one rank throws a CollectiveError on every rank.
//
// One hook sits in the step: before_run, after the data is let in and the
// Machine's noise key set (the run's seed, the step, and
// TrainingData::noise_row: noise and dropout draw for example r of step s
// from (seed, s, r) alone), before the run; its StepContext carries
// step_seed(seed, step), the same on every rank and in a resumed run.
//
// A checkpoint keeps the position and what the data carries (the shuffling
// generator, the states at the end of the last window — of every rank's
// streams), so a resumed run, on the same number of ranks or another, draws
// the same data and ends with the same weights as an uninterrupted one.
// Running training metrics of an epoch resumed midway count only the steps
// after the resume.
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

#include "eq/runtime/solvers.hpp"
#include "eq/train/communicator.hpp"
#include "eq/train/gradient_sum.hpp"
#include "eq/train/setup.hpp"
#include "eq/train/training_data.hpp"

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
  double seconds = 0;  // wall time of the epoch's steps (validation excluded)
};

struct TrainHooks {
  // Rank 0 only.
  std::function<void(const StepProgress&)> on_step;
  std::function<void(const EpochReport&)> on_epoch;
  // Every `checkpoint_every` steps (0 = never), with checkpoint(): rank 0 only.
  std::int64_t checkpoint_every = 0;
  std::function<void(const SafetensorsFile&)> on_checkpoint;
  // Asked after every step (and its checkpoint): true ends the run there,
  // mid-epoch if need be; checkpoint() then continues it (eqc train on a
  // signal, cli/interrupt.hpp). Set on every rank or on none: the ranks
  // agree (one sum) and stop after the same step.
  std::function<bool()> stop;
  // Called once the ranks have agreed to stop (after `stop`), before train()
  // returns: a rank that was asked is sure then that every rank is there to
  // save the run.
  std::function<void()> on_stop;
  // Every rank: see the header.
  std::function<void(Machine&, const StepContext&)> before_run;
};

// What a weights file keeps about the run (checkpoint.hpp), from its set-up.
SavedModel saved_model(const Setup& setup);

// The data `setup`'s model trains on: TextWindows for a time model,
// ExampleBatches otherwise; `shard` of every step.
std::unique_ptr<TrainingData> training_data(Setup& setup, const Shard& shard = {});
// A rank's share: index rank() of size().
Shard shard_of(const Communicator& comm);

class Trainer {
 public:
  // Trains on training_data(setup, shard_of(comm)); `comm` must outlive the
  // Trainer.
  explicit Trainer(Setup& setup, Communicator& comm = single_process());
  // `data` must be this rank's share of `comm`.
  Trainer(Setup& setup, std::unique_ptr<TrainingData> data, Communicator& comm = single_process());
  ~Trainer();

  // Every rank. Parameters from their initialisers, drawn from Rng(seed),
  // then rank 0's copied to every rank (so that ranks on different
  // machines start equal to the bit).
  void initialize();
  // Every rank. Parameters from a weights file (--init), checked against
  // the model, then rank 0's copied to every rank.
  void load_weights(const SafetensorsFile& weights);
  // Every rank, with the same file. Parameters, optimizer state and
  // position from a checkpoint (--resume), written by any number of ranks.
  // Returns a warning ("" if none): optimizer state saved by another
  // optimizer (adam's m and v, resumed with sgd) is dropped, not restored.
  std::string resume(const SafetensorsFile& checkpoint);

  // Every rank. Trains to the configured epochs / steps from the current
  // position.
  void train(const TrainHooks& hooks = {});

  // Every rank. Loss and accuracy of the current parameters on the
  // validation share (or, without one, on the training data): each rank
  // scores its part, the sums are added over the ranks.
  Metrics validate();

  // The weights with their metadata (any rank: they are equal).
  SafetensorsFile weights();
  // Every rank. The weights plus the optimizer state, the position and what
  // the data carries; only rank 0's holds the carried states of every rank.
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
  Communicator& communicator() { return comm_; }

 private:
  StepResult run_step(const TrainHooks& hooks);
  EpochReport epoch_report(double seconds);
  // Rank 0's parameters on every rank.
  void share_parameters();

  Setup& setup_;
  Communicator& comm_;
  std::unique_ptr<TrainingData> data_;
  std::unique_ptr<GradientSum> sum_;  // with more than one rank
  std::unique_ptr<Solver> solver_;
  std::vector<ConstView> grad_views_;
  TrainPosition position_;  // the loop's epoch and epoch_step
  // Running sums of the epoch in progress.
  double epoch_loss_ = 0;
  std::int64_t epoch_examples_ = 0, epoch_correct_ = 0;
};

}  // namespace eq
