// ASCII names for ONNX: eq's names are Unicode (ŷ, W₁, hₜ₋₁), and much ONNX
// tooling (code generators, C APIs, shell scripts) expects identifiers.
// The exporter gives every input, output and initializer its folded name
// and keeps the Unicode name in the value's doc_string.
#pragma once

#include <set>
#include <string>

namespace eq::onnx_export {

// The name spelled in ASCII letters, digits and '_': subscripts become a
// '_' and their characters (W₁ → W_1, hₜ₋₁ → h_tm1, with ₋ read as "minus"),
// a hat becomes "_hat" (ŷ → y_hat), Greek letters their English names
// (σ → sigma), ᵀ → T, anything else u<hex>. An ASCII identifier is itself.
std::string ascii_name(const std::string& name);

// ascii_name(name), made unique among `taken` (a suffix _2, _3, … when
// another name already folded to it), and added to `taken`.
std::string unique_ascii_name(const std::string& name, std::set<std::string>& taken);

}  // namespace eq::onnx_export
