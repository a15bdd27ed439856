// eq::Optimizer: a Solver spoken in graph nodes, for programs that build and
// train a graph themselves. Like Gorgonia's solvers, it takes the learnables —
// each parameter with its gradient node — rather than two lists that must be
// kept in the same order:
//
//   auto learn = eq::learnables(loss, g.params());           // ∂loss/∂p, per p
//   eq::Machine vm(eq::compile(g, eq::with_gradients({loss}, learn)));
//   vm.initialize(rng);                                      // the params' initialisers
//   eq::Optimizer opt(vm, eq::SolverConfig::adam(1e-3), learn);
//   for (…) { vm.let(x, batch); vm.run(); opt.step(); }
#pragma once

#include <initializer_list>
#include <vector>

#include "eq/compiler/machine.hpp"
#include "eq/runtime/solvers.hpp"

namespace eq {

// A parameter and the node of its gradient.
struct Learnable {
  ir::Node param;
  ir::Node grad;
};

// ∂loss/∂p for every p of `params` (a batched loss is summed, as grad() does).
// Throws eq::Error when one of `params` is not a parameter.
std::vector<Learnable> learnables(ir::Node loss, const std::vector<ir::Node>& params);

// `outputs` followed by every gradient of `learn`: what compile() must keep
// readable for an Optimizer to step.
std::vector<ir::Node> with_gradients(std::initializer_list<ir::Node> outputs,
                                     const std::vector<Learnable>& learn);

class Optimizer {
 public:
  // Validates the config; every gradient must be an output of vm's program.
  Optimizer(Machine& vm, SolverConfig config, std::vector<Learnable> learn);

  // One update of every parameter from its gradient of the last run.
  // Allocates nothing.
  void step();

  Solver& solver() { return solver_; }
  const std::vector<Learnable>& learnables() const { return learn_; }

 private:
  Machine& vm_;
  std::vector<Learnable> learn_;
  Solver solver_;
  std::vector<ConstView> grads_;  // reused by step()
};

}  // namespace eq
