// SequenceTrainer: training a time model on text with truncated
// back-propagation through time (docs/language.md §6–§7).
//
// The text is split once: the first (1 − validate) share trains, the rest
// is held out. Each is cut into parallel streams (TextStreams); the batch is
// the streams, each a contiguous slice. One training program is compiled
// from the model unrolled over `window` steps (unroll.hpp): the objective
// (the loss averaged over steps and streams), every parameter's gradient,
// and each state's value at the window's last step. A step lets a window of
// symbols in (xₜ the symbol at t, yₜ the one at t+1), lets the carried
// states in, runs, updates the parameters, and carries the states on, so
// gradients stop at the window's start but the state does not. An epoch
// visits the windows in order and starts the streams from the states'
// initial values. Nothing is allocated per step.
//
// Checkpoints keep the position (epoch, window) and the carried states, so a
// resumed run ends with the same weights as an uninterrupted one.
#pragma once

#include <memory>
#include <vector>

#include "compiler/lower/unroll.hpp"
#include "compiler/machine.hpp"
#include "compiler/sequence/streams.hpp"
#include "compiler/train/session.hpp"

namespace eq {

class SequenceTrainer {
 public:
  // Needs a time model with one one-hot input xₜ and one one-hot target yₜ,
  // text data (setup.text), and a window (default 50).
  explicit SequenceTrainer(Setup& setup);
  ~SequenceTrainer();

  void initialize();
  void load_weights(const SafetensorsFile& weights);
  void resume(const SafetensorsFile& checkpoint);
  void train(const TrainHooks& hooks = {});
  // Mean loss per symbol over the held-out text (or the training text).
  Metrics validate();

  SafetensorsFile weights();
  SafetensorsFile checkpoint();

  std::int64_t steps_per_epoch() const { return train_streams_->windows(); }
  std::int64_t total_steps() const;
  std::int64_t step() const { return solver_->step_count(); }
  // Symbols per step: streams × window.
  std::int64_t symbols_per_step() const { return config_.batch * window_; }
  std::int64_t train_examples() const { return train_end_; }
  std::int64_t validation_examples() const { return setup_.text.numel() - train_end_; }
  std::int64_t window() const { return window_; }
  Machine& machine() { return *train_.machine; }

 private:
  struct Program {
    std::unique_ptr<Machine> machine;
    std::vector<Tensor> carry;  // per state: [streams, …]
    std::int64_t streams = 0;
  };
  void reset_carry(Program& p);
  double run_window(Program& p, const TextStreams& streams, std::int64_t w, bool learn);

  Setup& setup_;
  Model& model_;
  const TrainConfig& config_;
  std::int64_t window_ = 0, train_end_ = 0;
  Window unrolled_;
  std::string input_name_, target_name_;
  std::unique_ptr<TextStreams> train_streams_, val_streams_;
  Program train_, eval_;
  std::vector<Tensor> xs_, ys_, val_xs_, val_ys_;  // one window of symbols, per step
  std::unique_ptr<Solver> solver_;
  ir::Node objective_;  // the unrolled objective, stabilised
  std::vector<ir::Node> grads_;
  std::vector<ConstView> grad_views_;
  TrainPosition position_;
  double epoch_loss_ = 0;
  std::int64_t epoch_windows_ = 0;
};

}  // namespace eq
