#include "compiler/machine.hpp"

#include <cstring>

#include "runtime/error.hpp"
#include "runtime/kernels.hpp"

namespace eq {

Machine::Machine(Program program) : program_(std::move(program)), vm_(program_.tape) {}

Tensor Machine::value(ir::Node n) const {
  ConstView v = view(n);
  Tensor t(v.dtype, v.shape);
  std::memcpy(t.raw(), v.data, t.bytes());
  return t;
}

void Machine::set_param(ir::Node p, const Tensor& value) {
  View dst = param(p);
  if (!(dst.shape == value.shape()))
    throw Error("parameter '" + p.name() + "' has shape " + dst.shape.str() + "; got " +
                value.shape().str());
  kernels::copy(value.view(), dst);
}

}  // namespace eq
