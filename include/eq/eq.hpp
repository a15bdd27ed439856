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
#include "runtime/blas_core.hpp"
#include "runtime/error.hpp"
#include "runtime/init.hpp"
#include "runtime/random.hpp"
#include "runtime/solvers.hpp"
#include "runtime/tensor.hpp"

namespace eq {
// The builders, for graphs written in C++: eq::sigmoid(eq::matmul(W, x) + b).
#define EQ_OP(name, arity, kind, flags, spellings, ...) EQ_EXPORT_##kind(name)
#define EQ_EXPORT_unary(name) using ir::name;
#define EQ_EXPORT_leaf(name)
#define EQ_EXPORT_binary(name)
#define EQ_EXPORT_reduce(name)
#define EQ_EXPORT_special(name)
#include "compiler/ir/ops.def"
#undef EQ_OP
#undef EQ_EXPORT_unary
#undef EQ_EXPORT_leaf
#undef EQ_EXPORT_binary
#undef EQ_EXPORT_reduce
#undef EQ_EXPORT_special
using ir::add;
using ir::amax;
using ir::amin;
using ir::cast;
using ir::div;
using ir::expand;
using ir::gather;
using ir::logsoftmax;
using ir::matmul;
using ir::max;
using ir::min;
using ir::mul;
using ir::onehot;
using ir::pow;
using ir::reshape;
using ir::softmax;
using ir::sub;
using ir::sum;
using ir::transpose;
using ir::operator+;
using ir::operator-;
using ir::operator*;
using ir::operator/;
}  // namespace eq
