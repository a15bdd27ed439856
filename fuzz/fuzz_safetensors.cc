// libFuzzer target: the safetensors reader (header JSON, entries, offsets,
// tiling) and then what eqc reads from a file's metadata (the saved model:
// source, dims, labels, scaling, vocabulary, training position).
#include "eq/runtime/safetensors.hpp"
#include "eq/train/checkpoint.hpp"
#include "fuzz/fuzz_util.hpp"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  eq::fuzz::expect_only_user_errors([&] {
    eq::SafetensorsFile file = eq::decode_safetensors(eq::fuzz::bytes(data, size), "fuzz");
    // Every tensor read back is whole: touching its bytes is a read ASan checks.
    for (const auto& [name, t] : file.tensors)
      for (std::int64_t i = 0; i < t.numel(); i += 97) (void)t.at(i);
    (void)eq::decode_metadata(file.metadata, "fuzz");
  });
  return 0;
}
