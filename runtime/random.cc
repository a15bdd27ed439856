#include "eq/runtime/random.hpp"

#include <bit>
#include <cmath>
#include <cstdio>
#include <utility>

#include "eq/runtime/error.hpp"

namespace eq {

namespace {

// One step of SplitMix64: advances `x` by the golden-ratio increment and
// returns a well-mixed function of it. Used only to expand a seed, because
// xoshiro must not start from (nearly) all-zero state.
std::uint64_t splitmix64(std::uint64_t& x) {
  x += 0x9e3779b97f4a7c15ULL;
  std::uint64_t z = x;
  z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
  z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
  return z ^ (z >> 31);
}

}  // namespace

Rng::Rng(std::uint64_t seed, std::uint64_t stream) {
  // The stream number is mixed before it meets the seed, so (seed, stream)
  // pairs that differ in either start far apart in SplitMix's sequence.
  std::uint64_t mixed_stream = stream;
  std::uint64_t x = seed ^ (stream == 0 ? 0 : splitmix64(mixed_stream));
  for (std::uint64_t& word : s_) word = splitmix64(x);
}

std::uint64_t Rng::next_u64() {
  const std::uint64_t result = std::rotl(s_[1] * 5, 7) * 9;
  const std::uint64_t t = s_[1] << 17;
  s_[2] ^= s_[0];
  s_[3] ^= s_[1];
  s_[1] ^= s_[2];
  s_[0] ^= s_[3];
  s_[2] ^= t;
  s_[3] = std::rotl(s_[3], 45);
  return result;
}

double Rng::uniform() {
  // The top 53 bits (the engine's best) scaled by 2⁻⁵³: exact, never 1.
  return static_cast<double>(next_u64() >> 11) * 0x1.0p-53;
}

double Rng::normal() {
  if (has_spare_) {
    has_spare_ = false;
    return spare_;
  }
  // Marsaglia's polar method: a point uniform in the unit disc gives two
  // independent normals with one log and one sqrt (no sin/cos, whose
  // results vary more between libms than log's).
  double u, v, s;
  do {
    u = 2 * uniform() - 1;
    v = 2 * uniform() - 1;
    s = u * u + v * v;
  } while (s >= 1 || s == 0);
  const double f = std::sqrt(-2 * std::log(s) / s);
  spare_ = v * f;
  has_spare_ = true;
  return u * f;
}

std::uint64_t Rng::below(std::uint64_t n) {
  EQ_ASSERT(n > 0, "Rng::below(0)");
  // Reject the lowest (2⁶⁴ mod n) values so every residue is equally likely.
  const std::uint64_t threshold = (0 - n) % n;
  for (;;) {
    const std::uint64_t r = next_u64();
    if (r >= threshold) return r % n;
  }
}

void Rng::shuffle(std::span<std::int64_t> values) {
  for (std::size_t i = values.size(); i > 1; --i) {
    const std::size_t j = static_cast<std::size_t>(below(i));
    std::swap(values[i - 1], values[j]);
  }
}

namespace {
constexpr std::string_view kTag = "xoshiro256**:";
}

std::string Rng::serialize() const {
  std::string text(kTag);
  char word[17];
  auto put = [&](std::uint64_t w) {
    std::snprintf(word, sizeof word, "%016llx", static_cast<unsigned long long>(w));
    text += word;
  };
  for (std::uint64_t w : s_) put(w);
  put(has_spare_ ? 1 : 0);
  put(std::bit_cast<std::uint64_t>(spare_));
  return text;
}

void Rng::deserialize(std::string_view text) {
  const auto bad = [&] {
    return Error("not a saved random-generator state: \"" + std::string(text.substr(0, 40)) +
                 (text.size() > 40 ? "...\"" : "\""));
  };
  if (text.size() != kTag.size() + 6 * 16 || text.substr(0, kTag.size()) != kTag) throw bad();
  std::uint64_t words[6];
  for (int k = 0; k < 6; ++k) {
    std::uint64_t w = 0;
    for (char c : text.substr(kTag.size() + 16 * static_cast<std::size_t>(k), 16)) {
      int digit;
      if (c >= '0' && c <= '9')
        digit = c - '0';
      else if (c >= 'a' && c <= 'f')
        digit = c - 'a' + 10;
      else
        throw bad();
      w = w << 4 | static_cast<std::uint64_t>(digit);
    }
    words[k] = w;
  }
  if (words[4] > 1 || (words[0] | words[1] | words[2] | words[3]) == 0) throw bad();
  for (int k = 0; k < 4; ++k) s_[static_cast<std::size_t>(k)] = words[k];
  has_spare_ = words[4] == 1;
  spare_ = std::bit_cast<double>(words[5]);
}

}  // namespace eq
