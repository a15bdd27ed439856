// Predictions of a time model over the rows of a series (docs/language.md
// §9.7; `eqc predict` of a model trained with `data = csv(…)`).
//
// The rows are fed in file order as one stream, one row a step, from the
// states' initial values: what the model forecasts at each row having read
// every row before it (training cuts the same rows into `batch` streams and
// `window`-step windows, carrying the states across a stream's windows).
// The one-step graph is compiled once, as the Sampler compiles it for text,
// with the first output and every state's next value; noise at row t is
// drawn from (noise_seed, t, 0).
#pragma once

#include <cstdint>

#include "eq/compiler/lower/model.hpp"
#include "eq/runtime/data.hpp"
#include "eq/runtime/safetensors.hpp"

namespace eq {

// The first output of `model` at every row of `data` ([N, …]), with the
// parameters of `weights`. Every input of the model must be bound by the
// data; targets are not read. Throws eq::Error for a model without
// recurrence or without outputs.
Tensor predict_series(Model& model, const SafetensorsFile& weights, const Dataset& data,
                      std::uint64_t noise_seed);

}  // namespace eq
