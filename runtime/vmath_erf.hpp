// The one-element forms of erf, gelu and gelu′ (the erf form, x·Φ(x)) for
// float and double: branch-free C++ like vmath_core.hpp, so loops over them
// vectorise and every caller (kernels, fused loops, constant folder)
// computes the same bits.
//
// Method. All three rest on erfcx(t) = e^{t²}·erfc(t) for 0 ≤ t ≤ t_max,
// which is smooth and slowly varying (1 at 0, ~1/(t√π) far out):
//   erfc(t) = e^{-t²}·erfcx(t),   Φ(-|x|) = ½·e^{-x²/2}·erfcx(|x|/√2).
// The factor e^{-t²} is taken with t² split exactly into hi + lo (Dekker),
// e^{-hi}·(1 - lo): t² rounded would cost up to t²·2^-53 relative, i.e. a
// few hundred ulp of Φ at x = -38. erfcx is a polynomial in a Möbius
// variable of t, in two pieces split at t = k = 2:
//   t < k:  H(u), u = t/(t + k) ∈ [0, ½)   (centred at ¼);
//   t ≥ k:  H(w), w = k/(t + k) ∈ (0, ½]
// with H = (t + k)·erfcx(t) and erfcx = H·(1 - u)/k = H·w/k. Each variable
// is 0 where the other piece is ½ and keeps t's relative precision at its
// own end; the Möbius map makes erfcx a short polynomial all the way out to
// t_max (on a plain t or 1/t axis its growth in the left half-plane, or the
// essential singularity at ∞, needs degrees of 30 and more). t + k is
// carried as a double-word sum so that u and w are rounded once.
// erf(x) for |x| < 0.875 is x + x·Q(x²) instead: 1 - erfc cancels there.
//
// The coefficients are weighted least-squares fits on Chebyshev nodes at 50
// digits (mpmath), each coefficient rounded to float / double before the
// rest were refitted, so the rounded set fits as a whole
// (scripts/fit_erf.py prints them). Fit errors are below 1/10 ulp.
//
// Accuracy, measured (tests/runtime/vmath_test.cc sweeps every 1009th float
// and 600 000 doubles; denser one-off scans in parentheses): erf within
// 2 ulp in float and double (1.4 on every 2nd float below 15 and 20 M
// doubles); gelu within 7 ulp (6.4 on every 3rd float, 6.6 on 30 M doubles
// in [-9, 1]): its error gathers below x ≈ -1, where Φ = c·e collects the
// error of erfcx (≤ 2.8 ulp, worst where the two pieces meet), of e^{-x²/2}
// and of three products; from -1 up it is within 4. gelu′ = Φ(x) + x·φ(x)
// has the same parts; its zero at x ≈ -0.75 makes relative error
// meaningless there, so it is checked against 4e-7 (float) / 1e-15
// (double) absolute + relative. Extremes: erf(±∞) = ±1, gelu(+∞) = +∞,
// gelu(-∞) = -0, gelu′(+∞) = 1, gelu′(-∞) = 0, NaN in → NaN out.
#pragma once

#include "eq/runtime/vmath_core.hpp"

// The helpers below are big once unrolled; a call left in a block loop
// stops it vectorising, so they are forced inline.
#define EQ_VMATH_INLINE [[gnu::always_inline]] inline

namespace eq::vmath {

namespace core {

template <class T>
struct ErfConsts;

template <>
struct ErfConsts<float> {
  static constexpr float t_max = 10.5f;   // Φ(-10.5·√2) < 2^-150: gelu is 0 beyond
  static constexpr float erf_one = 4.0f;  // erfc(4) < 2^-25: erf rounds to 1
  static constexpr float erf_small = 0.875f;
  static constexpr float split = 4097.0f;  // 2^12 + 1: Dekker's splitter
  // H(u + ¼) on u + ¼ ∈ [0, ½], t ∈ [0, 2].
  static constexpr float lower[] = {
      1.43809175491333f,      -1.9636303186416626f,  1.1877540349960327f,  0.11452792584896088f,
      -0.40205296874046326f,  -0.09918007254600525f, 0.14679676294326782f, 0.10638204216957092f,
      -0.022877026349306107f, -0.05347466468811035f};
  // H(w) on w ∈ [2/12.5, ½], t ∈ [2, 10.5].
  static constexpr float upper[] = {
      0.5641902089118958f, 0.5641660094261169f,   0.4940602779388428f, 0.3487626910209656f,
      0.1918714940547943f, -0.11271809041500092f, 0.1869218647480011f, -0.6785480976104736f,
      0.640130877494812f,  -0.1999107450246811f};
  // Q(z) = erf(√z)/√z - 1 on z ∈ [0, 0.875²].
  static constexpr float small[] = {
      0.12837916612625122f,   -0.37612631916999817f,   0.11283683776855469f,  -0.02685924619436264f,
      0.0052014850080013275f, -0.0008154955576173961f, 8.446502761216834e-05f};
};

template <>
struct ErfConsts<double> {
  static constexpr double t_max = 27.5;   // Φ(-27.5·√2) < 2^-1075
  static constexpr double erf_one = 6.0;  // erfc(6) < 2^-54
  static constexpr double erf_small = 0.875;
  static constexpr double split = 134217729.0;  // 2^27 + 1
  static constexpr double lower[] = {
      1.4380917544816005,    -1.9636303348692123,   1.1877540514799982,     0.11453037981236079,
      -0.4020494344936071,   -0.09929756409697134,  0.1465568000944477,     0.10864953679093006,
      -0.017732114022782224, -0.0695132481500683,   -0.038102391030854846,  0.011985877381080999,
      0.03312200715429798,   0.02137455442618135,   -0.0017480553441478592, -0.014879679105247241,
      -0.014105140495006224, -0.011999271287453725, 0.004022292328370917,   0.033727243965014704};
  static constexpr double upper[] = {
      0.5641895835479493,     0.5641895835271834,    0.4936658866110529,   0.35261845966728655,
      0.167494395328551,      -0.008824516953638402, -0.11339872049223482, -0.10773809232801065,
      -0.0020142943617484626, 0.07132194711428318,   0.21440466169709352,  -0.3085935411418257,
      0.3288403426217948,     -0.22544495233328543,  -2.1138024808622897,  7.463243484522503,
      -11.469685071890439,    9.753111855351538,     -4.534728264263319,   0.9119712061142995};
  static constexpr double small[] = {
      0.1283791670955126,     -0.3761263890318392,     0.11283791670961808,
      -0.026866170646364103,  0.005223977638181232,    -0.000854832783741713,
      0.00012055366962572921, -1.4926603599758707e-05, 1.6480208765623537e-06,
      -1.659482203743365e-07, 1.6651749003031334e-08,  -2.0764594435076954e-09,
      2.544816174299368e-10};
};

// Horner over a[] where `pick_a`, else b[] (equal lengths): one polynomial
// evaluation whose coefficients are selected per element, which vectorises
// as blends; unrolled at compile time as horner() is.
template <class T, std::size_t N, std::size_t I = 0>
EQ_VMATH_INLINE T horner_pick(bool pick_a, const T (&a)[N], const T (&b)[N], T x) {
  const T c = pick_a ? a[I] : b[I];
  if constexpr (I == N - 1)
    return c;
  else
    return horner_pick<T, N, I + 1>(pick_a, a, b, x) * x + c;
}

// x² = hi + lo exactly, for |x| well below sqrt(max) / split (Dekker).
template <class T>
struct Square {
  T hi, lo;
};
template <class T>
EQ_VMATH_INLINE Square<T> exact_square(T x) {
  const T c = x * ErfConsts<T>::split;
  const T xh = c - (c - x), xl = x - xh;
  const T hi = x * x;
  return {hi, ((xh * xh - hi) + T(2) * xh * xl) + xl * xl};
}

// erfcx(t) = e^{t²}·erfc(t) for 0 ≤ t ≤ t_max (see the file comment).
template <class T>
EQ_VMATH_INLINE T erfcx(T t) {
  constexpr T k = 2;
  const bool lower = t < k;
  const T s = t + k;
  const T s_lo = lower ? (k - s) + t : (t - s) + k;  // Fast2Sum: s + s_lo = t + k
  const T d = (lower ? t : k) / s;
  // d·(1 - s_lo/s) with 1/s ≈ (1 - d)/k (lower) or d/k (upper); the
  // correction is ~2^-mant, so an approximate 1/s suffices.
  const T v = d - d * (s_lo * ((lower ? T(1) - d : d) * T(1 / k)));
  const T h = horner_pick(lower, ErfConsts<T>::lower, ErfConsts<T>::upper, lower ? v - T(0.25) : v);
  return h * ((lower ? T(1) - v : v) * T(1 / k));
}

// The parts of Φ(-|x|) = ½·e^{-x²/2}·erfcx(|x|/√2) = c·e, for |x| clamped
// to t_max·√2, where e^{-x²/2} = e (Dekker's split) and c = ½·erfcx(…).
template <class T>
struct Tail {
  T c, e;
};
template <class T>
EQ_VMATH_INLINE Tail<T> normal_tail(T a) {
  const Square<T> sq = exact_square(a);
  const T c = erfcx(a * T(0.70710678118654752440)) * T(0.5);
  return {c, exp_one(T(-0.5) * sq.hi) * (T(1) - T(0.5) * sq.lo)};
}

template <class T>
inline constexpr T gelu_cut = ErfConsts<T>::t_max* T(1.4142135623730950488);

}  // namespace core

template <class T>
EQ_VMATH_INLINE T erf_one(T x) {
  using C = core::ErfConsts<T>;
  const T a = x < T(0) ? -x : x;
  const T small = x + x * core::horner(C::small, x * x);
  const T ac = a > C::erf_one ? C::erf_one : a;  // NaN passes
  const core::Square<T> sq = core::exact_square(ac);
  const T erfc = (core::erfcx(ac) * (T(1) - sq.lo)) * exp_one(-sq.hi);
  T large = T(1) - erfc;
  large = x < T(0) ? -large : large;
  return a < C::erf_small ? small : large;  // NaN: large is NaN
}

// gelu(x) = x·Φ(x): x·c·e below 0 (no cancellation: Φ is formed directly),
// x·(1 - c·e) above.
template <class T>
EQ_VMATH_INLINE T gelu_one(T x) {
  constexpr T cut = core::gelu_cut<T>;
  const T a = x < T(0) ? -x : x;
  const core::Tail<T> p = core::normal_tail(a > cut ? cut : a);
  const T r = x < T(0) ? (x * p.c) * p.e : x * (T(1) - p.c * p.e);
  const T far = x < T(0) ? T(-0.0) : x;  // gelu(-∞) = -0, not -∞·0
  return a > cut ? far : r;
}

// gelu′(x) = Φ(x) + x·φ(x), φ(x) = e^{-x²/2}/√(2π).
template <class T>
EQ_VMATH_INLINE T gelu_grad_one(T x) {
  constexpr T cut = core::gelu_cut<T>;
  constexpr T inv_sqrt_2pi = T(0.39894228040143267794);
  const T a = x < T(0) ? -x : x;
  const core::Tail<T> p = core::normal_tail(a > cut ? cut : a);
  const T slope = x * inv_sqrt_2pi;
  const T r = x < T(0) ? p.e * (p.c + slope) : T(1) + p.e * (slope - p.c);
  const T far = x < T(0) ? T(0) : T(1);
  return a > cut ? far : r;
}

}  // namespace eq::vmath
