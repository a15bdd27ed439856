// Unrolling a time model over a window of steps (docs/language.md §6).
//
// A time model lowers to one step: its equations over the leaves xₜ, yₜ and
// the state leaves hₜ₋ₖ (see model.hpp). unroll() copies that step graph
// `steps` times into the same graph: the leaves of step t are the inputs of
// step t, and hₜ₋ₖ at step t is hₜ of step t−k — or, for t < k, a leaf that
// holds the state carried in from the previous window. Gradients through the
// unrolled graph are then back-propagation through time, truncated at the
// window's start by construction. Nodes that do not depend on time (a
// parameter's transpose, a constant) are shared by all steps, because the
// graph is hash-consed.
//
// docs/notes.md says why we unroll rather than scan.
#pragma once

#include <map>
#include <string>
#include <vector>

#include "eq/compiler/lower/model.hpp"

namespace eq {

struct UnrolledState {
  std::string name;  // hₜ
  // carry_in[j] is the leaf holding hₜ at step −(j+1) of this window (set it
  // from the previous window's carry_out[j], or the initial value).
  std::vector<ir::Node> carry_in;
  // carry_out[j] is hₜ at step steps−(j+1): what the next window starts from.
  std::vector<ir::Node> carry_out;
  double init_value = 0;
  std::string init_param;
  // A learnt start (`state hₜ = h₀`, h₀ a param): an input of 1 or 0 per
  // stream ([B, 1] for a vector state; sizes 1 of the state's rank), 1 where this window starts
  // from h₀ rather than from the carried value. The steps read where(reset, h₀, carry_in[j])
  // (start[j]), so h₀ gets the gradient of the windows that start from it. Null for a constant
  // start, which carry_in holds itself.
  ir::Node reset;
  std::vector<ir::Node> start;  // what the steps read: carry_in, or the where above
};

struct Window {
  int steps = 0;
  // Each time-indexed input or target by name (xₜ, yₜ): its leaf at each step.
  std::map<std::string, std::vector<ir::Node>> inputs;
  std::vector<UnrolledState> states;
  // Each equation's value by name, at each step.
  std::map<std::string, std::vector<ir::Node>> values;
  // The per-example loss at each step, and the objective: the mean of the
  // loss over steps and batch (a scalar). Null when the model has no loss.
  std::vector<ir::Node> losses;
  ir::Node objective;
};

// Unrolls `model` (a time model) over `steps` steps, adding nodes to its graph.
Window unroll(Model& model, int steps);

}  // namespace eq
