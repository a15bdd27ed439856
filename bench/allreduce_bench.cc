// What summing one step's gradients across ranks costs (issue 14,
// docs/scaling.md): for each gradient size, the median time of a copy of
// the gradients (what a pass over them costs), of Open MPI's own
// MPI_Allreduce of them, and of the sum eq trains with (MpiCommunicator:
// MPI_Allreduce for small buffers, shared memory for large ones on one
// machine, train/node_sum.hpp), with the page faults each took. Run under
// mpirun:
//   mpirun -np 2 build/bench/allreduce_bench [floats...]
// Defaults: the char-LSTM's gradient (models/lstm.eq, V = 65: 107,713
// floats) and the large MLP's (bench/mlp_large.eq: 21,020,682 floats).
// Prints, on rank 0, milliseconds, minor page faults a call, and the bus
// bandwidth of the ring algorithm: 2(N−1)/N × bytes / time.
#define OMPI_SKIP_MPICXX 1
#define MPICH_SKIP_MPICXX 1
#include <mpi.h>
#include <sys/resource.h>

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <functional>
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

long minor_faults() {
  rusage u{};
  getrusage(RUSAGE_SELF, &u);
  return u.ru_minflt;
}

struct Timing {
  double seconds;
  long faults;  // a call, the median
};

// The median over 20 calls of `f` after 3 warm-ups, each call started together.
Timing time_of(eq::Communicator& world, const std::function<void()>& f) {
  std::vector<double> t, faults;
  for (int rep = 0; rep < 23; ++rep) {
    world.barrier();
    const long f0 = minor_faults();
    const double t0 = now();
    f();
    const double t1 = now();
    if (rep >= 3) t.push_back(t1 - t0), faults.push_back(static_cast<double>(minor_faults() - f0));
  }
  return {median(t), static_cast<long>(median(faults))};
}

}  // namespace

int main(int argc, char** argv) {
  eq::MpiCommunicator world;
  std::vector<long> sizes;
  for (int i = 1; i < argc; ++i) sizes.push_back(std::atol(argv[i]));
  if (sizes.empty()) sizes = {107713, 21020682};
  const int n = world.size();
  if (world.rank() == 0)
    std::printf(
        "%d ranks; median of 20 after 3 warm-ups; ms (minor page faults a call)\n"
        "%10s %8s %14s %20s %20s %10s\n",
        n, "floats", "MB", "copy", "MPI_Allreduce", "eq's sum", "eq GB/s");
  for (long count : sizes) {
    const auto size = static_cast<std::size_t>(count);
    const float mine = 1.0f + static_cast<float>(world.rank());
    std::vector<float> grads(size, mine), buffer(size);
    const Timing copy =
        time_of(world, [&] { std::copy(grads.begin(), grads.end(), buffer.begin()); });
    const Timing mpi = time_of(world, [&] {
      MPI_Allreduce(grads.data(), buffer.data(), count, MPI_FLOAT, MPI_SUM, MPI_COMM_WORLD);
    });
    const Timing eq = time_of(world, [&] {
      world.allreduce_sum(std::span<const float>(grads), std::span<float>(buffer));
    });
    const float want = static_cast<float>(n * (n + 1)) / 2;
    if (buffer.front() != want || buffer.back() != want) {
      std::fprintf(stderr, "rank %d: wrong sum %g, %g (want %g)\n", world.rank(), buffer.front(),
                   buffer.back(), want);
      return 1;
    }
    const double bytes = 4.0 * static_cast<double>(count);
    if (world.rank() == 0)
      std::printf("%10ld %8.2f %8.3f (%4ld) %12.3f (%5ld) %12.3f (%5ld) %10.2f\n", count,
                  bytes / 1e6, 1e3 * copy.seconds, copy.faults, 1e3 * mpi.seconds, mpi.faults,
                  1e3 * eq.seconds, eq.faults, 2.0 * (n - 1) / n * bytes / eq.seconds / 1e9);
  }
  return 0;
}
