// Parameter initialisers (docs/language.md §4, `param W : [H, 4] ~ glorot`).
//
// An Initializer is a small value (kind + up to two numbers) built by the
// factories in eq::init; initialize() fills an f32 or f64 tensor from an Rng,
// so the same seed gives the same weights everywhere.
//
// Fans. A weight of shape [out, in] is used as W·x, so
//   fan_in = shape[1], fan_out = shape[0];
// for rank 3 and 4 both are multiplied by the product of the trailing axes
// (shape[2] · shape[3], PyTorch's "receptive field" convention). A vector [n]
// (a bias, a gain) has fan_in = fan_out = n; a scalar has fan_in = fan_out = 1.
//
//   constant(c)      every element c
//   normal(μ, σ)     N(μ, σ²)
//   uniform(a, b)    U[a, b)
//   glorot           U[-r, r), r = √(6 / (fan_in + fan_out))   (Glorot & Bengio 2010)
//   glorot_normal    N(0, σ²), σ = √(2 / (fan_in + fan_out))   (untruncated)
//   he               N(0, σ²), σ = √(2 / fan_in)               (Kaiming normal, fan-in mode)
//   orthogonal       the Q of a QR factorisation of a Gaussian matrix, columns
//                    multiplied by the signs of R's diagonal so that Q is
//                    uniform (Haar) over orthogonal matrices (Mezzadri 2007).
//                    The tensor is viewed as [shape[0], numel / shape[0]]:
//                    tall matrices get orthonormal columns (WᵀW = I), wide ones
//                    orthonormal rows (W·Wᵀ = I). A vector [n] is one row (a
//                    random unit vector); a scalar is ±1.
#pragma once

#include <cstdint>
#include <string>

#include "eq/runtime/random.hpp"
#include "eq/runtime/tensor.hpp"

namespace eq {

struct Initializer {
  enum class Kind : std::uint8_t {
    constant,
    normal,
    uniform,
    glorot,
    glorot_normal,
    he,
    orthogonal
  };
  Kind kind = Kind::constant;
  // constant: a is the value; normal: a = μ, b = σ; uniform: a, b the bounds.
  double a = 0;
  double b = 0;

  // The source form: "0", "-0.5", "normal(0, 0.01)", "uniform(-1, 1)", "glorot", "he", ...
  std::string describe() const;
  friend bool operator==(const Initializer&, const Initializer&) = default;
};

namespace init {
Initializer constant(double value);
Initializer normal(double mean, double std);  // throws eq::Error unless std ≥ 0, both finite
Initializer uniform(double a, double b);      // throws eq::Error unless a ≤ b, both finite
Initializer glorot();
Initializer glorot_normal();
Initializer he();
Initializer orthogonal();
}  // namespace init

struct Fans {
  std::int64_t in = 1;
  std::int64_t out = 1;
};
Fans fans_of(const Shape& shape);  // the convention in the header comment

// Fills `dst` (f32 or f64; i32 throws eq::Error) with fresh values drawn
// from `rng`. The values are computed in double and rounded to the dtype, so
// an f32 and an f64 tensor initialised from equal Rngs hold the same numbers
// up to rounding. An empty tensor consumes no draws.
void initialize(const Initializer& init, View dst, Rng& rng);
inline void initialize(const Initializer& init, Tensor& dst, Rng& rng) {
  initialize(init, dst.view(), rng);
}

}  // namespace eq
