// Inference: what a program that does not train leaves out.
//
// dropout(x, p) lowers to x · dropout_mask (docs/language.md §9); it is on
// while training only, and "off" must mean absent, not multiplied by a mask
// of ones: a program compiled for validation, eval, predict, run, sample or
// export holds no dropout at all. The rules:
//   x · dropout_mask → x      (the mask has x's shape by construction)
//   dropout_mask → 1          (a mask used any other way)
// The pipeline runs this pass first, in both stages, whenever
// CompileOptions::training is false, at every optimisation level (it is
// needed for correctness, not speed). Noise (random_normal, random_uniform)
// stays: §9 draws it at eval and predict too.
#pragma once

#include "eq/compiler/passes/pass.hpp"

namespace eq::passes {

std::vector<Node> strip_training_ops(Graph& graph, const std::vector<Node>& roots,
                                     PassStats& stats);

}  // namespace eq::passes
