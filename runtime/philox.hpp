// Philox4x32-10: the counter-based generator of Salmon, Moraes, Dror and
// Shaw ("Parallel random numbers: as easy as 1, 2, 3", SC 2011), written
// from the paper. A counter-based generator is a keyed bijection of a
// 128-bit counter: the numbers for a given counter need no state and no
// earlier draws, so any element of a noise tensor can be computed alone —
// by any thread, in any batch, in a resumed run. (xoshiro256**, our Rng,
// is sequential: element 1000 needs the 999 before it.) Philox4x32-10
// passes BigCrush with a wide margin and costs 20 32×32→64 multiplies per
// 128 bits. The known-answer vectors of Random123 are checked in
// tests/runtime/kernels_random_test.cc.
//
// How eq uses it (kernels::random_normal and friends): the key is a hash of
// (seed, stream, step) and the counter is (element j, example row r low,
// r high, attempt), so the draw for (seed, stream, step, r, j) is fixed.
#pragma once

#include <array>
#include <cstdint>

namespace eq::philox {

using Counter = std::array<std::uint32_t, 4>;
using Key = std::array<std::uint32_t, 2>;

inline Counter philox4x32_10(Counter c, Key k) {
  constexpr std::uint32_t m0 = 0xD2511F53, m1 = 0xCD9E8D57;  // the round multipliers
  constexpr std::uint32_t w0 = 0x9E3779B9, w1 = 0xBB67AE85;  // the key schedule (Weyl)
  for (int round = 0; round < 10; ++round) {
    if (round > 0) {
      k[0] += w0;
      k[1] += w1;
    }
    const std::uint64_t p0 = std::uint64_t{m0} * c[0], p1 = std::uint64_t{m1} * c[2];
    c = {static_cast<std::uint32_t>(p1 >> 32) ^ c[1] ^ k[0], static_cast<std::uint32_t>(p1),
         static_cast<std::uint32_t>(p0 >> 32) ^ c[3] ^ k[1], static_cast<std::uint32_t>(p0)};
  }
  return c;
}

// SplitMix64's output function: a bijection of 64-bit words that mixes
// every input bit into every output bit.
inline std::uint64_t mix64(std::uint64_t z) {
  z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
  z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
  return z ^ (z >> 31);
}

// The key of one noise value at one step. Each stage is a bijection in the
// word it adds, so different steps (or streams) of one seed never share a
// key; the golden-ratio offsets keep (0, 0, 0) away from key 0.
inline Key noise_key(std::uint64_t seed, std::uint64_t stream, std::uint64_t step) {
  constexpr std::uint64_t g = 0x9e3779b97f4a7c15ULL;
  const std::uint64_t h = mix64(mix64(mix64(seed + g) ^ (stream + 2 * g)) ^ (step + 3 * g));
  return {static_cast<std::uint32_t>(h), static_cast<std::uint32_t>(h >> 32)};
}

// A double in [0, 1) from two words: the top 53 of their 64 bits, × 2⁻⁵³.
inline double unit(std::uint32_t lo, std::uint32_t hi) {
  return static_cast<double>((std::uint64_t{hi} << 32 | lo) >> 11) * 0x1.0p-53;
}

}  // namespace eq::philox
