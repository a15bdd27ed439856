// ReportRecorder: follows a Trainer's run through its hooks (trainer.hpp)
// and keeps the report of `eqc train --report FILE` up to date — written
// atomically at the end of every epoch and when the run finishes, so a
// browser (or a crash) never sees half a file. Epochs that end within
// kMinWriteSeconds of the last write are not written: each write syncs the
// file to disk (~20 ms), and a run of 300 one-step epochs would spend 6 s
// on them; the end of the run is always written.
//
// What it gathers: each step's loss and training seconds, each epoch's
// metrics and learning rate, the validation split's confusion matrix (for a
// classifier), a text sample after each epoch (for a time model that can be
// sampled: train/sampler.hpp), the Machine's time per kernel (it turns the
// profiler on: two clock reads per instruction), the model's source and the
// graph picture (drawn once, at the start).
#pragma once

#include <chrono>
#include <memory>
#include <string>

#include "eq/report/history.hpp"
#include "eq/train/trainer.hpp"

namespace eq {
class Sampler;
}

namespace eq::report {

// One line on the run: "120 examples (30 held out), adam(lr = 0.001, …),
// batch 16, 24 steps" — the progress header of `eqc train` and the report's.
std::string run_summary(const Setup& setup, const Trainer& trainer);

// An epoch as a log row, with the learning rate it ended with.
EpochPoint epoch_point(const EpochReport& report, double lr);

class ReportRecorder {
 public:
  static constexpr double kMinWriteSeconds = 1.0;

  // The report goes to `path`; `title` heads it (the model file). Construct
  // it after the parameters are initialised, loaded or resumed.
  ReportRecorder(std::string path, std::string title, Setup& setup, Trainer& trainer);
  ~ReportRecorder();
  // Chains the recorder after the on_step and on_epoch already in `hooks`.
  void attach(TrainHooks& hooks);
  // Writes the finished report.
  void finish();
  // Writes the report of a run that `message` stopped, with what it had
  // reached. It never throws: the run's own error is the one to report.
  void fail(const std::string& message) noexcept;
  const RunHistory& history() const { return history_; }

 private:
  void on_epoch(const EpochReport& report);
  void write();
  void write_if_due();

  std::string path_;
  Setup& setup_;
  Trainer& trainer_;
  std::int64_t first_step_;  // when profiling began (after a resume, not 0)
  RunHistory history_;
  std::unique_ptr<Sampler> sampler_;  // for a time model that can be sampled
  std::vector<std::string> class_labels_;
  std::chrono::steady_clock::time_point last_write_;
};

}  // namespace eq::report
