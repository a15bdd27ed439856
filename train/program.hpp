// training_program: what one training step computes, built once for every
// caller — the example trainer, the text-window trainer and `eqc ir --grad` /
// `eqc tape`.
//
//   objective → optimize → grad
//
// The objective is the number the solver minimises: the mean of the model's
// per-example `loss` over the batch or, for a time model unrolled over a
// window (lower/unroll.hpp), the window's objective (the mean over steps and
// streams). It is optimised — stabilised — before it is differentiated,
// because the gradient of log(softmax z) divides by an underflowing softmax
// while that of logsoftmax z does not (passes/pipeline.hpp). The gradients
// follow model.params() in order. Nodes are named for listings: the
// objective "objective", each gradient "∂<param>" unless a pass named it.
//
// For one share of a step run on several ranks (data parallelism), the
// objective is the share's mean times `share`, a scalar the loop sets
// before every run to the share's part of the step (B_r / B): then the
// objectives and gradients of all ranks simply add up to the whole step's
// mean and its gradient, with no pass over the gradients to weight them.
#pragma once

#include <span>
#include <vector>

#include "eq/compiler/lower/model.hpp"
#include "eq/compiler/lower/unroll.hpp"
#include "eq/compiler/passes/pipeline.hpp"

namespace eq {

struct TrainingProgram {
  ir::Node objective;           // a scalar, stabilised
  std::vector<ir::Node> grads;  // ∂objective/∂p for each p in model.params()
  ir::Node share;               // shared programs: the scalar B_r / B (a parameter
                                // of the graph, not of the model); else null

  // What a training Machine computes: the objective, the gradients, then
  // `extra` (what the data reads after a run: an output to score, carried
  // states), in that order.
  std::vector<ir::Node> outputs(std::span<const ir::Node> extra = {}) const;
};

// Throws eq::Error, saying what to write, when the model has no loss (no
// `lossₜ` when `timed`: one trained over windows of a sequence).
void require_loss(const Model& model, bool timed);

// The mean of the model's per-example loss over the batch, not yet
// optimised, named "objective". Throws eq::Error when the model has no loss.
ir::Node batch_objective(Model& model);

// What `eqc graph` draws and `eqc ir` prints by default: the batch objective
// (unless `predict` or the model has no loss), then the outputs; every value
// when that leaves nothing.
std::vector<ir::Node> model_roots(Model& model, bool predict = false);

// The training step of `model` — over `window` when given (a time model
// unrolled by the caller), else over a batch. `options` and `stats` are the
// pass options of the optimisation (as `eqc ir` takes them; `training` is
// set, so dropout stays; compile the outputs with training_options()). Throws
// eq::Error when the model has no loss.
// The options a training program is compiled with: `options` with training set.
CompileOptions training_options(CompileOptions options = {});

TrainingProgram training_program(Model& model, const Window* window = nullptr,
                                 const CompileOptions& options = {},
                                 passes::PassStats* stats = nullptr);
// The step of one share of several (see the header).
TrainingProgram shared_training_program(Model& model, const Window* window = nullptr);

class Machine;
// Sets a shared program's share of the step in `m`, compiled from it:
// `part` of the step's `whole` examples (or streams). No-op when not shared.
void set_share(Machine& m, const TrainingProgram& program, std::int64_t part, std::int64_t whole);

}  // namespace eq
