// The CSV that `eqc predict` and `eqc run` write: one row per example of an
// ordinary model, one row per step of the text for a time model.
//
//   one-hot target           y                   the label of the largest output
//             --top K        y1,p1,…,yK,pK       the K likeliest labels, with probabilities
//             --proba        <label>,…           every class's probability, headed by its label
//   binary target (σ)        y                   1 when p ≥ 0.5, else 0
//             --proba        p(y=1)
//   any other output         ŷ[0],ŷ[1],…         the output's values
//   time model over a series ŷₜ                  the output at each row (as any other
//                                                output; series_predict.hpp)
//   time model over text     t,symbol,next,p     the symbol at t and the likeliest next one
//             --top K        t,symbol,next1,p1,…,nextK,pK
//             --proba        t,symbol,<symbol>,… every symbol's probability
//
// An output that is not a softmax is taken as logits (normalised); labels
// and symbols are quoted as CSV needs them (RFC 4180). Asking for --top or
// --proba of an output that has no classes is an eq::Error saying so.
#pragma once

#include <cstdint>
#include <string>

#include "eq/runtime/safetensors.hpp"
#include "eq/train/setup.hpp"

namespace eq::cli {

struct PredictOptions {
  std::int64_t top = 0;  // --top K (0: the likeliest alone)
  bool proba = false;    // --proba
  bool values = false;   // --values: the output's values as they are, for any output
};

// `output` is the first output of every example: [N, …].
std::string example_predictions(const Setup& setup, const Tensor& output, const PredictOptions& o);
// Steps the time model through setup.text with `weights`, from its states'
// initial values.
std::string text_predictions(Setup& setup, const SafetensorsFile& weights, const PredictOptions& o);

}  // namespace eq::cli
