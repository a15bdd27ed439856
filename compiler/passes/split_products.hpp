// Products of a concatenation, split into a sum of products:
//
//   W·[h, x]       → W[:, :H]·h + W[:, H:]·x     the columns of W that meet
//                                                each part, one product each
//   onehot(i)·op(W) → op(W)'s rows i              a one-hot part is a lookup
//                                                of W's rows (gather_rows) or
//                                                columns (gather), never a
//                                                product
//
// Why: Colah's `W·[hₜ₋₁, xₜ]` joins a state with a one-hot symbol. As one
// product the symbol is a dense [B, V] row of zeros multiplied through W;
// split, its part is a column lookup (lowering does the same for `W·x` with
// a one-hot x written alone). The split fires only when a part is one-hot:
// for dense parts one gemm over the joined value is as fast as several, and
// the split would add a copy of each slice of W per step.
//
// It applies where the concatenation's last axis is the axis the product
// contracts (the right operand of W·[h, x] as lowering builds it, [B, H+V]
// times Wᵀ; or a left operand not transposed), and its parts are not
// broadcast (every part has the joined value's leading axes). Runs in both
// stages, before autodiff, so the gradients are those of the split form
// (scatters into the slices of W). Exact up to rounding: the -O0 tests
// compare it with the unsplit product.
#pragma once

#include "eq/compiler/passes/pass.hpp"

namespace eq::passes {

std::vector<Node> split_products(Graph& graph, const std::vector<Node>& roots, PassStats& stats);

}  // namespace eq::passes
