// What summing one step's gradients across ranks costs (issue 14,
// docs/scaling.md): for each gradient size, the median time of the copy
// that weights a rank's gradients into the contiguous buffer (GradientSum,
// train/gradient_sum.hpp) and of the allreduce of that buffer through the
// Communicator eq trains with. Run under mpirun:
//   mpirun -np 2 build/bench/allreduce_bench [floats...]
// Defaults: the char-LSTM's gradient (models/lstm.eq, V = 65: 107,713
// floats) and the large MLP's (bench/mlp_large.eq: 21,020,682 floats).
// Prints, on rank 0, milliseconds and the bus bandwidth of the ring
// algorithm: 2(N−1)/N × bytes / time.
#include <algorithm>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <vector>

#include "eq/train/mpi_communicator.hpp"

namespace {

double median(std::vector<double> v) {
  std::sort(v.begin(), v.end());
  return v[v.size() / 2];
}

double now() {
  return std::chrono::duration<double>(std::chrono::steady_clock::now().time_since_epoch()).count();
}

}  // namespace

int main(int argc, char** argv) {
  eq::MpiCommunicator world;
  std::vector<long> sizes;
  for (int i = 1; i < argc; ++i) sizes.push_back(std::atol(argv[i]));
  if (sizes.empty()) sizes = {107713, 21020682};
  const int n = world.size();
  if (world.rank() == 0)
    std::printf("%d ranks; median of 20 after 3 warm-ups\n%12s %10s %12s %12s %14s\n", n, "floats",
                "MB", "copy ms", "allreduce ms", "bus GB/s");
  for (long count : sizes) {
    std::vector<float> grads(static_cast<std::size_t>(count),
                             1.0f + static_cast<float>(world.rank()));
    std::vector<float> buffer(grads.size());
    std::vector<double> copy, reduce;
    for (int rep = 0; rep < 23; ++rep) {
      world.barrier();
      const double t0 = now();
      const float w = 0.5f;
      for (std::size_t k = 0; k < grads.size(); ++k) buffer[k] = grads[k] * w;
      const double t1 = now();
      world.allreduce_sum(std::span<float>(buffer));
      const double t2 = now();
      if (rep >= 3) copy.push_back(t1 - t0), reduce.push_back(t2 - t1);
    }
    const double bytes = 4.0 * static_cast<double>(count);
    const double t = median(reduce);
    if (world.rank() == 0)
      std::printf("%12ld %10.2f %12.3f %12.3f %14.2f\n", count, bytes / 1e6, 1e3 * median(copy),
                  1e3 * t, 2.0 * (n - 1) / n * bytes / t / 1e9);
  }
  return 0;
}
