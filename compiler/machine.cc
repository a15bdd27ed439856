#include "eq/compiler/machine.hpp"

#include <cstring>

#include "eq/runtime/error.hpp"
#include "eq/runtime/init.hpp"
#include "eq/runtime/kernels.hpp"

namespace eq {

Machine::Machine(Program program) : program_(std::move(program)), vm_(program_.tape) {}

void Machine::let(ir::Node input, ConstView data) {
  const int v = program_.value(input);
  if (input.op() != ir::Op::input)
    throw Error("let: " + ir::label(input) +
                " is not an input of the program; only inputs take data (set a parameter "
                "with set_param)");
  vm_.let(v, data);
}

ConstView Machine::view(ir::Node n) const {
  const int v = program_.readable(n);
  if (!vm_.holds(v))
    throw Error("node " + ir::label(n) + " has no value yet: let the inputs and run() first");
  return vm_.value(v);
}

Tensor Machine::value(ir::Node n) const {
  ConstView v = view(n);
  Tensor t(v.dtype, v.shape);
  std::memcpy(t.raw(), v.data, t.bytes());
  return t;
}

View Machine::param(ir::Node p) {
  if (p.op() != ir::Op::param)
    throw Error(ir::label(p) + " is not a parameter; only parameters have storage to set");
  return vm_.param(program_.value(p));
}

int Machine::initialize(Rng& rng) {
  int filled = 0;
  for (const ir::Node& p : program_.graph->params()) {
    const Initializer* init = program_.graph->initializer(p);
    if (init == nullptr || !program_.value_of.contains(p.id())) continue;
    eq::initialize(*init, param(p), rng);
    ++filled;
  }
  return filled;
}

void Machine::set_param(ir::Node p, const Tensor& value) {
  View dst = param(p);
  if (!(dst.shape == value.shape()))
    throw Error("parameter '" + p.name() + "' has shape " + dst.shape.str() + "; got " +
                value.shape().str());
  kernels::copy(value.view(), dst);
}

}  // namespace eq
