// The public header of eq, the one a program includes (link eq::eq):
//   - graphs built by hand or parsed from equations (Graph, Parser, the
//     builders), differentiated (grad, learnables), compiled (compile) and
//     run (Machine), trained by an Optimizer;
//   - whole `.eq` models trained as `eqc train` does (setup_file, Trainer),
//     in one process or many (Communicator, world_communicator),
//     evaluated and used to predict (Evaluator, Batches), saved and loaded
//     (SafetensorsFile, saved_model, decode_metadata), data read (load_csv, load_npy, load_text).
// See examples/embed/ for complete programs.
#pragma once

#include "eq/compiler/autodiff/grad.hpp"
#include "eq/compiler/ir/builders.hpp"
#include "eq/compiler/ir/printer.hpp"
#include "eq/compiler/lower/model.hpp"
#include "eq/compiler/machine.hpp"
#include "eq/compiler/optimizer.hpp"
#include "eq/compiler/parser.hpp"
#include "eq/compiler/passes/pipeline.hpp"
#include "eq/compiler/tape/compile.hpp"
#include "eq/runtime/blas_core.hpp"
#include "eq/runtime/data.hpp"
#include "eq/runtime/error.hpp"
#include "eq/runtime/init.hpp"
#include "eq/runtime/random.hpp"
#include "eq/runtime/safetensors.hpp"
#include "eq/runtime/solvers.hpp"
#include "eq/runtime/tensor.hpp"
#include "eq/train/checkpoint.hpp"
#include "eq/train/communicator.hpp"
#include "eq/train/evaluate.hpp"
#include "eq/train/setup.hpp"
#include "eq/train/trainer.hpp"

namespace eq {
// The builders, for graphs written in C++: eq::sigmoid(eq::matmul(W, x) + b).
// Every row of the op table but the leaves has a builder of its name.
#define EQ_OP(name, ...) using ir::name;
#define EQ_LEAF(name, flags)
#include "eq/compiler/ir/ops.def"
using ir::equal;
using ir::operator+;
using ir::operator-;
using ir::operator*;
using ir::operator/;
}  // namespace eq
