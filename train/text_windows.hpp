// TextWindows: the TrainingData of a time model (training_data.hpp) — text
// read in windows, for truncated back-propagation through time
// (docs/language.md §6–§7).
//
// The text is split once: the first (1 − validate) share trains, the rest
// is held out. Each is cut into parallel streams (TextStreams); the batch is
// the streams, each a contiguous slice. The training program is
// training_program() of the model unrolled over `window` steps (unroll.hpp)
// plus each state's value at the window's last step. A step lets a window of
// symbols in (xₜ the symbol at t, yₜ the one at t+1) and the carried states,
// and after the run carries the states on, so gradients stop at the
// window's start but the state does not. An epoch visits the windows in
// order and starts the streams from the states' initial values.
//
// Held-out text is scored by a TextScorer (loss per symbol and accuracy of
// the next symbol), as `eqc eval` scores it. Both programs are compiled, and
// their memory estimated with the optimizer's state (memory_plan.hpp),
// before either allocates.
//
// A checkpoint keeps the carried states (tensors "__state__.hₜ[-k]",
// [batch, …]), so a resumed run ends with the same weights as an
// uninterrupted one. With a Shard, each step runs on that share of the
// training streams, whose carried states stay with the share; a checkpoint
// gathers every share's into rank 0's whole tensors, and a resumed share
// takes its rows back, so that another number of ranks can resume it.
// Validation scores the share's part of the held-out streams.
#pragma once

#include <memory>
#include <string>
#include <vector>

#include "eq/compiler/lower/unroll.hpp"
#include "eq/train/setup.hpp"
#include "eq/train/streams.hpp"
#include "eq/train/text_scorer.hpp"
#include "eq/train/training_data.hpp"
#include "eq/train/window_run.hpp"

namespace eq {

class TextWindows : public TrainingData {
 public:
  // Needs a time model with a timed input xₜ and target yₜ (one-hot for
  // text), text data (setup.text) or rows of numbers (sequence_of), a window
  // (default 50), and at least one stream per share.
  explicit TextWindows(Setup& setup, const Shard& shard = {});
  ~TextWindows() override;

  Machine& machine() override { return train_->machine(); }
  const TrainingProgram& program() const override { return program_; }
  std::int64_t steps_per_epoch() const override { return train_streams_->windows(); }
  std::int64_t train_size() const override { return train_end_; }
  std::int64_t validation_size() const override { return symbols_ - train_end_; }
  const char* unit() const override { return unit_; }
  bool scores_accuracy() const override { return false; }

  void begin_epoch() override { train_->reset(); }
  void let(const StepContext& step) override { train_->let(step.epoch_step); }
  std::int64_t noise_row(const StepContext&) const override { return first_stream_; }
  StepResult finish(const StepContext& step) override;
  // Loss per symbol and accuracy over this share's held-out streams (or
  // its training streams); empty when the share has none.
  Metrics validate() override;
  void parameters_changed() override { train_->reset(); }
  void save(SafetensorsFile& checkpoint, TrainPosition& position, Communicator& comm) override;
  void restore(const SafetensorsFile& checkpoint, const TrainPosition& position) override;

  std::int64_t window() const { return window_; }
  // Symbols per step: streams × window.
  std::int64_t symbols_per_step() const { return train_streams_->streams() * window_; }

 private:
  Model& model_;
  Shard shard_;
  std::int64_t batch_ = 0;  // the training streams of all shares
  std::int64_t window_ = 0, symbols_ = 0, train_end_ = 0;
  std::int64_t first_stream_ = 0;  // of this share's streams
  const char* unit_ = "symbols";   // or "time steps": rows of numbers
  Window unrolled_;
  std::unique_ptr<TextStreams> train_streams_, val_streams_;
  TrainingProgram program_;
  std::unique_ptr<WindowRun> train_;
  std::unique_ptr<TextScorer> scorer_;
};

}  // namespace eq
