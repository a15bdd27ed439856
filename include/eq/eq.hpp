// The public header of eq, the one a program includes (link eq::eq):
//   - graphs built by hand or parsed from equations (Graph, Parser, the
//     builders), differentiated (grad, learnables), compiled (compile) and
//     run (Machine), trained by an Optimizer;
//   - whole `.eq` models trained as `eqc train` does (setup_file, Trainer),
//     evaluated and used to predict (Evaluator, Batches), saved and loaded
//     (SafetensorsFile, saved_model, decode_metadata), data read (load_csv, load_npy, load_text).
// See examples/embed/ for complete programs.
#pragma once

#include "compiler/autodiff/grad.hpp"
#include "compiler/ir/builders.hpp"
#include "compiler/ir/printer.hpp"
#include "compiler/lower/model.hpp"
#include "compiler/machine.hpp"
#include "compiler/optimizer.hpp"
#include "compiler/parser.hpp"
#include "compiler/passes/pipeline.hpp"
#include "compiler/tape/compile.hpp"
#include "runtime/blas_core.hpp"
#include "runtime/data.hpp"
#include "runtime/error.hpp"
#include "runtime/init.hpp"
#include "runtime/random.hpp"
#include "runtime/safetensors.hpp"
#include "runtime/solvers.hpp"
#include "runtime/tensor.hpp"
#include "train/checkpoint.hpp"
#include "train/evaluate.hpp"
#include "train/setup.hpp"
#include "train/trainer.hpp"

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
