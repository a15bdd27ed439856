// RunHistory: what a training report shows, gathered while a run trains
// (recorder.hpp) or read back from a `--log` CSV file (log_csv.hpp), and
// drawn by render_report (html.hpp).
//
// Per-epoch numbers are kept whole; per-step losses go through StepSeries,
// which keeps at most kMaxPoints by averaging neighbours, so a report of a
// million-step run stays small and its memory bounded.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

namespace eq::report {

// One row of the log: the epoch's running training metrics, the held-out
// ones, the wall time of its steps and the learning rate it ended with.
struct EpochPoint {
  std::int64_t epoch = 0, step = 0;
  double loss = 0;
  std::optional<double> accuracy, val_loss, val_accuracy;
  double seconds = 0;  // this epoch's steps (validation excluded)
  std::optional<double> lr;
};

// Training loss per step at x = step and at x = training seconds.
struct StepPoint {
  double step = 0, seconds = 0, loss = 0;
};

class StepSeries {
 public:
  static constexpr std::size_t kMaxPoints = 1024;
  // Adds one step; when kMaxPoints are held, neighbours are averaged in
  // pairs and every later point stands for twice as many steps.
  void add(double step, double seconds, double loss);
  // The points kept, then the mean of the steps not yet a whole point.
  std::vector<StepPoint> points() const;

 private:
  std::vector<StepPoint> points_;
  StepPoint pending_;           // the sum of the bucket being filled
  std::int64_t pending_n_ = 0;  // steps in it
  std::int64_t bucket_ = 1;     // steps a point stands for
};

struct KernelTime {
  std::string label;  // "matmul", "fused[add,sigmoid]", …
  double seconds = 0;
  std::int64_t count = 0;
};

// Held-out examples of target class i predicted as class j: counts[i * n + j].
struct Confusion {
  std::int64_t epoch = 0;
  std::vector<std::string> labels;  // n class names
  std::vector<std::int64_t> counts;
};

struct TextSample {
  std::int64_t epoch = 0;
  std::string text;
};

struct RunHistory {
  std::string title;       // the model file or the log
  std::string summary;     // one line: data, optimizer, batch, steps
  std::string source;      // the model's equations as written; empty from a log
  std::string graph_svg;   // Graphviz's picture, or empty
  std::string graph_note;  // why there is no picture
  std::vector<EpochPoint> epochs;
  StepSeries steps;
  std::vector<KernelTime> kernels;  // empty: not profiled
  std::int64_t profiled_steps = 0;
  std::optional<Confusion> confusion;  // of the last validation
  std::vector<TextSample> samples;     // one per epoch
  bool finished = false;               // false while training
  std::string failure;                 // the error that stopped the run early; empty otherwise
};

}  // namespace eq::report
