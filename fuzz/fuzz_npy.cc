// libFuzzer target: the .npy reader (magic, version, the header's Python
// dict, dtype, shape against the data).
#include "eq/runtime/data.hpp"
#include "fuzz/fuzz_util.hpp"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  eq::fuzz::expect_only_user_errors([&] {
    eq::Tensor t = eq::decode_npy(eq::fuzz::bytes(data, size), "fuzz.npy");
    for (std::int64_t i = 0; i < t.numel(); i += 97) (void)t.at(i);
  });
  return 0;
}
