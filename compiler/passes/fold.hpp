// Constant folding.
//
// Rewrites every computation whose operands hold one number everywhere — a
// constant, or an expand / reshape of one — into a constant: `2·3 → 6`,
// `σ(0) → 0.5`, `Σ over [n] of c → n·c`, `max c → c`, and any reshape /
// expand / transpose of a uniform value into `expand(constant)`, the one
// canonical form later rules recognise. Dims are constants after lowering
// (`mean x` is `Σx / n`), so they fold too. Values are computed with the
// same scalar functions the kernels use (runtime/scalar_math.hpp) and
// rounded to the node's dtype, so a folded f32 value is what the tape
// would have computed (up to the last bit of a transcendental function).
// A sum over the batch axis is left alone: B is only known at run time.
#pragma once

#include "eq/compiler/passes/pass.hpp"

namespace eq::passes {

std::vector<Node> fold_constants(Graph& graph, const std::vector<Node>& roots, PassStats& stats);

// The scalar function of an elementwise op in float64 (its kernel's): what
// folding computes before rounding to the node's dtype. `b` is unused by a
// unary op.
double evaluate_elementwise(ir::Op op, double a, double b);

}  // namespace eq::passes
