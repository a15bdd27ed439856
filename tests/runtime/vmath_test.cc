// vmath: ulp error of every block function against libm, evaluated one
// precision up (double libm for float, long double libm for double), over a
// dense sweep of float bit patterns and random double bit patterns; the
// documented extremes; NaN / inf; in-place calls; and bit-identity of the
// block functions with the one-element forms and with kernels::unary.
#include <catch2/catch.hpp>

#include <algorithm>
#include <bit>
#include <cmath>
#include <cstdint>
#include <functional>
#include <limits>
#include <random>
#include <sstream>
#include <string>
#include <vector>

#include "runtime/kernels.hpp"
#include "runtime/vmath.hpp"
#include "runtime/vmath_core.hpp"

namespace {

using LD = long double;
using Block32 = void (*)(const float*, float*, std::int64_t);
using Block64 = void (*)(const double*, double*, std::int64_t);

struct Fn {
  std::string name;
  Block32 f32;
  Block64 f64;
  std::function<LD(LD)> reference;  // libm in long double
  LD lo, hi;                        // the swept inputs
};

LD ref_sigmoid(LD x) { return 1 / (1 + std::exp(-x)); }
LD ref_softplus(LD x) { return std::max(x, LD(0)) + std::log1p(std::exp(-std::fabs(x))); }

const std::vector<Fn>& functions() {
  constexpr LD inf = std::numeric_limits<LD>::infinity();
  static const std::vector<Fn> fns = {
      {"exp", eq::vmath::exp, eq::vmath::exp, [](LD x) { return std::exp(x); }, -800, 800},
      {"log", eq::vmath::log, eq::vmath::log, [](LD x) { return std::log(x); }, -1, inf},
      {"log1p", eq::vmath::log1p, eq::vmath::log1p, [](LD x) { return std::log1p(x); }, -2, inf},
      {"expm1", eq::vmath::expm1, eq::vmath::expm1, [](LD x) { return std::expm1(x); }, -800,
       800},
      {"tanh", eq::vmath::tanh, eq::vmath::tanh, [](LD x) { return std::tanh(x); }, -inf, inf},
      {"sigmoid", eq::vmath::sigmoid, eq::vmath::sigmoid, ref_sigmoid, -inf, inf},
      {"softplus", eq::vmath::softplus, eq::vmath::softplus, ref_softplus, -inf, inf},
  };
  return fns;
}

// |y - ref| in units of the last place of T at ref (the subnormal spacing
// below T's smallest normal). NaN and infinite references must be matched
// exactly: error 0 or infinity.
template <class T> LD ulp_error(T y, LD ref) {
  if (std::isnan(ref)) return std::isnan(y) ? 0 : INFINITY;
  T r = static_cast<T>(ref);
  if (std::isinf(r)) return y == r ? 0 : INFINITY;
  if (std::isnan(y)) return INFINITY;
  int e = std::max(std::ilogb(r), std::numeric_limits<T>::min_exponent - 1);
  LD ulp = std::ldexp(LD(1), e - (std::numeric_limits<T>::digits - 1));
  return std::fabs(static_cast<LD>(y) - ref) / ulp;
}

struct Worst {
  LD err = 0, x = 0;
  std::size_t scored = 0;
};

template <class T> Worst sweep(const Fn& fn, const std::vector<T>& xs) {
  std::vector<T> ys(xs.size());
  if constexpr (sizeof(T) == 4) fn.f32(xs.data(), ys.data(), static_cast<std::int64_t>(xs.size()));
  else fn.f64(xs.data(), ys.data(), static_cast<std::int64_t>(xs.size()));
  Worst w;
  for (std::size_t i = 0; i < xs.size(); ++i) {
    LD ref = fn.reference(xs[i]);
    ++w.scored;
    LD e = ulp_error(ys[i], ref);
    if (!(e <= w.err)) w = {e, static_cast<LD>(xs[i]), w.scored};
  }
  return w;
}

// Equal, or both NaN (log of the negative inputs).
template <class T> bool same(T a, T b) { return a == b || (std::isnan(a) && std::isnan(b)); }

// Every 1009th float bit pattern (both signs, subnormals to NaN) in [lo, hi].
std::vector<float> float_sweep(LD lo, LD hi) {
  std::vector<float> xs;
  for (std::uint64_t b = 0; b < (std::uint64_t(1) << 32); b += 1009) {
    float x = std::bit_cast<float>(static_cast<std::uint32_t>(b));
    if (x >= lo && x <= hi) xs.push_back(x);
  }
  return xs;
}

// Random double bit patterns (every exponent equally likely) plus uniform
// values in [-40, 40], where the functions change fastest, clipped to [lo, hi].
std::vector<double> double_sweep(LD lo, LD hi) {
  std::mt19937_64 rng(17);
  std::uniform_real_distribution<double> mid(-40, 40);
  std::vector<double> xs;
  for (int i = 0; i < 300000; ++i) {
    double x = std::bit_cast<double>(rng());
    if (x >= lo && x <= hi) xs.push_back(x);
    x = mid(rng);
    if (x >= lo && x <= hi) xs.push_back(x);
  }
  return xs;
}

}  // namespace

TEST_CASE("vmath float functions are within 2 ulp of the correctly rounded result", "[vmath]") {
  for (const Fn& fn : functions()) {
    std::vector<float> xs = float_sweep(fn.lo, fn.hi);
    Worst w = sweep(fn, xs);
    INFO(fn.name << ": worst " << double(w.err) << " ulp at x = " << std::hexfloat << double(w.x)
                 << " (" << w.scored << " scored)");
    CHECK(w.scored > 100000);
    CHECK(w.err <= 2.0);
  }
}

TEST_CASE("vmath double functions are within 4 ulp of long double libm", "[vmath]") {
  for (const Fn& fn : functions()) {
    std::vector<double> xs = double_sweep(fn.lo, fn.hi);
    Worst w = sweep(fn, xs);
    INFO(fn.name << ": worst " << double(w.err) << " ulp at x = " << std::hexfloat << double(w.x)
                 << " (" << w.scored << " scored)");
    CHECK(w.scored > 100000);
    CHECK(w.err <= 4.0);
  }
}

TEMPLATE_TEST_CASE("vmath extremes, infinities and NaN", "[vmath]", float, double) {
  using T = TestType;
  using L = std::numeric_limits<T>;
  const T inf = L::infinity(), nan = L::quiet_NaN();
  using Block = void (*)(const T*, T*, std::int64_t);
  auto one = [](Block block, T x) {
    T y;
    block(&x, &y, 1);
    return y;
  };
  const Block exp = eq::vmath::exp, log = eq::vmath::log, log1p = eq::vmath::log1p,
              expm1 = eq::vmath::expm1, tanh = eq::vmath::tanh, sigmoid = eq::vmath::sigmoid,
              softplus = eq::vmath::softplus;

  CHECK(one(exp, 0) == 1);
  CHECK(one(exp, 1000) == inf);
  CHECK(one(exp, inf) == inf);
  CHECK(one(exp, -1000) == 0);
  CHECK(one(exp, -inf) == 0);
  CHECK(one(exp, L::max()) == inf);
  CHECK(one(exp, L::lowest()) == 0);
  // Just inside the range: e^(ln max - 0.01) and a subnormal result.
  T below_max = T(std::log(double(L::max())) - 0.01);
  CHECK(one(exp, below_max) == Approx(std::exp(double(below_max))).epsilon(4e-7));
  T tiny_x = T(std::log(L::denorm_min())) + T(5);  // e^x ≈ 148 · denorm_min
  CHECK(one(exp, tiny_x) > 0);
  CHECK(one(exp, tiny_x) < L::min());
  CHECK(one(log, 1) == 0);
  CHECK(one(log, 0) == -inf);
  CHECK(one(log, -T(0)) == -inf);
  CHECK(std::isnan(one(log, -1)));
  CHECK(std::isnan(one(log, -inf)));
  CHECK(one(log, inf) == inf);
  CHECK(one(log, L::denorm_min()) ==
        Approx((L::min_exponent - L::digits) * std::log(2.0)).epsilon(1e-7));
  CHECK(one(log, L::max()) == Approx(std::log(double(L::max()))).epsilon(1e-7));
  CHECK(one(log1p, -1) == -inf);
  CHECK(std::isnan(one(log1p, -2)));
  CHECK(one(log1p, inf) == inf);
  CHECK(one(log1p, L::denorm_min()) == L::denorm_min());
  CHECK(std::signbit(one(log1p, -T(0))));
  CHECK(one(expm1, -1000) == -1);
  CHECK(one(expm1, -inf) == -1);
  CHECK(one(expm1, 1000) == inf);
  CHECK(one(expm1, inf) == inf);
  CHECK(one(expm1, L::denorm_min()) == L::denorm_min());
  // The largest finite expm1 arguments: n = 128 (f32) / 1024 (f64) with r < 0.
  T near_max = T(std::log(double(L::max())) - 0.2);
  CHECK(one(expm1, near_max) == Approx(std::expm1(double(near_max))).epsilon(4e-7));
  CHECK(one(tanh, 1000) == 1);
  CHECK(one(tanh, -1000) == -1);
  CHECK(one(tanh, inf) == 1);
  CHECK(one(tanh, -inf) == -1);
  CHECK(std::signbit(one(tanh, -T(0))));
  CHECK(one(sigmoid, 1000) == 1);
  CHECK(one(sigmoid, -1000) == 0);
  CHECK(one(sigmoid, inf) == 1);
  CHECK(one(sigmoid, -inf) == 0);
  CHECK(one(sigmoid, 0) == T(0.5));
  CHECK(one(softplus, 1000) == 1000);
  CHECK(one(softplus, -1000) == 0);  // e^-1000 underflows in both types
  CHECK(one(softplus, inf) == inf);
  CHECK(one(softplus, -inf) == 0);
  CHECK(one(softplus, -30) == Approx(std::exp(-30.0)).epsilon(4e-7));
  for (Block f : {exp, log, log1p, expm1, tanh, sigmoid, softplus}) {
    CHECK(std::isnan(one(f, nan)));
    CHECK(std::isnan(one(f, -nan)));
  }
}

TEMPLATE_TEST_CASE("vmath block functions: in place, every length, same bits as one element",
                   "[vmath]", float, double) {
  using T = TestType;
  std::mt19937_64 rng(5);
  std::uniform_real_distribution<double> u(-12, 12);
  for (const Fn& fn : functions()) {
    INFO(fn.name);
    // Lengths around the vector widths exercise the vector body and the tail.
    for (std::int64_t n : {0, 1, 3, 4, 7, 8, 9, 16, 17, 33, 100}) {
      std::vector<T> x(static_cast<std::size_t>(n)), y(x.size());
      for (T& v : x) v = static_cast<T>(u(rng));
      if constexpr (sizeof(T) == 4) fn.f32(x.data(), y.data(), n);
      else fn.f64(x.data(), y.data(), n);
      std::vector<T> inplace = x;
      if constexpr (sizeof(T) == 4) fn.f32(inplace.data(), inplace.data(), n);
      else fn.f64(inplace.data(), inplace.data(), n);
      for (std::size_t i = 0; i < x.size(); ++i) {
        CHECK(same(inplace[i], y[i]));
        T one = fn.name == "exp"       ? eq::vmath::exp_one(x[i])
                : fn.name == "log"     ? eq::vmath::log_one(x[i])
                : fn.name == "log1p"   ? eq::vmath::log1p_one(x[i])
                : fn.name == "expm1"   ? eq::vmath::expm1_one(x[i])
                : fn.name == "tanh"    ? eq::vmath::tanh_one(x[i])
                : fn.name == "sigmoid" ? eq::vmath::sigmoid_one(x[i])
                                       : eq::vmath::softplus_one(x[i]);
        CHECK(same(one, y[i]));
      }
    }
  }
}

TEST_CASE("kernels::unary computes exp, tanh and σ through vmath", "[vmath][kernels]") {
  using eq::kernels::Unary;
  eq::Tensor x(eq::DType::f32, eq::Shape{64}), y(eq::DType::f32, eq::Shape{64});
  for (std::int64_t i = 0; i < 64; ++i) x.set(i, -9.0 + 0.29 * double(i));
  std::vector<float> expect(64);
  for (auto [op, block] : {std::pair{Unary::exp, Block32(eq::vmath::exp)},
                           std::pair{Unary::tanh, Block32(eq::vmath::tanh)},
                           std::pair{Unary::sigmoid, Block32(eq::vmath::sigmoid)}}) {
    eq::kernels::unary(op, x.view(), y.view());
    block(x.view().as<float>(), expect.data(), 64);
    for (std::int64_t i = 0; i < 64; ++i) CHECK(y.at(i) == expect[static_cast<std::size_t>(i)]);
  }
}
