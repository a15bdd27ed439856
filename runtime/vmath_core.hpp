// The one-element forms of eq's own exp, log, log1p, expm1, tanh, σ,
// softplus and elu, for float and double: branch-free C++ (selects, no calls, no
// tables, no float→int conversions) so that a plain loop over them
// vectorises, and so that the scalar kernels (scalar_math.hpp), the block
// functions (vmath.hpp) and the constant folder all compute the same bits.
//
// Method: exp reduces x = n·ln2 + r, |r| ≤ ~0.35 (Cody–Waite, ln2 split in a
// high part with trailing zeros so n·ln2_hi is exact), evaluates e^r - 1 by a
// polynomial and scales by 2^n built from exponent bits. log splits
// x = 2^e·m, m ∈ [√½, √2), and evaluates log m = 2·atanh(s), s = (m-1)/(m+1),
// with the f - (f²/2 - s(f²/2 + R)) arrangement that keeps log m accurate
// near 1. Polynomials are Chebyshev fits (mpmath chebyfit at 60 digits) of
// the smooth remainder functions named beside each table, of a degree whose
// fit error is below 1/50 ulp. Integer n is carried as a float holding an
// integer value ("add 1.5·2^mant" rounding), never converted to int, so NaN
// or ±inf inputs cannot invoke undefined behaviour.
//
// Accuracy (tests/runtime/vmath_test.cc measures it): within 2 ulp (float)
// and 4 ulp (double) of the correctly rounded result over the whole domain.
// Extremes: exp overflows to +inf and underflows to 0 through the
// subnormals (results there are rounded twice: ≤ 1 subnormal ulp, as are σ
// and softplus far below 0); log(0) = -inf, log(<0) = NaN, log(+inf) = +inf;
// σ(±1000) = 1 / 0, tanh(±1000) = ±1,
// softplus(1000) = 1000, softplus(-1000) = e^-1000 (0 in either type);
// NaN in → NaN out everywhere. Results do not depend on the instruction set:
// no operation here can be contracted into an FMA under our ISO C++ build
// (-ffp-contract=off is GCC's default without GNU extensions).
#pragma once

#include <bit>
#include <cstdint>
#include <limits>

namespace eq::vmath {

namespace core {

template <class T>
struct Consts;

template <>
struct Consts<float> {
  using U = std::uint32_t;
  static constexpr int mant = 23;
  static constexpr U bias = 127;
  static constexpr float round_magic = 0x1.8p23f;  // x + this rounds x to an integer
  static constexpr float ln2_hi = 0x1.62e4p-1f;    // 15 significant bits: n·ln2_hi exact
  static constexpr float ln2_lo = 1.428606820309417232e-06f;
  static constexpr float exp_lo = -104.0f;      // e^-104 < 2^-150: rounds to 0
  static constexpr float exp_hi = 88.8f;        // e^88.8 > FLT_MAX; r > 0 there
  static constexpr float expm1_lo = -30.0f;     // e^-30 < 2^-25: expm1 rounds to -1
  static constexpr float tanh_small = 0.5625f;  // below: odd polynomial
};

template <>
struct Consts<double> {
  using U = std::uint64_t;
  static constexpr int mant = 52;
  static constexpr U bias = 1023;
  static constexpr double round_magic = 0x1.8p52;
  static constexpr double ln2_hi = 0x1.62e42fee00000p-1;  // 32 significant bits
  static constexpr double ln2_lo = 1.908214929270587816144266e-10;
  static constexpr double exp_lo = -746.0;  // e^-746 < 2^-1075
  static constexpr double exp_hi = 710.0;   // e^710 > DBL_MAX; r > 0 there
  static constexpr double expm1_lo = -60.0;
  static constexpr double tanh_small = 0.5625;
};

// Horner evaluation of c[0] + c[1]·t + … (coefficients highest last),
// unrolled at compile time: a loop here would stop the caller's loop from
// vectorising ("control flow in loop").
template <class T, std::size_t N, std::size_t I = 0>
inline T horner(const T (&c)[N], T t) {
  if constexpr (I == N - 1)
    return c[I];
  else
    return horner<T, N, I + 1>(c, t) * t + c[I];
}

// (e^r - 1 - r) / r² on |r| ≤ 1.02·ln2/2.
template <class T>
struct ExpPoly;
template <>
struct ExpPoly<float> {
  static constexpr float c[] = {0.50000000151568124018f,   0.16666666683501193737f,
                                0.041666448365716592297f,  0.0083333090865152563161f,
                                0.0013935451843874688739f, 0.00019892991763014593422f};
};
template <>
struct ExpPoly<double> {
  static constexpr double c[] = {0.5,
                                 0.16666666666666671933,
                                 0.041666666666666670427,
                                 0.0083333333333249057068,
                                 0.0013888888888882870364,
                                 0.00019841269879033043828,
                                 0.000024801587328555859122,
                                 2.7557250163029179928e-6,
                                 2.7557269903215792866e-7,
                                 2.5107353767261877357e-8,
                                 2.0916212837493853322e-9};
};

// (log((1+s)/(1-s)) - 2s) / s³ as a function of z = s², z ≤ 1.01·(3 - 2√2)².
template <class T>
struct LogPoly;
template <>
struct LogPoly<float> {
  static constexpr float c[] = {0.6666666654988317655f, 0.40000125594554367087f,
                                0.28550396959618013579f, 0.23341943388714560866f};
};
template <>
struct LogPoly<double> {
  static constexpr double c[] = {0.66666666666666666448, 0.40000000000000941266,
                                 0.28571428570764450117, 0.22222222400547757297,
                                 0.18181794700897799585, 0.15386290534658991988,
                                 0.13267418596474883398, 0.13100721383503491392};
};

// (tanh(x)/x - 1) / x² as a function of z = x², z ≤ 0.5625².
template <class T>
struct TanhPoly;
template <>
struct TanhPoly<float> {
  static constexpr float c[] = {-0.3333333328393826294f,    0.13333322073191580856f,
                                -0.053964063826477348267f,  0.021811902608433443259f,
                                -0.0084992478287950852562f, 0.002487614648031548315f};
};
template <>
struct TanhPoly<double> {
  static constexpr double c[] = {
      -0.33333333333333333296,    0.13333333333333299517,      -0.053968253968202909387,
      0.021869488533130331948,    -0.0088632354371203770329,   0.0035921263528222338178,
      -0.001455814943624965443,   0.00058987881875023410623,   -0.00023836459039376215278,
      0.000094277788283195029801, -0.000033330620139971521292, 7.6344141851187133225e-6};
};

// k rounded to the nearest integer (ties to even), for |k| < 2^(mant-1).
template <class T>
inline T round_int(T k) {
  return (k + Consts<T>::round_magic) - Consts<T>::round_magic;
}

// 2^k for an integer-valued k with a normal result (|k| ≤ bias - 1): the
// integer sits in the low mantissa bits of k + 1.5·2^mant; shifting it into
// the exponent field drops the magic's own bits.
template <class T>
inline T pow2i(T k) {
  using C = Consts<T>;
  using U = typename C::U;
  U bits = std::bit_cast<U>(k + C::round_magic);
  return std::bit_cast<T>(static_cast<U>((bits + C::bias) << C::mant));
}

// x = n·ln2 + r with n integer-valued and |r| ≤ ~0.35; x already clamped.
template <class T>
struct Reduced {
  T n, r;
};
template <class T>
inline Reduced<T> reduce(T x) {
  using C = Consts<T>;
  T n = round_int(x * T(1.4426950408889634074));
  T r = (x - n * C::ln2_hi) - n * C::ln2_lo;
  return {n, r};
}

// e^r - 1 for |r| ≤ ~0.35, with the leading r exact.
template <class T>
inline T expm1_poly(T r) {
  return r + (r * r) * horner(ExpPoly<T>::c, r);
}

// log x for x > 0 finite (subnormals included); other inputs give garbage,
// which log_one replaces.
template <class T>
inline T log_positive(T x) {
  using C = Consts<T>;
  using U = typename C::U;
  constexpr T min_normal = std::numeric_limits<T>::min();
  constexpr T two_mant = T(C::round_magic / T(1.5));  // 2^mant
  constexpr U offset = std::bit_cast<U>(T(1)) - std::bit_cast<U>(T(0.70710678118654752440));
  bool sub = x < min_normal;
  T xs = sub ? x * two_mant : x;
  T e_adj = sub ? T(-C::mant) : T(0);
  U b = std::bit_cast<U>(xs);
  U eb = static_cast<U>(b + offset) >> C::mant;  // bias + e, x = 2^e·m, m ∈ [√½, √2)
  T m = std::bit_cast<T>(static_cast<U>(b - (eb << C::mant) + (C::bias << C::mant)));
  // eb as a float without an int conversion: 2^mant + eb, minus 2^mant.
  T e = (std::bit_cast<T>(static_cast<U>(eb | std::bit_cast<U>(two_mant))) - two_mant) -
        T(C::bias) + e_adj;
  T f = m - T(1);  // exact (Sterbenz)
  T s = f / (T(2) + f);
  T z = s * s;
  T big_r = z * horner(LogPoly<T>::c, z);
  T hfsq = T(0.5) * f * f;
  T log_m = f - (hfsq - s * (hfsq + big_r));
  return e * C::ln2_hi + (log_m + e * C::ln2_lo);
}

}  // namespace core

template <class T>
inline T exp_one(T x) {
  using C = core::Consts<T>;
  x = x < C::exp_lo ? C::exp_lo : x;  // NaN passes both clamps
  x = x > C::exp_hi ? C::exp_hi : x;
  auto [n, r] = core::reduce(x);
  T p = T(1) + core::expm1_poly(r);
  // 2^n in two halves: n ∈ [-1076, 1024] reaches beyond the normal exponents.
  T n1 = core::round_int(n * T(0.5));
  return p * core::pow2i(n1) * core::pow2i(n - n1);
}

template <class T>
inline T expm1_one(T x) {
  using C = core::Consts<T>;
  x = x < C::expm1_lo ? C::expm1_lo : x;
  x = x > C::exp_hi ? C::exp_hi : x;
  auto [n, r] = core::reduce(x);
  T pm1 = core::expm1_poly(r);
  // Small n: 2^n·(e^r - 1) + (2^n - 1), both exact scalings but the last sum.
  // Beyond mant + 1 the -1 no longer shows: e^x, scaled in two halves so that
  // 2^128 (float) is never formed.
  constexpr T cut = T(C::mant + 2);
  T s = core::pow2i(n < cut ? n : cut);
  T small = pm1 * s + (s - T(1));
  T n1 = core::round_int(n * T(0.5));
  T large = (T(1) + pm1) * core::pow2i(n1) * core::pow2i(n - n1);
  return n < cut ? small : large;  // NaN: n < cut is false, large is NaN
}

template <class T>
inline T log_one(T x) {
  T y = core::log_positive(x);
  y = x > T(0)
          ? y
          : (x == T(0) ? -std::numeric_limits<T>::infinity() : std::numeric_limits<T>::quiet_NaN());
  return x < std::numeric_limits<T>::infinity() ? y : x;  // +inf → inf, NaN → NaN
}

// log(1 + x) = log u + c/u with u = 1 + x rounded and c = (1 + x) - u its
// rounding error (exact, Fast2Sum), so tiny x give x, not 0.
template <class T>
inline T log1p_one(T x) {
  T u = T(1) + x;
  T c = x < T(1) ? x - (u - T(1)) : T(1) - (u - x);
  T y = log_one(u);
  bool finite_pos = (u > T(0)) & (u < std::numeric_limits<T>::infinity());
  y = finite_pos ? y + c / u : y;
  return x == T(0) ? x : y;  // keeps the sign of -0
}

// tanh x: x + x·z·P(z) for |x| < 0.5625, else ±(1 - 2/(e^{2|x|} + 1)),
// which is exactly ±1 once e^{2|x|} is huge or +inf.
template <class T>
inline T tanh_one(T x) {
  using C = core::Consts<T>;
  T a = x < T(0) ? -x : x;
  T z = x * x;
  T small = x + x * (z * core::horner(core::TanhPoly<T>::c, z));
  small = x == T(0) ? x : small;  // tanh(-0) = -0
  T big = T(1) - T(2) / (exp_one(a + a) + T(1));
  big = x < T(0) ? -big : big;
  return a < C::tanh_small ? small : big;  // NaN: a < … false, big is NaN
}

// σ(x) = 1/(1 + e^-x) for x ≥ 0 and e^x/(1 + e^x) below, both with
// e = e^-|x| ≤ 1: nothing overflows (σ(-1000) = 0/1, σ(1000) = 1/1), and for
// x ≪ 0 the error is that of e alone, not of 1/(1 + huge) rounded twice.
// The rounding error c of d = 1 + e (exact: Fast2Sum) is put back to first
// order, num/(d + c) ≈ q - q·c/d, which keeps float within 2 ulp.
template <class T>
inline T sigmoid_one(T x) {
  T e = exp_one(x < T(0) ? x : -x);
  T num = x < T(0) ? e : T(1);  // NaN: e is NaN, so is the quotient
  T d = T(1) + e;
  T c = e - (d - T(1));
  T q = num / d;
  return q - q * (c / d);
}

// softplus(x) = max(x, 0) + log1p(e^-|x|): e^-|x| ≤ 1 never overflows.
template <class T>
inline T softplus_one(T x) {
  T pos = x < T(0) ? T(0) : x;  // NaN stays NaN
  T a = x < T(0) ? -x : x;
  return pos + log1p_one(exp_one(-a));
}

// elu(x) = x above 0, e^x - 1 below (α = 1); elu′(x) = 1 above 0, e^x below.
template <class T>
inline T elu_one(T x) {
  return x > T(0) ? x : expm1_one(x);
}  // NaN: expm1
template <class T>
inline T elu_grad_one(T x) {
  return x > T(0) ? T(1) : exp_one(x);
}

}  // namespace eq::vmath
