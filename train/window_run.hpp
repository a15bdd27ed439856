// WindowRun: one compiled window program of a time model (LANGUAGE §6) over
// one set of text streams, and the states it carries from window to window.
// The training step (TextWindows) and the scorer (TextScorer) each own one.
//
// A window lets `window` steps of symbols in (xₜ the symbol at t, yₜ the one
// at t+1, for every stream) and each state's carried value; after the run,
// carry_on() keeps the states at the window's last step for the next one.
// Nothing here allocates per window.
#pragma once

#include <memory>
#include <string>
#include <vector>

#include "eq/compiler/lower/unroll.hpp"
#include "eq/compiler/machine.hpp"
#include "eq/train/setup.hpp"
#include "eq/train/streams.hpp"

namespace eq {

// The timed input xₜ and target yₜ a sequence binds: one-hot ones for text
// (`text`), any for rows of numbers. Throws eq::Error naming what is missing.
struct TextLeaves {
  std::string input, target;
};
TextLeaves text_leaves(const Model& model, bool text = true);

// The sequence a time model of `setup` reads: its text, or rows of numbers
// (docs/language.md §9: `data = csv("series.csv", x = 0:3, y = 3)`, the data's
// columns for xₜ and yₜ, one row a step). Throws eq::Error when it has neither.
struct Sequence {
  TextLeaves leaves;
  bool text = true;
  const Tensor* inputs = nullptr;   // [N, …] rows, or the symbols
  const Tensor* targets = nullptr;  // [N, …] rows, or the symbols again
  std::int64_t size() const { return inputs->shape()[0]; }
  // Positions one window step needs beyond itself: text reads the next symbol.
  std::int64_t lookahead() const { return text ? 1 : 0; }
  const char* unit() const { return text ? "symbols" : "time steps"; }
  TextStreams streams(std::int64_t begin, std::int64_t end, std::int64_t streams,
                      std::int64_t window, std::string_view source = {}) const;
};
Sequence sequence_of(const Setup& setup);

class WindowRun {
 public:
  // `program` computes, among its outputs, every state's carry_out of
  // `unrolled`, which must outlive this (as must the streams' symbols).
  WindowRun(const Model& model, const Window& unrolled, const TextLeaves& leaves,
            const TextStreams& text, Program program);

  Machine& machine() { return *machine_; }
  const TextStreams& text() const { return text_; }

  // Every stream starts from each state's initial value: a number, or a
  // learnt parameter (this Machine's) repeated over the streams.
  void reset();
  // Window w of every stream, and the carried states, into the Machine.
  void let(std::int64_t w);
  // After a run: the states at the window's last step start the next window.
  void carry_on();

  // The targets of the last let(): one i32 [streams] tensor per step.
  const std::vector<Tensor>& targets() const { return ys_; }
  // The carried states, one [streams, …] tensor per state and step back, in
  // the order of the window's states (checkpoints save and restore them).
  std::vector<Tensor>& carry() { return carry_; }
  // The carried states were set from a checkpoint: the next window goes on
  // from them rather than from a learnt start.
  void restored() { fresh_ = false; }

 private:
  const Model& model_;
  const Window& unrolled_;
  TextLeaves leaves_;
  TextStreams text_;
  std::unique_ptr<Machine> machine_;
  std::vector<Tensor> carry_;
  // Per state with a learnt start (UnrolledState::reset): its per-stream
  // reset flags, 1 for the first window after reset(), else 0.
  std::vector<Tensor> reset_;
  bool fresh_ = true;
  std::vector<Tensor> xs_, ys_;
};

}  // namespace eq
