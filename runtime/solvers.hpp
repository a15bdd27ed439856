// Solvers (optimisers) of the `train` block, docs/language.md §7: sgd, adam,
// rmsprop, adagrad, plus global-norm gradient clipping (`clip`) and L2
// weight decay (`decay`).
//
// A Solver is built once per run from a SolverConfig and the parameters it
// updates (views of the tensors the Machine owns). It allocates its
// per-parameter state there; step() then updates the parameters in place and
// allocates nothing. The state and the step count are exposed by name so a
// checkpoint can save them and `--resume` continue exactly.
//
// One step, for every parameter p with gradient g (all arithmetic elementwise):
//   1. clip:  if clip > 0 and ‖G‖ > clip, where ‖G‖ is the L2 norm over ALL
//             parameters' gradients together, g ← g · clip / ‖G‖.
//             (Exactly clip / ‖G‖: PyTorch's clip_grad_norm_ divides by
//             ‖G‖ + 1e-6. A NaN or infinite norm scales nothing, so the NaN
//             reaches the parameters and the NaN check sees it.)
//   2. decay: g ← g + decay · p  (after clipping, before the update; this is
//             PyTorch's `weight_decay`, i.e. L2 regularisation, not AdamW).
//   3. the update, with t the step count after this step (1 on the first):
//   sgd      momentum μ = 0:  p ← p − lr·g
//            μ > 0:           v ← μ·v + g;  p ← p − lr·v            (v₀ = 0)
//            nesterov:        v ← μ·v + g;  p ← p − lr·(g + μ·v)
//   adam     m ← β₁·m + (1−β₁)·g;  v ← β₂·v + (1−β₂)·g²
//            m̂ = m / (1−β₁ᵗ);  v̂ = v / (1−β₂ᵗ);  p ← p − lr·m̂ / (√v̂ + ε)
//   rmsprop  v ← ρ·v + (1−ρ)·g²;  p ← p − lr·g / (√v + ε)
//   adagrad  s ← s + g²;  p ← p − lr·g / (√s + ε)
// These are PyTorch's torch.optim formulas (SGD with dampening 0, Adam with
// amsgrad off, RMSprop with centered off and momentum 0, Adagrad with
// lr_decay 0 and initial accumulator 0), so runs can be checked against it.
// Elementwise arithmetic is done in the parameter's dtype; the norm and the
// scalar coefficients (bias corrections) in double.
#pragma once

#include <cstdint>
#include <span>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "eq/runtime/tensor.hpp"

namespace eq {

struct SolverConfig {
  enum class Kind : std::uint8_t { sgd, adam, rmsprop, adagrad };
  Kind kind = Kind::sgd;
  double lr = 0.01;
  double momentum = 0;    // sgd
  bool nesterov = false;  // sgd
  double beta1 = 0.9;     // adam β₁
  double beta2 = 0.999;   // adam β₂
  double rho = 0.9;       // rmsprop ρ
  double eps = 1e-8;      // adam, rmsprop, adagrad ε
  double clip = 0;        // global gradient-norm limit; 0 = off
  double decay = 0;       // L2 weight decay; 0 = off

  // The defaults of docs/language.md §7.
  static SolverConfig sgd(double lr, double momentum = 0, bool nesterov = false);
  static SolverConfig adam(double lr, double beta1 = 0.9, double beta2 = 0.999, double eps = 1e-8);
  static SolverConfig rmsprop(double lr, double rho = 0.9, double eps = 1e-8);
  static SolverConfig adagrad(double lr, double eps = 1e-8);

  // Throws eq::Error naming the bad hyperparameter, e.g.
  // "adam: β₁ must be in [0, 1); got 1".
  void validate() const;
  // The optimizer in source form, then clip / decay when set:
  // "adam(lr = 0.001, β₁ = 0.9, β₂ = 0.999, ε = 1e-8)", "sgd(lr = 0.1, momentum = 0,
  // nesterov = false), clip = 1". Numbers are shortest round-trip text.
  std::string describe() const;
  friend bool operator==(const SolverConfig&, const SolverConfig&) = default;
};

std::string_view solver_name(SolverConfig::Kind kind);  // "sgd", "adam", ...

// A parameter the solver updates: its canonical name (used to name its
// state) and a view of its storage, which must outlive the Solver.
struct SolverParam {
  std::string name;
  View value;
};

// The L2 norm of all `grads` taken together, accumulated in double.
double global_norm(std::span<const ConstView> grads);

class Solver {
 public:
  // Validates `config`; parameters must be f32 or f64 (else eq::Error).
  Solver(SolverConfig config, std::vector<SolverParam> params);

  // One update. grads[i] is the gradient of params[i]: same dtype and shape
  // (else eq::Error). Gradients are read, never written. Allocates nothing.
  void step(std::span<const ConstView> grads);

  const SolverConfig& config() const { return config_; }
  void set_lr(double lr);  // `--lr`; throws eq::Error if negative or not finite

  // Steps taken so far (Adam's t). A checkpoint saves it with state().
  std::int64_t step_count() const { return step_count_; }
  void set_step_count(std::int64_t count);

  // The state tensors, named "<param>.<slot>" with slot one of: momentum
  // (sgd with μ > 0), m and v (adam), square_avg (rmsprop), sum (adagrad);
  // plain sgd has none. Ordered by parameter, then slot. The pointers stay
  // valid for the Solver's life; a checkpoint restores by writing into them.
  std::vector<std::pair<std::string, Tensor*>> state();
  // Slot names of this config's solver, e.g. {"m", "v"} for adam.
  std::span<const std::string_view> slot_names() const;

 private:
  SolverConfig config_;
  std::vector<SolverParam> params_;
  std::vector<Tensor> state_;  // params_.size() × slot count, parameter-major
  std::int64_t step_count_ = 0;
};

}  // namespace eq
