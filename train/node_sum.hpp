// NodeSum: the element-wise sum over the ranks of an MPI communicator whose
// processes all run on one machine, through a segment of memory they share,
// for the large buffers of a training step (MpiCommunicator uses it for
// sums of kMinBytes and more; docs/scaling.md has the measurements).
//
// Why not MPI_Allreduce: Open MPI's shared-memory transport moves a large
// message with one process_vm_readv (CMA) per message, and its ring
// algorithm mallocs (so mmaps, faults in and munmaps) a scratch buffer of
// half the message on every call. Both are work for the kernel, and in a
// virtual machine whose page tables the hypervisor keeps (as the one eq is
// developed on), each page of it costs microseconds: 84 MB of gradients
// took 0.37 s a step with 2 ranks, against 30–40 ms here. This sum makes no
// system call and touches no new page after the first one: the segment is
// allocated and touched once, and every step only loads and stores.
//
// A buffer is summed in rounds of at most kRoundBytes. In a round each rank
// owns a chunk (1/N of the round): it copies the other ranks' chunks of its
// input into its half of the segment; after a barrier it adds, in rank
// order, every rank's copy of its own chunk and writes the sum to its
// output and back to the segment; after a second barrier it copies the
// other chunks' sums out. Every element is added by one rank, in rank
// order, so every rank gets the same bits. The segment holds two rounds,
// used in turn across calls, so that a round's copy-in never overwrites
// what a rank still reads from the round before: two barriers a round.
//
// Collective: every rank calls with the same sizes, in the same order.
#pragma once

#include <cstddef>
#include <cstdint>
#include <memory>
#include <span>

namespace eq {

class NodeSum {
 public:
  // Sums of at least this many bytes go through NodeSum.
  static constexpr std::size_t kMinBytes = std::size_t{64} << 10;
  // The bytes of a buffer summed in one round (two barriers).
  static constexpr std::size_t kRoundBytes = std::size_t{8} << 20;

  // Collective over `mpi_comm` (an MPI_Comm passed as `&comm`, as to
  // MpiCommunicator): a NodeSum when all its processes share this machine
  // and /dev/shm has room, else nullptr (MPI_Allreduce is the sum then).
  // Allocates 2 × kRoundBytes of shared memory a rank.
  static std::unique_ptr<NodeSum> on_one_machine(const void* mpi_comm);
  ~NodeSum();
  NodeSum(const NodeSum&) = delete;
  NodeSum& operator=(const NodeSum&) = delete;

  // out = Σ over ranks of in. `in` and `out` have the same size and are the
  // same buffer or do not overlap. Throws eq::Error when MPI fails.
  void sum(std::span<const float> in, std::span<float> out);
  void sum(std::span<const double> in, std::span<double> out);
  void sum(std::span<const std::int64_t> in, std::span<std::int64_t> out);

 private:
  struct Shared;  // the MPI communicator and window
  explicit NodeSum(std::unique_ptr<Shared> shared);
  template <class T>
  void sum_as(std::span<const T> in, std::span<T> out);
  template <class T>
  void round(const T* in, T* out, std::size_t n);
  void barrier();

  std::unique_ptr<Shared> shared_;
  std::uint64_t rounds_ = 0;  // rounds done: which half of the segment is next
};

}  // namespace eq
