// sgemm_bench: single-precision matrix products of square sizes 256, 1024 and
// 2048, each through eq::blas::gemm and through cblas_sgemm directly, with
// GFLOP/s as a counter (2n³ flops per product). After the runs it prints the
// wrapper's overhead per size, 1 - (wrapper GFLOP/s) / (direct GFLOP/s)
// (target: under 2 %), in two estimates:
//  - from the best and from the median repetition of each variant. Other
//    processes only ever slow a run down, so on a shared machine the best run
//    is the least disturbed one; both are printed because both are noisy;
//  - from the cost of the wrapper itself: the same two calls on 2×2 matrices
//    (BM_call_*), where the product is almost free and the difference in time
//    per call is what the wrapper adds. That difference over the time of a
//    256 product bounds the overhead without the noise of big runs.
//
// Wall-clock time is measured (UseRealTime) because OpenBLAS runs on several
// threads. Repetitions (10) are interleaved at random so that load hits both
// variants alike. --benchmark_* flags override these defaults.
#include <benchmark/benchmark.h>
#include <cblas.h>
#include <unistd.h>

#include <cstdio>
#include <map>
#include <random>
#include <string>
#include <utility>
#include <vector>

#include "eq/runtime/blas.hpp"

namespace {

struct Operands {
  std::vector<float> a, b, c;
  explicit Operands(std::int64_t n) : a(n * n), b(n * n), c(n * n) {
    std::mt19937 rng(42);
    std::uniform_real_distribution<float> u(-1, 1);
    for (float& v : a) v = u(rng);
    for (float& v : b) v = u(rng);
  }
};

void set_flops(benchmark::State& state, std::int64_t n) {
  // A per-iteration amount turned into a rate: GFLOP per second.
  state.counters["GFLOP/s"] = benchmark::Counter(2.0 * double(n) * double(n) * double(n) / 1e9,
                                                 benchmark::Counter::kIsIterationInvariantRate);
}

void direct(Operands& x, int n) {
  cblas_sgemm(CblasRowMajor, CblasNoTrans, CblasNoTrans, n, n, n, 1.0f, x.a.data(), n, x.b.data(),
              n, 0.0f, x.c.data(), n);
}

void wrapped(Operands& x, std::int64_t n) {
  eq::blas::gemm(eq::DType::f32, eq::blas::Trans::no, eq::blas::Trans::no, n, n, n, 1.0, x.a.data(),
                 n, x.b.data(), n, 0.0, x.c.data(), n);
}

void BM_sgemm_direct(benchmark::State& state) {
  const std::int64_t n = state.range(0);
  Operands x(n);
  eq::blas::threads();  // the wrapper's thread count, for both variants
  for (auto _ : state) {
    direct(x, static_cast<int>(n));
    benchmark::DoNotOptimize(x.c.data());
    benchmark::ClobberMemory();
  }
  set_flops(state, n);
}

void BM_sgemm_eq(benchmark::State& state) {
  const std::int64_t n = state.range(0);
  Operands x(n);
  for (auto _ : state) {
    wrapped(x, n);
    benchmark::DoNotOptimize(x.c.data());
    benchmark::ClobberMemory();
  }
  set_flops(state, n);
}

// The same calls on 2×2 matrices: their times differ by the wrapper's cost.
void BM_call_direct(benchmark::State& state) { BM_sgemm_direct(state); }
void BM_call_eq(benchmark::State& state) { BM_sgemm_eq(state); }

double largest(const std::vector<double>& v) {
  double m = v.empty() ? 0 : v[0];
  for (double x : v) m = x > m ? x : m;
  return m;
}

void products(benchmark::internal::Benchmark* b) {
  b->Arg(256)->Arg(1024)->Arg(2048)->UseRealTime()->Unit(benchmark::kMillisecond);
  // "max": the largest GFLOP/s (in the time columns it is the slowest run).
  b->ComputeStatistics("max", largest);
}

void calls(benchmark::internal::Benchmark* b) {
  b->Arg(2)->UseRealTime()->Unit(benchmark::kNanosecond);
}

BENCHMARK(BM_sgemm_direct)->Apply(products);
BENCHMARK(BM_sgemm_eq)->Apply(products);
BENCHMARK(BM_call_direct)->Apply(calls);
BENCHMARK(BM_call_eq)->Apply(calls);

struct Figures {
  double best_gflops = 0, median_gflops = 0, median_ns = 0;
};

// The console output as usual, plus the overhead table at the end.
class OverheadReporter : public benchmark::ConsoleReporter {
 public:
  // Colours only on a terminal, so a saved log stays plain text.
  OverheadReporter() : ConsoleReporter(isatty(STDOUT_FILENO) ? OO_Defaults : OO_Tabular) {}

  void ReportRuns(const std::vector<Run>& runs) override {
    ConsoleReporter::ReportRuns(runs);
    for (const Run& run : runs) {
      if (run.error_occurred) continue;
      Figures& f = figures_[{run.run_name.function_name, std::stoll(run.run_name.args)}];
      auto it = run.counters.find("GFLOP/s");
      double gflops = it == run.counters.end() ? 0 : it->second.value;
      bool single = run.run_type == Run::RT_Iteration && run.repetitions <= 1;
      if (single || run.aggregate_name == "max") f.best_gflops = gflops;
      if (single || run.aggregate_name == "median") {
        f.median_gflops = gflops;
        if (run.time_unit == benchmark::kNanosecond) f.median_ns = run.GetAdjustedRealTime();
      }
    }
  }

  void Finalize() override {
    ConsoleReporter::Finalize();
    std::printf("\nsgemm through eq::blas::gemm vs cblas_sgemm, %d BLAS threads:\n",
                eq::blas::threads());
    std::printf("%6s %14s %14s %10s %14s %14s %10s\n", "n", "cblas best", "eq best", "overhead",
                "cblas median", "eq median", "overhead");
    for (std::int64_t n : {256, 1024, 2048}) {
      const Figures* d = find("BM_sgemm_direct", n);
      const Figures* w = find("BM_sgemm_eq", n);
      if (!d || !w) continue;
      std::printf("%6lld %14.1f %14.1f %9.2f%% %14.1f %14.1f %9.2f%%\n", static_cast<long long>(n),
                  d->best_gflops, w->best_gflops, 100.0 * (1.0 - w->best_gflops / d->best_gflops),
                  d->median_gflops, w->median_gflops,
                  100.0 * (1.0 - w->median_gflops / d->median_gflops));
    }
    const Figures* cd = find("BM_call_direct", 2);
    const Figures* ce = find("BM_call_eq", 2);
    const Figures* big = find("BM_sgemm_direct", 256);
    if (cd && ce && big && big->median_gflops > 0) {
      double cost_ns = ce->median_ns - cd->median_ns;
      double product_ns = 2.0 * 256 * 256 * 256 / big->median_gflops;  // GFLOP/s = flop/ns
      std::printf("wrapper cost per call (2×2 medians): %.1f ns = %.4f%% of a 256 product\n",
                  cost_ns, 100.0 * cost_ns / product_ns);
    }
  }

 private:
  const Figures* find(const std::string& name, std::int64_t n) const {
    auto it = figures_.find({name, n});
    return it == figures_.end() ? nullptr : &it->second;
  }
  std::map<std::pair<std::string, std::int64_t>, Figures> figures_;
};

}  // namespace

int main(int argc, char** argv) {
  // Defaults first, so flags given on the command line override them.
  std::string defaults[] = {"--benchmark_repetitions=10",
                            "--benchmark_enable_random_interleaving=true",
                            "--benchmark_report_aggregates_only=true"};
  std::vector<char*> args{argv[0]};
  for (std::string& d : defaults) args.push_back(d.data());
  for (int i = 1; i < argc; ++i) args.push_back(argv[i]);
  int count = static_cast<int>(args.size());
  benchmark::Initialize(&count, args.data());
  if (benchmark::ReportUnrecognizedArguments(count, args.data())) return 1;
  OverheadReporter reporter;
  benchmark::RunSpecifiedBenchmarks(&reporter);
  benchmark::Shutdown();
  return 0;
}
