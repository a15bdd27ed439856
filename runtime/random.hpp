// Rng: eq's own seeded pseudo-random generator, so that `seed = 42` gives the
// same initial weights, the same shuffles and the same samples on every
// machine and with every standard library (std::normal_distribution and
// friends are not specified bit for bit, so we use none of them).
//
// The engine is xoshiro256** (Blackman & Vigna), its 256-bit state filled
// from the seed by the SplitMix64 sequence. On top of it: uniform doubles
// with 53 random bits, normals by Marsaglia's polar method, unbiased
// integers below n, and a Fisher–Yates shuffle. Every draw is integer or
// IEEE arithmetic except the polar method's one log(), whose last bit could
// in principle differ between libms; the number of engine draws it consumes
// never does, so the streams stay in step.
//
// The whole state (engine words plus the polar method's cached second
// normal) can be saved and restored, so `--resume` continues a run exactly.
#pragma once

#include <array>
#include <cstdint>
#include <span>
#include <string>
#include <string_view>

namespace eq {

class Rng {
 public:
  // `stream` picks an independent sequence for the same seed (e.g. one for
  // initialisation, one for shuffling) so that using one never shifts another.
  explicit Rng(std::uint64_t seed = 0, std::uint64_t stream = 0);

  std::uint64_t next_u64();  // 64 uniformly random bits
  double uniform();          // uniform in [0, 1), a multiple of 2⁻⁵³
  double uniform(double a, double b) { return a + (b - a) * uniform(); }  // in [a, b)
  double normal();                                                        // standard normal N(0, 1)
  double normal(double mean, double std) { return mean + std * normal(); }
  // Uniform in [0, n), without modulo bias; n must be > 0.
  std::uint64_t below(std::uint64_t n);
  // Uniformly random permutation in place (Fisher–Yates, last index first).
  void shuffle(std::span<std::int64_t> values);

  // The complete state as text ("xoshiro256**:" then six 16-digit hex words:
  // four engine words, the has-spare flag, the spare's bits), and back.
  // deserialize throws eq::Error on text it did not write.
  std::string serialize() const;
  void deserialize(std::string_view text);

  friend bool operator==(const Rng&, const Rng&) = default;

 private:
  std::array<std::uint64_t, 4> s_{};
  bool has_spare_ = false;  // the polar method makes normals in pairs
  double spare_ = 0;
};

}  // namespace eq
