// Sums of products computed where they are summed: c + op(a)·op(b) becomes
// one matmul_acc, a gemm with β = 1 into c's buffer.
//
//   ∂U = Σₜ δₜᵀ·hₜ₋₁   (50 products [128, 128] and their sum)
//        →  matmul_acc(…matmul_acc(δ₁ᵀ·h₀, δ₂, h₁)…, δ₅₀, h₄₉)
//
// Why: the weight gradients of an unrolled window are one product a time
// step, each written to a buffer of its own and then added up. Accumulated,
// each product adds itself to the running sum as gemm writes it.
//
// Applies to an add of two values of one unbatched matrix type where one
// operand is a product of matrices that nothing else reads (the other
// operand is the running sum); runs once, after the rounds of rewrites
// (after autodiff in a training step). Equal to the plain sums up to
// rounding: the terms are added in another order. ONNX's Gemm is the same
// operation (C + op(A)·op(B)), so prediction programs export as before.
#pragma once

#include "eq/compiler/passes/pass.hpp"

namespace eq::passes {

std::vector<Node> accumulate(Graph& graph, const std::vector<Node>& roots, PassStats& stats);

}  // namespace eq::passes
