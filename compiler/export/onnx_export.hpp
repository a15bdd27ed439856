// The ONNX back end: a model's prediction program as an ONNX model
// (opset 17), the protobuf built with Debian's libonnx-dev schema.
//
// What is exported is what `eqc predict` runs: the model's `output` values
// after the pass pipeline (folding, simplification, stabilisation, CSE),
// each node becoming the ONNX operators of its row in onnx_ops.cc. The
// result takes what the user has, not what eq feeds its tape:
//   - raw features: an input with scaling statistics is scaled in the graph
//     ((x − offset) · factor, the offsets and factors initializers);
//   - class indices for a one-hot input (int32 [batch]);
//   - names folded to ASCII (onnx_names.hpp), the Unicode name in doc_string;
//   - the batch axis symbolic ("batch").
// A time model exports its step: inputs xₜ and every carried state (hₜ₋₁),
// outputs the `output` values and every next state (hₜ). A state read k
// steps back is k inputs hₜ₋₁ … hₜ₋ₖ (CarriedState's slots) and k outputs:
// hₜ, then each input hₜ₋ⱼ (j < k) again, as the next step's hₜ₋₍ⱼ₊₁₎. A
// runtime loops the step, feeding every state input the output metadata
// "eq.states" pairs it with (it gives their initial values too). Class labels, the vocabulary and
// the .eq source are metadata_props.
#pragma once

#include <map>
#include <string>
#include <vector>

#include "eq/compiler/lower/model.hpp"
#include "eq/runtime/safetensors.hpp"

namespace eq::onnx_export {

// Per-feature scaling of an input: x ↦ (x − offset) · factor (the saved
// `scale` statistics of training).
struct InputScale {
  std::vector<double> offset, factor;
};

struct ExportOptions {
  std::map<std::string, InputScale> scale;                 // by input name
  std::map<std::string, std::vector<std::string>> labels;  // class target → its labels
  std::string vocabulary;                                  // text models: symbol i is code point i
  std::string producer_version;                            // eq's version
};

// The serialized ONNX ModelProto. `weights` must hold every parameter
// (checked: names, dtypes, shapes). Throws eq::Error when the model has no
// `output`, or for an op that cannot be exported (at its equation).
std::string export_onnx(Model& model, const SafetensorsFile& weights, const ExportOptions& options);

}  // namespace eq::onnx_export
