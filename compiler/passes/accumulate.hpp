// Sums of products computed where they are summed: c + op(a)·op(b) becomes
// one matmul_acc, a gemm with β = 1 into c's buffer; c + scatter(g, idx)
// (the weight gradient of a one-hot product W·xₜ) one scatter_acc, which
// adds g's rows into c's columns.
//
//   ∂U = Σₜ δₜᵀ·hₜ₋₁   (50 products [128, 128] and their sum)
//        →  matmul_acc(…matmul_acc(δ₁ᵀ·h₀, δ₂, h₁)…, δ₅₀, h₄₉)
//   ∂W = Σₜ scatter(δₜ, xₜ)   (50 zero-filled [128, V] and their sum)
//        →  scatter_acc(…scatter_acc(scatter(δ₁, x₁), δ₂, x₂)…, δ₅₀, x₅₀)
//
// Why: the weight gradients of an unrolled window are one product a time
// step, each written to a buffer of its own and then added up. Accumulated,
// each product adds itself to the running sum as gemm writes it.
//
// Applies to an add of two values of one unbatched matrix type where one
// operand is a product of matrices, or a scatter, that nothing else reads
// (the other operand is the running sum); runs once, after the rounds of rewrites
// (after autodiff in a training step). Equal to the plain sums up to
// rounding: the terms are added in another order. ONNX's Gemm is the same
// operation (C + op(A)·op(B)), so prediction programs export as before;
// scatter_acc exports as a Gemm of g and the one-hot indices, with C.
#pragma once

#include "eq/compiler/passes/pass.hpp"

namespace eq::passes {

std::vector<Node> accumulate(Graph& graph, const std::vector<Node>& roots, PassStats& stats);

}  // namespace eq::passes
