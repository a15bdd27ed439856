// Algebraic simplification.
//
// Rewrites identities that remove work without changing a result beyond
// rounding: `x + 0 → x`, `x·1 → x`, `x·0 → 0`, `--x → x`, `(xᵀ)ᵀ → x`,
// `exp(log x) → x`, `log(exp x) → x`, `(√s)² → s` where s ≥ 0 by
// construction (so ‖x‖² becomes Σx², the square root and its square gone),
// `√(x²) → |x|`, `x·x → x²`, `x^2 → x²`, negations folded into the
// neighbouring add / sub, `a·c − b·c → (a − b)·c`, reshapes and expands of
// reshapes and expands collapsed, and `exp(logsoftmax z) → softmax z`.
// Gradient graphs are full of these (products by 1, sums of 0, chains of
// reshapes), which is why the pipeline runs this again after autodiff.
//
// Two rules are exact only for finite operands, as every optimising
// compiler's are: `x·0 → 0` (∞·0 is NaN) and `exp(log x) → x` (log of a
// negative x is NaN; the rewrite returns x). Run folding first: the rules
// read uniform operands through passes::uniform.
#pragma once

#include "eq/compiler/passes/pass.hpp"

namespace eq::passes {

std::vector<Node> simplify(Graph& graph, const std::vector<Node>& roots, PassStats& stats);

}  // namespace eq::passes
