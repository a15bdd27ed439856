// Noise kernels: normal and uniform draws and dropout masks, each element a
// pure function of (seed, stream, step, example row, element) through
// Philox4x32-10 (runtime/philox.hpp). Rows are split over the thread pool
// when there are many; the split cannot change a single bit.
//
// Normal draws use Marsaglia's polar method on the counter's own numbers:
// attempt a of element j uses counter (j, r, a), two uniforms from its 128
// bits; a point outside the unit disc (21 % of attempts) moves on to a + 1.
// Only integer and IEEE arithmetic plus our own log (vmath, the same bits on
// every machine) are involved, so the numbers do not depend on the libm.
#include <algorithm>
#include <cmath>
#include <string>

#include "eq/runtime/kernels.hpp"
#include "eq/runtime/kernels_detail.hpp"
#include "eq/runtime/parallel.hpp"
#include "eq/runtime/philox.hpp"
#include "eq/runtime/vmath_core.hpp"

namespace eq::kernels {

namespace {

// The draws of one element: counter (j, r, attempt).
struct Element {
  philox::Key key;
  std::uint32_t j, r_lo, r_hi;
  philox::Counter block(std::uint32_t attempt) const {
    return philox::philox4x32_10({j, r_lo, r_hi, attempt}, key);
  }
  double uniform() const {
    const philox::Counter w = block(0);
    return philox::unit(w[0], w[1]);
  }
  double normal() const {
    // 64 attempts all outside the disc: probability 0.215⁶⁴ ≈ 10⁻⁴³.
    for (std::uint32_t a = 0; a < 64; ++a) {
      const philox::Counter w = block(a);
      const double u = 2 * philox::unit(w[0], w[1]) - 1, v = 2 * philox::unit(w[2], w[3]) - 1;
      const double s = u * u + v * v;
      if (s > 0 && s < 1) return u * std::sqrt(-2 * vmath::log_one(s) / s);
    }
    return 0;
  }
};

// Calls draw(Element) for every element of out (rows along axis 0) and
// stores the result, converted to out's dtype.
template <class Draw>
void fill_noise(const NoiseKey& key, View out, std::string_view what, Draw draw) {
  detail::require_float(out.dtype, what);
  const std::int64_t rows = out.shape.rank() == 0 ? 1 : out.shape[0];
  const std::int64_t width = rows == 0 ? 0 : out.numel() / rows;
  if (width > 0xffffffffLL)
    throw Error(std::string(what) + ": " + out.shape.str() + " has more than 2³² elements per row");
  const philox::Key k = philox::noise_key(key.seed, key.stream, key.step);
  detail::dispatch_float(out.dtype, [&](auto tag) {
    using T = decltype(tag);
    T* o = out.as<T>();
    constexpr std::int64_t kGrain = 1 << 14;  // elements per chunk at least
    runtime::parallel_for(
        rows, std::max<std::int64_t>(1, kGrain / std::max<std::int64_t>(width, 1)),
        [&](std::int64_t lo, std::int64_t hi) {
          for (std::int64_t i = lo; i < hi; ++i) {
            const auto r = static_cast<std::uint64_t>(key.first_row + i);
            Element e{k, 0, static_cast<std::uint32_t>(r), static_cast<std::uint32_t>(r >> 32)};
            for (std::int64_t j = 0; j < width; ++j) {
              e.j = static_cast<std::uint32_t>(j);
              o[i * width + j] = static_cast<T>(draw(e));
            }
          }
        });
  });
}

}  // namespace

void random_normal(const NoiseKey& key, double mean, double stddev, View out) {
  fill_noise(key, out, "random_normal",
             [&](const Element& e) { return mean + stddev * e.normal(); });
}

void random_uniform(const NoiseKey& key, double lo, double hi, View out) {
  fill_noise(key, out, "random_uniform",
             [&](const Element& e) { return lo + (hi - lo) * e.uniform(); });
}

void dropout_mask(const NoiseKey& key, double p, View out) {
  if (!(p >= 0 && p < 1))
    throw Error("dropout: the drop probability must be in [0, 1); got " + std::to_string(p));
  const double scale = 1 / (1 - p);
  fill_noise(key, out, "dropout", [&](const Element& e) { return e.uniform() >= p ? scale : 0.0; });
}

}  // namespace eq::kernels
