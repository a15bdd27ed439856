#include "eq/train/node_sum.hpp"

// The C API only, as in mpi_communicator.cc.
#define OMPI_SKIP_MPICXX 1
#define MPICH_SKIP_MPICXX 1
#include <mpi.h>
#include <sys/statvfs.h>

#include <algorithm>
#include <cstring>
#include <string>
#include <vector>

#include "eq/runtime/error.hpp"

namespace eq {
namespace {

void check(int rc, const char* what) {
  if (rc == MPI_SUCCESS) return;
  char text[MPI_MAX_ERROR_STRING];
  int n = 0;
  MPI_Error_string(rc, text, &n);
  throw Error(std::string(what) + " failed: " + std::string(text, static_cast<std::size_t>(n)));
}

// Chunks start on 64-byte boundaries (whole cache lines, aligned vectors).
constexpr std::size_t kAlignBytes = 64;

// The sum of a chunk is made in blocks this long, in the segment, and
// copied to the output while still in the cache.
constexpr std::size_t kBlock = 2048;

// Whether /dev/shm, where Open MPI keeps shared segments, has room for
// `bytes` and as much again: a segment past a tmpfs's size is not refused
// but ends the process with SIGBUS when touched (Docker's /dev/shm is 64 MB).
bool shared_memory_has_room(std::size_t bytes) {
  struct statvfs fs {};
  if (statvfs("/dev/shm", &fs) != 0) return true;  // elsewhere: nothing to go by
  return static_cast<double>(fs.f_bavail) * static_cast<double>(fs.f_frsize) >=
         2.0 * static_cast<double>(bytes);
}

}  // namespace

struct NodeSum::Shared {
  MPI_Comm comm = MPI_COMM_NULL;  // the ranks of the machine, in the caller's order
  MPI_Win win = MPI_WIN_NULL;
  int rank = 0, size = 1;
  std::vector<std::byte*> segments;  // each rank's 2 × kRoundBytes, by rank

  ~Shared() {
    int finalised = 0;
    MPI_Finalized(&finalised);
    if (finalised) return;
    if (win != MPI_WIN_NULL) {
      MPI_Win_unlock_all(win);
      MPI_Win_free(&win);
    }
    if (comm != MPI_COMM_NULL) MPI_Comm_free(&comm);
  }
};

std::unique_ptr<NodeSum> NodeSum::on_one_machine(const void* mpi_comm) {
  const MPI_Comm world = *static_cast<const MPI_Comm*>(mpi_comm);
  auto s = std::make_unique<Shared>();
  int world_rank = 0, world_size = 1;
  MPI_Comm_rank(world, &world_rank);
  MPI_Comm_size(world, &world_size);
  // Keyed by rank: the machine's ranks keep the caller's order.
  check(MPI_Comm_split_type(world, MPI_COMM_TYPE_SHARED, world_rank, MPI_INFO_NULL, &s->comm),
        "MPI_Comm_split_type");
  MPI_Comm_set_errhandler(s->comm, MPI_ERRORS_RETURN);
  MPI_Comm_rank(s->comm, &s->rank);
  MPI_Comm_size(s->comm, &s->size);
  // Several machines: every rank sees fewer ranks on its own than in all,
  // so all of them decide alike.
  if (s->size != world_size) return nullptr;
  // No room on one rank's view: none uses it (MPI_Allreduce then).
  int room = shared_memory_has_room(2 * kRoundBytes * static_cast<std::size_t>(s->size)) ? 1 : 0;
  check(MPI_Allreduce(MPI_IN_PLACE, &room, 1, MPI_INT, MPI_MIN, s->comm), "MPI_Allreduce");
  if (!room) return nullptr;
  std::byte* mine = nullptr;
  check(MPI_Win_allocate_shared(static_cast<MPI_Aint>(2 * kRoundBytes), 1, MPI_INFO_NULL, s->comm,
                                &mine, &s->win),
        "MPI_Win_allocate_shared");
  // One passive epoch for the window's life: MPI_Win_sync around each
  // barrier then orders the loads and stores of the ranks (MPI-3 §11.5.5).
  check(MPI_Win_lock_all(MPI_MODE_NOCHECK, s->win), "MPI_Win_lock_all");
  s->segments.resize(static_cast<std::size_t>(s->size));
  for (int r = 0; r < s->size; ++r) {
    MPI_Aint bytes = 0;
    int unit = 0;
    check(MPI_Win_shared_query(s->win, r, &bytes, &unit, &s->segments[static_cast<std::size_t>(r)]),
          "MPI_Win_shared_query");
  }
  // Touched here, once: no step faults a page in.
  std::memset(mine, 0, 2 * kRoundBytes);
  auto sum = std::unique_ptr<NodeSum>(new NodeSum(std::move(s)));
  sum->barrier();
  return sum;
}

NodeSum::NodeSum(std::unique_ptr<Shared> shared) : shared_(std::move(shared)) {}
NodeSum::~NodeSum() = default;

void NodeSum::barrier() {
  MPI_Win_sync(shared_->win);
  check(MPI_Barrier(shared_->comm), "MPI_Barrier");
  MPI_Win_sync(shared_->win);
}

template <class T>
void NodeSum::round(const T* in, T* out, std::size_t n) {
  const auto ranks = static_cast<std::size_t>(shared_->size);
  const auto me = static_cast<std::size_t>(shared_->rank);
  constexpr std::size_t align = kAlignBytes / sizeof(T);
  const std::size_t chunk = ((n + ranks - 1) / ranks + align - 1) / align * align;
  const std::size_t half = (rounds_++ % 2) * kRoundBytes;
  auto at = [&](std::size_t rank) { return reinterpret_cast<T*>(shared_->segments[rank] + half); };
  auto begin = [&](std::size_t c) { return std::min(n, c * chunk); };
  auto end = [&](std::size_t c) { return std::min(n, (c + 1) * chunk); };
  // The other ranks' chunks of this rank's input, into its segment.
  T* mine = at(me);
  for (std::size_t c = 0; c < ranks; ++c)
    if (c != me) std::copy(in + begin(c), in + end(c), mine + begin(c));
  barrier();
  // This rank's chunk: every rank's part, added in rank order (this rank's
  // own from its input), into its segment block by block, then copied out.
  // The segment, not `out`, takes the sum, since `out` may be `in`.
  for (std::size_t lo = begin(me); lo < end(me); lo += kBlock) {
    const std::size_t hi = std::min(end(me), lo + kBlock);
    const T* first = me == 0 ? in : at(0);
    const T* second = me == 1 ? in : at(1);
    for (std::size_t i = lo; i < hi; ++i) mine[i] = first[i] + second[i];
    for (std::size_t r = 2; r < ranks; ++r) {
      const T* part = r == me ? in : at(r);
      for (std::size_t i = lo; i < hi; ++i) mine[i] += part[i];
    }
    std::copy(mine + lo, mine + hi, out + lo);
  }
  barrier();
  // The other chunks' sums, from the ranks that made them.
  for (std::size_t c = 0; c < ranks; ++c)
    if (c != me) std::copy(at(c) + begin(c), at(c) + end(c), out + begin(c));
}

template <class T>
void NodeSum::sum_as(std::span<const T> in, std::span<T> out) {
  EQ_ASSERT(in.size() == out.size(), "NodeSum: buffers of different sizes");
  EQ_ASSERT(shared_->size >= 2, "NodeSum of one rank");
  constexpr std::size_t per_round = kRoundBytes / sizeof(T);
  for (std::size_t at = 0; at < in.size(); at += per_round)
    round(in.data() + at, out.data() + at, std::min(per_round, in.size() - at));
}

void NodeSum::sum(std::span<const float> in, std::span<float> out) { sum_as(in, out); }
void NodeSum::sum(std::span<const double> in, std::span<double> out) { sum_as(in, out); }
void NodeSum::sum(std::span<const std::int64_t> in, std::span<std::int64_t> out) {
  sum_as(in, out);
}

}  // namespace eq
