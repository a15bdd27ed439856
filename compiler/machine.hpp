// eq::Machine: the public face of the runtime Machine, spoken in graph
// nodes. Compile a Program from a graph, then let inputs, run, and read
// values, parameters and gradients by the nodes that stand for them.
#pragma once

#include <memory>

#include "eq/compiler/tape/compile.hpp"
#include "eq/runtime/machine.hpp"
#include "eq/runtime/random.hpp"

namespace eq {

class Machine {
 public:
  explicit Machine(Program program);

  // Sets an input for the next run (a batched input takes [B, dims…]);
  // eq::Error when `input` is not an input of the program.
  void let(ir::Node input, const Tensor& data) { let(input, data.view()); }
  void let(ir::Node input, ConstView data);
  void run() { vm_.run(); }

  // A value after run() (outputs, leaves); a copy as a Tensor. Parameters
  // and constants have values from the start, an input once let; anything
  // else read before the first run is an eq::Error.
  Tensor value(ir::Node n) const;
  ConstView view(ir::Node n) const;
  // A parameter's storage, to set or update in place (eq::Error when p is
  // not a parameter of the program).
  View param(ir::Node p);
  void set_param(ir::Node p, const Tensor& value);
  // Fills every parameter made with an initialiser (Graph::param(name,
  // shape, init)) with fresh values from `rng`, in the graph's order; the
  // others keep their values. Returns how many it filled.
  int initialize(Rng& rng);

  void set_check_finite(bool on) { vm_.set_check_finite(on); }
  const Program& program() const { return program_; }
  runtime::Machine& runtime() { return vm_; }

 private:
  Program program_;
  runtime::Machine vm_;
};

}  // namespace eq
