// The embedding use, side by side in one run: bind a, b and a batch x of
// 10⁷ values, parse σ(a*x + b) once, run it — against muParser's bulk
// evaluation of 1/(1+exp(-(a*x+b))) and a hand-written C++ loop.
// All three compute in double. Prints ns per value (best of several runs)
// and the ratios. Usage: embed_bench [count] [repeats] [eq threads]
#include <algorithm>
#include <chrono>
#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <eq/eq.hpp>
#include <functional>
#include <vector>

#include "eq/runtime/parallel.hpp"

#ifdef EQ_HAVE_MUPARSER
#include <muParser.h>
#endif

namespace {

double seconds(const std::function<void()>& run) {
  auto t0 = std::chrono::steady_clock::now();
  run();
  return std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
}

}  // namespace

int main(int argc, char** argv) {
  const std::int64_t n = argc > 1 ? std::atoll(argv[1]) : 10'000'000;
  const int repeats = argc > 2 ? std::atoi(argv[2]) : 5;
  if (argc > 3) eq::runtime::set_parallel_threads(std::atoi(argv[3]));
  const double a = 0.75, b = -0.25;
  std::vector<double> xs(static_cast<std::size_t>(n)), out(static_cast<std::size_t>(n));
  for (std::int64_t i = 0; i < n; ++i)
    xs[static_cast<std::size_t>(i)] = -8.0 + 16.0 * static_cast<double>(i) / static_cast<double>(n);

  // eq: bind, parse once, run.
  eq::Graph g(eq::DType::f64);
  eq::Parser p(g);
  eq::Node x = g.input("x", {});
  p.set("a", g.param("a", {}));
  p.set("b", g.param("b", {}));
  p.set("x", x);
  eq::Node y = p.parse("σ(a*x + b)");
  eq::Machine vm(eq::compile(g, {y}));
  vm.set_param(g.leaf("a"), eq::Tensor::scalar(a, eq::DType::f64));
  vm.set_param(g.leaf("b"), eq::Tensor::scalar(b, eq::DType::f64));
  eq::ConstView xv(eq::DType::f64, eq::Shape{n}, xs.data());
  auto run_eq = [&] {
    vm.let(x, xv);
    vm.run();
  };
  // The hand-written loop.
  auto run_loop = [&] {
    for (std::int64_t i = 0; i < n; ++i)
      out[static_cast<std::size_t>(i)] =
          1.0 / (1.0 + std::exp(-(a * xs[static_cast<std::size_t>(i)] + b)));
  };
#ifdef EQ_HAVE_MUPARSER
  mu::Parser mp;
  double ma = a, mb = b;
  mp.DefineConst("a", ma);
  mp.DefineConst("b", mb);
  mp.DefineVar("x", xs.data());
  mp.SetExpr("1/(1+exp(-(a*x+b)))");
  std::vector<double> mout(static_cast<std::size_t>(n));
  auto run_mu = [&] { mp.Eval(mout.data(), static_cast<int>(n)); };
#else
  auto run_mu = [] {};
#endif
  // Interleaved, so that no contender always runs on a warmer or quieter
  // machine than another; the best of `repeats` each.
  double best_eq = 1e30, best_loop = 1e30, best_mu = 1e30;
  run_eq();
  for (int r = 0; r < repeats; ++r) {
    best_eq = std::min(best_eq, seconds(run_eq));
    best_loop = std::min(best_loop, seconds(run_loop));
    best_mu = std::min(best_mu, seconds(run_mu));
  }
  const double per = 1e9 / static_cast<double>(n);
  const double eq_ns = best_eq * per, loop_ns = best_loop * per, mu_ns = best_mu * per;
  eq::ConstView ev = vm.view(y);
  double worst = 0;
  for (std::int64_t i = 0; i < n; ++i)
    worst = std::max(worst, std::abs(ev.as<double>()[i] - out[static_cast<std::size_t>(i)]));

  std::printf("σ(a*x + b) over %lld values, double, best of %d (eq: %d threads):\n",
              static_cast<long long>(n), repeats, eq::runtime::parallel_threads());
  std::printf("  eq (Parser + Machine)   %7.3f ns/value\n", eq_ns);
  std::printf("  hand-written loop       %7.3f ns/value   eq / loop     = %.2f\n", loop_ns,
              eq_ns / loop_ns);
#ifdef EQ_HAVE_MUPARSER
  for (std::int64_t i = 0; i < n; ++i)
    worst = std::max(
        worst, std::abs(mout[static_cast<std::size_t>(i)] - out[static_cast<std::size_t>(i)]));
  std::printf("  muParser bulk Eval      %7.3f ns/value   muParser / eq = %.2f\n", mu_ns,
              mu_ns / eq_ns);
#else
  (void)mu_ns;
  std::printf("  muParser: not built (libmuparser-dev missing)\n");
#endif
  std::printf("  largest difference between the results: %.2g\n", worst);
  return worst < 1e-12 ? 0 : 1;
}
