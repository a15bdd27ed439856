// The safetensors file format: our own reader and writer.
//
// Layout (the public format, https://github.com/huggingface/safetensors):
//   8 bytes   N, the header length, unsigned little-endian
//   N bytes   a UTF-8 JSON object: for each tensor name
//             {"dtype": "F32", "shape": [128, 65], "data_offsets": [begin, end]}
//             with offsets relative to the first byte after the header, plus an
//             optional "__metadata__": {string: string}
//   the rest  the tensors' bytes, little-endian, row-major, back to back
//
// Writing: tensors are laid out in the order given, metadata first in the
// header, and the header is padded with spaces so the data starts 8-byte
// aligned. The file is replaced atomically (see file_io.hpp).
//
// Reading checks everything and names the file, the tensor and the fault:
// header length, JSON, each entry's fields, dtype, shape × dtype size against
// the offsets, and that the tensors cover the data exactly (no gap, overlap or
// trailing byte — the format requires a fully indexed buffer). eq reads the
// dtypes F32, F64 and I32; the other safetensors dtypes are reported as
// unsupported.
#pragma once

#include <map>
#include <span>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "eq/runtime/tensor.hpp"

namespace eq {

struct SafetensorsFile {
  std::vector<std::pair<std::string, Tensor>> tensors;  // file order (by offset) on load
  std::map<std::string, std::string> metadata;          // "__metadata__"
  std::string path;  // where it was loaded from; prefixes check messages

  // The tensor called `name`, or nullptr.
  const Tensor* find(std::string_view name) const;
};

// The file's bytes. Throws eq::Error for a duplicate or reserved
// ("__metadata__") tensor name.
std::string encode_safetensors(const SafetensorsFile& file);
// Writes `file` to `path` atomically.
void save_safetensors(const std::string& path, const SafetensorsFile& file);

// Parses a whole file held in memory; `name` prefixes every message.
SafetensorsFile decode_safetensors(std::string_view bytes, const std::string& name);
SafetensorsFile load_safetensors(const std::string& path);

// What the model declares for one of its tensors.
struct TensorSpec {
  std::string name;
  DType dtype = DType::f32;
  Shape shape;
};

// Throws unless `file` holds `name` with this dtype and shape:
//   "W.safetensors: tensor 'W₁' has shape [64, 128] but the model declares [128, 64]"
//   "W.safetensors: no tensor 'W₂' (the model's parameters are W₁, W₂, b₁, b₂)"
// `declared` lists the model's parameter names for the second message.
void expect_tensor(const SafetensorsFile& file, std::string_view name, DType dtype,
                   const Shape& shape, std::span<const std::string> declared = {});
// expect_tensor for every spec, in order.
void expect_tensors(const SafetensorsFile& file, std::span<const TensorSpec> specs);

// "F32", "F64", "I32".
std::string_view safetensors_dtype_name(DType dtype);

}  // namespace eq
