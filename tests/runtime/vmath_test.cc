// vmath: ulp error of every block function against libm, evaluated one
// precision up (double libm for float, long double libm for double), over a
// dense sweep of float bit patterns and random double bit patterns; the
// documented extremes; NaN / inf; in-place calls; and bit-identity of the
// block functions with the one-element forms and with kernels::unary.
#include "eq/runtime/vmath.hpp"

#include <algorithm>
#include <bit>
#include <catch2/catch.hpp>
#include <cmath>
#include <cstdint>
#include <functional>
#include <limits>
#include <random>
#include <sstream>
#include <string>
#include <vector>

#include "eq/runtime/kernels.hpp"
#include "eq/runtime/vmath_core.hpp"
#include "eq/runtime/vmath_erf.hpp"

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
  double ulp32 = 2, ulp64 = 4;      // the documented bounds
};

LD ref_sigmoid(LD x) { return 1 / (1 + std::exp(-x)); }
LD ref_softplus(LD x) { return std::max(x, LD(0)) + std::log1p(std::exp(-std::fabs(x))); }

// Φ(x) = ½·erfc(-x/√2) for a float or double x. x/√2 rounded to long double
// is off by up to 2^-64 relative, which Φ's tail (relative condition ~x²)
// would magnify to most of a double ulp at x = -38; so t = x·s, s ≈ 1/√2,
// is carried as th + tl (the exact product by fmal, plus s's own error) and
// erfc(th + tl) = erfc(th) - 2/√π·e^{-th²}·tl to first order.
LD ref_phi(LD x) {
  const LD s = std::sqrt(LD(0.5));
  const LD s_err = -std::fma(s, s, LD(-0.5)) / (2 * s);  // 1/√2 - s
  const LD th = x * s, tl = std::fma(x, s, -th) + x * s_err;
  const LD u = -th;
  return LD(0.5) * (std::erfc(u) + 2 / std::sqrt(std::acos(LD(-1))) * std::exp(-u * u) * tl);
}
LD ref_gelu(LD x) { return x * ref_phi(x); }
LD ref_elu(LD x) { return x > 0 ? x : std::expm1(x); }
LD ref_elu_grad(LD x) { return x > 0 ? 1 : std::exp(x); }

const std::vector<Fn>& functions() {
  constexpr LD inf = std::numeric_limits<LD>::infinity();
  static const std::vector<Fn> fns = {
      {"exp", eq::vmath::exp, eq::vmath::exp, [](LD x) { return std::exp(x); }, -800, 800},
      {"log", eq::vmath::log, eq::vmath::log, [](LD x) { return std::log(x); }, -1, inf},
      {"log1p", eq::vmath::log1p, eq::vmath::log1p, [](LD x) { return std::log1p(x); }, -2, inf},
      {"expm1", eq::vmath::expm1, eq::vmath::expm1, [](LD x) { return std::expm1(x); }, -800, 800},
      {"tanh", eq::vmath::tanh, eq::vmath::tanh, [](LD x) { return std::tanh(x); }, -inf, inf},
      {"sigmoid", eq::vmath::sigmoid, eq::vmath::sigmoid, ref_sigmoid, -inf, inf},
      {"softplus", eq::vmath::softplus, eq::vmath::softplus, ref_softplus, -inf, inf},
      {"erf", eq::vmath::erf, eq::vmath::erf, [](LD x) { return std::erf(x); }, -inf, inf, 2, 2},
      {"gelu", eq::vmath::gelu, eq::vmath::gelu, ref_gelu, -inf, inf, 7, 7},
      {"elu", eq::vmath::elu, eq::vmath::elu, ref_elu, -inf, inf},
      {"elu_grad", eq::vmath::elu_grad, eq::vmath::elu_grad, ref_elu_grad, -inf, inf},
  };
  return fns;
}

// |y - ref| in units of the last place of T at ref (the subnormal spacing
// below T's smallest normal). NaN and infinite references must be matched
// exactly: error 0 or infinity.
template <class T>
LD ulp_error(T y, LD ref) {
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

template <class T>
Worst sweep(const Fn& fn, const std::vector<T>& xs) {
  std::vector<T> ys(xs.size());
  if constexpr (sizeof(T) == 4)
    fn.f32(xs.data(), ys.data(), static_cast<std::int64_t>(xs.size()));
  else
    fn.f64(xs.data(), ys.data(), static_cast<std::int64_t>(xs.size()));
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
template <class T>
bool same(T a, T b) {
  return a == b || (std::isnan(a) && std::isnan(b));
}

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

// The one-element form named `name` (the block functions must equal it).
template <class T>
T one_element(const std::string& name, T x) {
  namespace v = eq::vmath;
  if (name == "exp") return v::exp_one(x);
  if (name == "log") return v::log_one(x);
  if (name == "log1p") return v::log1p_one(x);
  if (name == "expm1") return v::expm1_one(x);
  if (name == "tanh") return v::tanh_one(x);
  if (name == "sigmoid") return v::sigmoid_one(x);
  if (name == "softplus") return v::softplus_one(x);
  if (name == "erf") return v::erf_one(x);
  if (name == "gelu") return v::gelu_one(x);
  if (name == "elu") return v::elu_one(x);
  if (name == "elu_grad") return v::elu_grad_one(x);
  FAIL("no one-element form for " << name);
  return x;
}

}  // namespace

TEST_CASE(
    "vmath float functions are within their bound (2 ulp; gelu 7) of the correctly rounded result",
    "[vmath]") {
  for (const Fn& fn : functions()) {
    std::vector<float> xs = float_sweep(fn.lo, fn.hi);
    Worst w = sweep(fn, xs);
    INFO(fn.name << ": worst " << double(w.err) << " ulp at x = " << std::hexfloat << double(w.x)
                 << " (" << w.scored << " scored)");
    CHECK(w.scored > 100000);
    CHECK(w.err <= fn.ulp32);
  }
}

TEST_CASE(
    "vmath double functions are within their bound (4 ulp; erf 2, gelu 7) of long double libm",
    "[vmath]") {
  for (const Fn& fn : functions()) {
    std::vector<double> xs = double_sweep(fn.lo, fn.hi);
    Worst w = sweep(fn, xs);
    INFO(fn.name << ": worst " << double(w.err) << " ulp at x = " << std::hexfloat << double(w.x)
                 << " (" << w.scored << " scored)");
    CHECK(w.scored > 100000);
    CHECK(w.err <= fn.ulp64);
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
      if constexpr (sizeof(T) == 4)
        fn.f32(x.data(), y.data(), n);
      else
        fn.f64(x.data(), y.data(), n);
      std::vector<T> inplace = x;
      if constexpr (sizeof(T) == 4)
        fn.f32(inplace.data(), inplace.data(), n);
      else
        fn.f64(inplace.data(), inplace.data(), n);
      for (std::size_t i = 0; i < x.size(); ++i) {
        CHECK(same(inplace[i], y[i]));
        CHECK(same(one_element(fn.name, x[i]), y[i]));
      }
    }
  }
}

TEMPLATE_TEST_CASE("erf, gelu, gelu′ and elu at the extremes", "[vmath]", float, double) {
  using T = TestType;
  using L = std::numeric_limits<T>;
  namespace v = eq::vmath;
  const T inf = L::infinity(), nan = L::quiet_NaN();
  CHECK(v::erf_one(T(0)) == 0);
  CHECK(std::signbit(v::erf_one(-T(0))));
  CHECK(v::erf_one(inf) == 1);
  CHECK(v::erf_one(-inf) == -1);
  CHECK(v::erf_one(T(1000)) == 1);
  CHECK(v::erf_one(L::max()) == 1);
  // erf(x) = 2x/√π (1 - x²/3 + …): the first term is exact to T at 1e-20.
  CHECK(v::erf_one(T(1e-20)) == Approx(2e-20 / std::sqrt(std::acos(-1.0))).epsilon(1e-7));
  CHECK(v::erf_one(L::denorm_min()) >= L::denorm_min());
  CHECK(v::gelu_one(T(0)) == 0);
  CHECK(v::gelu_one(inf) == inf);
  CHECK(v::gelu_one(-inf) == 0);
  CHECK(std::signbit(v::gelu_one(-inf)));
  CHECK(v::gelu_one(T(1000)) == 1000);
  CHECK(v::gelu_one(T(-1000)) == 0);
  // Φ(-5) = 2.866515718791939e-7 (erfc(5/√2)/2): the tail is formed as a
  // product, not as 1 - (1 - …), so it keeps its digits in f32.
  CHECK(v::gelu_one(T(-5)) == Approx(-5 * 2.866515718791939e-7).epsilon(1e-6));
  CHECK(v::gelu_grad_one(T(0)) == T(0.5));
  CHECK(v::gelu_grad_one(inf) == 1);
  CHECK(v::gelu_grad_one(-inf) == 0);
  CHECK(v::gelu_grad_one(T(1000)) == 1);
  CHECK(v::elu_one(-inf) == -1);
  CHECK(v::elu_one(inf) == inf);
  CHECK(v::elu_one(T(0)) == 0);
  CHECK(v::elu_grad_one(-inf) == 0);
  CHECK(v::elu_grad_one(T(0)) == 1);  // both one-sided derivatives are 1
  CHECK(v::elu_grad_one(T(3)) == 1);
  for (T x : {nan, -nan}) {
    CHECK(std::isnan(v::erf_one(x)));
    CHECK(std::isnan(v::gelu_one(x)));
    CHECK(std::isnan(v::gelu_grad_one(x)));
    CHECK(std::isnan(v::elu_one(x)));
    CHECK(std::isnan(v::elu_grad_one(x)));
  }
  // erf and gelu′ - ½ are odd, gelu(x) - gelu(-x) = x: the pieces meet.
  std::mt19937_64 rng(9);
  std::uniform_real_distribution<double> u(-30, 30);
  for (int i = 0; i < 1000; ++i) {
    const T x = static_cast<T>(u(rng));
    CHECK(v::erf_one(-x) == -v::erf_one(x));
  }
}

TEMPLATE_TEST_CASE("gelu′ matches Φ(x) + x·φ(x) and the slope of gelu", "[vmath]", float, double) {
  using T = TestType;
  // Absolute + relative: gelu′ has a zero at x ≈ -0.7518.
  const double tol = sizeof(T) == 4 ? 4e-7 : 1e-15;
  std::mt19937_64 rng(8);
  std::uniform_real_distribution<double> u(-40, 40), near(-5, 5);
  std::vector<T> xs;
  for (int i = 0; i < 200000; ++i) xs.push_back(static_cast<T>(i % 2 ? u(rng) : near(rng)));
  std::vector<T> ys(xs.size());
  if constexpr (sizeof(T) == 4)
    eq::vmath::gelu_grad(xs.data(), ys.data(), std::int64_t(xs.size()));
  else
    eq::vmath::gelu_grad(xs.data(), ys.data(), std::int64_t(xs.size()));
  const LD inv_sqrt_2pi = 1 / std::sqrt(2 * std::acos(LD(-1)));
  double worst = 0;
  for (std::size_t i = 0; i < xs.size(); ++i) {
    const LD x = xs[i];
    const LD want = ref_phi(x) + x * std::exp(-x * x / 2) * inv_sqrt_2pi;
    const double err = double(std::fabs(ys[i] - want) / (1 + std::fabs(want)));
    worst = std::max(worst, err);
    CHECK(ys[i] == eq::vmath::gelu_grad_one(xs[i]));
  }
  INFO("worst " << worst);
  CHECK(worst <= tol);
  // Central differences of gelu itself (in double, h = 1e-5: error ~h²).
  for (double x : {-6.0, -2.5, -0.75, 0.0, 0.3, 1.0, 4.0}) {
    const double h = 1e-5;
    const double slope = (eq::vmath::gelu_one(x + h) - eq::vmath::gelu_one(x - h)) / (2 * h);
    CHECK(eq::vmath::gelu_grad_one(x) == Approx(slope).margin(1e-9));
  }
}

TEST_CASE("kernels::unary computes exp, tanh and σ through vmath", "[vmath][kernels]") {
  using eq::kernels::Unary;
  eq::Tensor x(eq::DType::f32, eq::Shape{64}), y(eq::DType::f32, eq::Shape{64});
  for (std::int64_t i = 0; i < 64; ++i) x.set(i, -9.0 + 0.29 * double(i));
  std::vector<float> expect(64);
  for (auto [op, block] : {std::pair{Unary::exp, Block32(eq::vmath::exp)},
                           std::pair{Unary::tanh, Block32(eq::vmath::tanh)},
                           std::pair{Unary::sigmoid, Block32(eq::vmath::sigmoid)},
                           std::pair{Unary::erf, Block32(eq::vmath::erf)},
                           std::pair{Unary::gelu, Block32(eq::vmath::gelu)},
                           std::pair{Unary::gelu_grad, Block32(eq::vmath::gelu_grad)},
                           std::pair{Unary::elu, Block32(eq::vmath::elu)},
                           std::pair{Unary::elu_grad, Block32(eq::vmath::elu_grad)}}) {
    eq::kernels::unary(op, x.view(), y.view());
    block(x.view().as<float>(), expect.data(), 64);
    for (std::int64_t i = 0; i < 64; ++i) CHECK(y.at(i) == expect[static_cast<std::size_t>(i)]);
  }
}
