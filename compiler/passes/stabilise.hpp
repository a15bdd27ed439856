// Numerical stabilisation: formulas people write from the paper, rewritten
// into the forms that stay finite and accurate in floating point.
//
//   log(1 + x)      → log1p(x)        1 + 1e-12 rounds to 1 in f32 (and f64
//                                     loses every digit below 1e-16)
//   log(1 - x)      → log1p(-x)       the same, from the other side
//   eˣ - 1          → expm1(x)        the same cancellation, for exp
//   log(1 + eˣ)     → softplus(x)     eˣ overflows at x ≈ 89 in f32
//   log σ(x)        → -softplus(-x)   σ(-800) underflows to 0, log 0 = -∞
//   log(1 - σ(x))   → -softplus(x)    1 - σ(40) rounds to 0
//   1 / (1 + e⁻ˣ)   → σ(x)            e⁻ˣ overflows for x < -89, and its
//                                     gradient then computes ∞·0
//   log softmax(z)  → logsoftmax(z)   softmax of logits ±1000 has exact
//                                     zeros; logsoftmax is z - max - log Σ
//   Σ_last(r̄ ⊙ onehot y) → r          the softmax cross-entropy gradient:
//                                     with it, ∂/∂z of -Σ y·logsoftmax(z)
//                                     becomes (y - softmax z)·r, i.e. ŷ - y
//
// Where it runs matters. A gradient is built from the formula it is given:
// the VJP of log(softmax z) divides by softmax z, which is 0 for logits of
// ±1000, so rewriting after autodiff is too late. Callers that
// differentiate call passes::optimize (which runs this pass) on the loss
// BEFORE grad(); compile() runs it again over loss and gradients together.
#pragma once

#include "eq/compiler/passes/pass.hpp"

namespace eq::passes {

std::vector<Node> stabilise(Graph& graph, const std::vector<Node>& roots, PassStats& stats);

}  // namespace eq::passes
