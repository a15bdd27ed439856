// sgemm_bench: single-precision matrix products of square sizes 256, 1024 and
// 2048, each through eq::blas::gemm and through cblas_sgemm directly, with
// GFLOP/s as a counter (2n³ flops per product). After the runs it prints the
// wrapper's overhead per size: 1 - (wrapper GFLOP/s) / (direct GFLOP/s),
// from the medians of the repetitions (target: under 2 %).
//
// Wall-clock time is measured (UseRealTime) because OpenBLAS runs on several
// threads. Repetitions are interleaved at random so that load from other
// processes hits both variants alike; pass --benchmark_* flags to change it.
#include <benchmark/benchmark.h>
#include <cblas.h>

#include <cstdio>
#include <map>
#include <random>
#include <string>
#include <utility>
#include <vector>

#include "runtime/blas.hpp"

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
  state.counters["GFLOP/s"] = benchmark::Counter(
      2.0 * double(n) * double(n) * double(n) / 1e9, benchmark::Counter::kIsIterationInvariantRate);
}

void BM_sgemm_direct(benchmark::State& state) {
  const std::int64_t n = state.range(0);
  Operands x(n);
  const int in = static_cast<int>(n);
  eq::blas::threads();  // same thread count as the wrapper's runs
  for (auto _ : state) {
    cblas_sgemm(CblasRowMajor, CblasNoTrans, CblasNoTrans, in, in, in, 1.0f, x.a.data(), in,
                x.b.data(), in, 0.0f, x.c.data(), in);
    benchmark::DoNotOptimize(x.c.data());
    benchmark::ClobberMemory();
  }
  set_flops(state, n);
}

void BM_sgemm_eq(benchmark::State& state) {
  const std::int64_t n = state.range(0);
  Operands x(n);
  for (auto _ : state) {
    eq::blas::gemm(eq::DType::f32, eq::blas::Trans::no, eq::blas::Trans::no, n, n, n, 1.0,
                   x.a.data(), n, x.b.data(), n, 0.0, x.c.data(), n);
    benchmark::DoNotOptimize(x.c.data());
    benchmark::ClobberMemory();
  }
  set_flops(state, n);
}

BENCHMARK(BM_sgemm_direct)->Arg(256)->Arg(1024)->Arg(2048)->UseRealTime()->Unit(benchmark::kMillisecond);
BENCHMARK(BM_sgemm_eq)->Arg(256)->Arg(1024)->Arg(2048)->UseRealTime()->Unit(benchmark::kMillisecond);

// The console output as usual, plus the overhead table at the end. Takes the
// "median" aggregate when there are repetitions, else the single run.
class OverheadReporter : public benchmark::ConsoleReporter {
 public:
  void ReportRuns(const std::vector<Run>& runs) override {
    ConsoleReporter::ReportRuns(runs);
    for (const Run& run : runs) {
      if (run.error_occurred) continue;
      bool use = run.run_type == Run::RT_Aggregate ? run.aggregate_name == "median"
                                                   : run.repetitions <= 1;
      auto it = run.counters.find("GFLOP/s");
      if (!use || it == run.counters.end()) continue;
      gflops_[{run.run_name.function_name, std::stoll(run.run_name.args)}] = it->second.value;
    }
  }

  void Finalize() override {
    ConsoleReporter::Finalize();
    std::printf("\nsgemm wrapper overhead (eq::blas::gemm vs cblas_sgemm, %d threads):\n",
                eq::blas::threads());
    std::printf("%8s %16s %16s %10s\n", "n", "cblas GFLOP/s", "eq GFLOP/s", "overhead");
    for (std::int64_t n : {256, 1024, 2048}) {
      auto d = gflops_.find({"BM_sgemm_direct", n}), w = gflops_.find({"BM_sgemm_eq", n});
      if (d == gflops_.end() || w == gflops_.end()) continue;
      std::printf("%8lld %16.1f %16.1f %9.2f%%\n", static_cast<long long>(n), d->second,
                  w->second, 100.0 * (1.0 - w->second / d->second));
    }
  }

 private:
  std::map<std::pair<std::string, std::int64_t>, double> gflops_;
};

}  // namespace

int main(int argc, char** argv) {
  // Defaults first, so flags given on the command line override them.
  std::vector<char*> args{argv[0]};
  std::string reps = "--benchmark_repetitions=5", interleave =
                         "--benchmark_enable_random_interleaving=true";
  args.push_back(reps.data());
  args.push_back(interleave.data());
  for (int i = 1; i < argc; ++i) args.push_back(argv[i]);
  int count = static_cast<int>(args.size());
  benchmark::Initialize(&count, args.data());
  if (benchmark::ReportUnrecognizedArguments(count, args.data())) return 1;
  OverheadReporter reporter;
  benchmark::RunSpecifiedBenchmarks(&reporter);
  benchmark::Shutdown();
  return 0;
}
