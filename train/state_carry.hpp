// StateCarry: a time model's states between runs of its one-step program
// (Sampler, predict_series), one example at a time.
//
// Each state is carried as its slots (CarriedState, model.hpp): hₜ read k
// steps back is k tensors hₜ₋₁ … hₜ₋ₖ. A step lets the slots the step graph
// reads, runs, and advance() moves every value one step further back, hₜ
// into slot 0 — what unroll() does between the steps of a training window,
// so a model reading hₜ₋₂ predicts as it was trained.
#pragma once

#include <vector>

#include "eq/compiler/lower/model.hpp"
#include "eq/compiler/machine.hpp"

namespace eq {

class StateCarry {
 public:
  // The states `outputs` need (carried_states, model.hpp).
  StateCarry(const Model& model, const std::vector<ir::Node>& outputs);

  // What the step program must compute besides its outputs: every state's
  // next value (hₜ), to be added to the roots compile() is given.
  std::vector<ir::Node> next_values() const;
  // Every slot to its state's initial value (a learnt one read from `m`).
  void reset(const Model& model, Machine& m);
  // Lets the slots the step graph reads into `m`, before a run.
  void let(Machine& m) const;
  // After a run: every slot takes the one before it, slot 0 takes hₜ.
  void advance(const Machine& m);

 private:
  std::vector<CarriedState> states_;
  std::vector<std::vector<Tensor>> slots_;  // slots_[i][j]: state i, j + 1 steps back
};

}  // namespace eq
