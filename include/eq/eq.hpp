// The public header of eq: include this one to embed the parser and the
// Machine in a program (link eq::eq). See examples/embed/.
#pragma once

#include "compiler/autodiff/grad.hpp"
#include "compiler/ir/builders.hpp"
#include "compiler/ir/printer.hpp"
#include "compiler/lower/model.hpp"
#include "compiler/machine.hpp"
#include "compiler/parser.hpp"
#include "compiler/passes/pipeline.hpp"
#include "compiler/tape/compile.hpp"
#include "runtime/error.hpp"
#include "runtime/init.hpp"
#include "runtime/random.hpp"
#include "runtime/solvers.hpp"
#include "runtime/tensor.hpp"

namespace eq {
// The builders, for graphs written in C++: eq::sigmoid(eq::matmul(W, x) + b).
// Every row of the op table but the leaves has a builder of its name.
#define EQ_OP(name, ...) using ir::name;
#define EQ_LEAF(name, flags)
#include "compiler/ir/ops.def"
using ir::equal;
using ir::operator+;
using ir::operator-;
using ir::operator*;
using ir::operator/;
}  // namespace eq
