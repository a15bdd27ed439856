// TextScorer: a time model scored on text — the held-out share during
// training (TextWindows::validate) and `eqc eval` — as the mean loss per
// symbol and the accuracy of the next symbol: the share of steps whose most
// probable output symbol is the one that follows.
//
// It runs the training step's window program without gradients (the
// window's objective, optimised as the training step's is, and the output at
// every step) over text streams, the windows in order, each stream carrying
// its state on from the states' initial values. The same streams and
// weights give the same figures in training and in `eqc eval`.
#pragma once

#include <vector>

#include "eq/runtime/safetensors.hpp"
#include "eq/train/evaluate.hpp"
#include "eq/train/setup.hpp"
#include "eq/train/window_run.hpp"

namespace eq {

class TextScorer {
 public:
  // What the scorer runs, compiled before it is built so that its memory
  // can be estimated first (memory_plan.hpp).
  struct Compiled {
    Program program;
    ir::Node objective;
    std::vector<ir::Node> outputs;  // the output scored for accuracy, per step (or none)
  };
  static Compiled compile(Model& model, const Window& unrolled);

  TextScorer(Model& model, const Window& unrolled, const TextStreams& text, Compiled compiled);

  // The Machine whose parameters are scored: set them before score().
  Machine& machine() { return run_.machine(); }
  const TextStreams& text() const { return run_.text(); }
  // The seed noise is drawn from: window w draws (seed, step w, stream),
  // streams counted as in the whole held-out text. 0 unless set.
  void set_noise_seed(std::uint64_t seed) { noise_seed_ = seed; }
  // Loss per symbol and (with an output over the vocabulary) accuracy over
  // every full window of every stream.
  Metrics score();

 private:
  ir::Node objective_;
  std::vector<ir::Node> outputs_;
  WindowRun run_;
  std::uint64_t noise_seed_ = 0;
};

// The most streams (≤ wanted) that still give every stream one full window
// of `symbols` (at least 1).
std::int64_t streams_for(std::int64_t symbols, std::int64_t wanted, std::int64_t window);
// Where the held-out share of `symbols` starts: the last ⌊validate·symbols⌋
// are held out.
std::int64_t held_out_start(std::int64_t symbols, double validate);

// `eqc eval` of a time model: `weights` scored on setup.text — the share
// the train block holds out (validate), or all of it when `whole` or none
// is held out — in at most `streams` streams (0: the block's batch) of the
// block's window: the layout, and so the figure, of training's validation.
Metrics score_text(Setup& setup, const SafetensorsFile& weights, std::int64_t streams, bool whole);

}  // namespace eq
