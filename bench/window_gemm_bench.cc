// window_gemm_bench: two products of a window (50 time steps of B rows)
// that issue 15 asks to stack, each two ways, through cblas_sgemm on one
// thread:
//   the weight gradient Σₜ δₜᵀ·hₜ ([128, 128]):
//     per step  50 products of inner dimension B, each added into the sum
//               (gemm with β = 1: what the accumulate pass makes);
//     stacked   one product of inner dimension 50·B over the stacked steps;
//   the input projections xₜ·Wᵀ of dense inputs (128 features, four gates
//   of 128: W stored transposed, [128, 512], as transpose-weights makes it):
//     per step  50 products of B rows;
//     stacked   one product of 50·B rows over the stacked inputs.
// The question: is either stacked product worth building (it needs every
// step's operands side by side in memory)? Prints the median of `reps`
// rounds of each, in µs, and the core OpenBLAS uses. The two forms take
// turns going first, so that neither always finds the operands in cache.
//
// Usage: window_gemm_bench [B] [reps]    (default 16 and 200)
#include <cblas.h>

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <vector>

extern "C" char* openblas_get_corename();
extern "C" void openblas_set_num_threads(int);

namespace {

using Clock = std::chrono::steady_clock;

double median(std::vector<double> v) {
  std::sort(v.begin(), v.end());
  return v[v.size() / 2];
}

struct Medians {
  double per_step, stacked;  // µs
};

// Runs the two forms `reps` times each, taking turns to go first.
template <class PerStep, class Stacked>
Medians in_turn(int reps, PerStep per_step, Stacked stacked) {
  std::vector<double> a, b;
  auto time = [](auto& form, std::vector<double>& into) {
    const Clock::time_point t0 = Clock::now();
    form();
    into.push_back(std::chrono::duration<double, std::micro>(Clock::now() - t0).count());
  };
  for (int r = 0; r < reps; ++r) {
    if (r % 2) {
      time(per_step, a);
      time(stacked, b);
    } else {
      time(stacked, b);
      time(per_step, a);
    }
  }
  return {median(a), median(b)};
}

}  // namespace

int main(int argc, char** argv) {
  const int B = argc > 1 ? std::atoi(argv[1]) : 16;
  const int reps = argc > 2 ? std::atoi(argv[2]) : 200;
  constexpr int T = 50, M = 128, N = 128;
  if (B < 1 || reps < 1) {
    std::fprintf(stderr, "usage: window_gemm_bench [B] [reps]\n");
    return 2;
  }
  openblas_set_num_threads(1);
  const auto rows = static_cast<std::size_t>(T) * static_cast<std::size_t>(B);
  std::vector<float> d(rows * M), h(rows * N);
  std::vector<float> sum(static_cast<std::size_t>(M * N), 0.0f);
  for (std::size_t i = 0; i < d.size(); ++i) d[i] = static_cast<float>(i % 7) * 0.1f;
  for (std::size_t i = 0; i < h.size(); ++i) h[i] = static_cast<float>(i % 5) * 0.1f;
  const Medians grads = in_turn(
      reps,
      [&] {
        for (int t = 0; t < T; ++t)
          cblas_sgemm(CblasRowMajor, CblasTrans, CblasNoTrans, M, N, B, 1.0f,
                      d.data() + static_cast<std::ptrdiff_t>(t) * B * M, M,
                      h.data() + static_cast<std::ptrdiff_t>(t) * B * N, N, 1.0f, sum.data(), N);
      },
      [&] {
        cblas_sgemm(CblasRowMajor, CblasTrans, CblasNoTrans, M, N, static_cast<int>(rows), 1.0f,
                    d.data(), M, h.data(), N, 0.0f, sum.data(), N);
      });
  std::printf(
      "B = %d, core %s\nweight gradient: %d products of inner dimension %d: %.1f µs; one of "
      "%zu: %.1f µs; stacked / per step = %.3f\n",
      B, openblas_get_corename(), T, B, grads.per_step, rows, grads.stacked,
      grads.stacked / grads.per_step);

  // The input projections: xₜ [B, 128] times Wᵀ [128, 512] into [B, 512].
  constexpr int K = 128, G = 512;
  std::vector<float> x(rows * K), wt(static_cast<std::size_t>(K * G));
  std::vector<float> out(rows * G);
  for (std::size_t i = 0; i < x.size(); ++i) x[i] = static_cast<float>(i % 11) * 0.1f;
  for (std::size_t i = 0; i < wt.size(); ++i) wt[i] = static_cast<float>(i % 3) * 0.1f;
  const Medians proj = in_turn(
      reps,
      [&] {
        for (int t = 0; t < T; ++t)
          cblas_sgemm(CblasRowMajor, CblasNoTrans, CblasNoTrans, B, G, K, 1.0f,
                      x.data() + static_cast<std::ptrdiff_t>(t) * B * K, K, wt.data(), G, 0.0f,
                      out.data() + static_cast<std::ptrdiff_t>(t) * B * G, G);
      },
      [&] {
        cblas_sgemm(CblasRowMajor, CblasNoTrans, CblasNoTrans, static_cast<int>(rows), G, K, 1.0f,
                    x.data(), K, wt.data(), G, 0.0f, out.data(), G);
      });
  std::printf(
      "input projections: %d products of %d rows: %.1f µs; one of %zu rows: %.1f µs; "
      "stacked / per step = %.3f\n",
      T, B, proj.per_step, rows, proj.stacked, proj.stacked / proj.per_step);
  return 0;
}
