// Weights laid out for the products that read them: a batch times a
// transposed weight, op(a)·Wᵀ, becomes op(a)·(Wᵀ) with the transpose made
// once, when W is read that way by two products or more.
//
//   matmul[bᵀ](hₜ₋₁, Uᵢ) for every t  →  transpose(Uᵢ) once;
//                                         matmul(hₜ₋₁, Uᵢᵀ) for every t
//
// Why: a per-example W·x is x·Wᵀ on a batch, so every product of an
// unrolled window's forward pass reads its weight transposed, and OpenBLAS
// packs a transposed operand anew on every call. With the AVX-512 kernels
// (SkylakeX, Cooperlake) the transposed packing is the slow one: a
// [32, 128]·[128, 128]ᵀ product takes 9.6 µs against 5.5 µs for the same
// product with the weight stored transposed (docs/notes.md). A weight read
// once (an MLP's layer) keeps its flag: transposing it would cost a copy of
// the whole weight per step for one product.
//
// Runs once, in the "step" stage after the rounds (so simplify does not fold
// the transpose back into the flag), on weights that have no batch axis and
// are read as the right operand of a product of a batched left operand.
// The same products, so equal to rounding (OpenBLAS's kernels for a·bᵀ and
// a·b need not add in the same order; the test allows 1e-13 in f64).
#pragma once

#include "eq/compiler/passes/pass.hpp"

namespace eq::passes {

std::vector<Node> transpose_weights(Graph& graph, const std::vector<Node>& roots, PassStats& stats);

}  // namespace eq::passes
