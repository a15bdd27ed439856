// MpiCommunicator: the Communicator (communicator.hpp) of the processes of
// an MPI job — MPI_COMM_WORLD, or any communicator a program gives it.
// Only in builds with MPI (built_with_mpi(); CMake found Open MPI), and
// compiled in its own file so that nothing else includes mpi.h.
//
// Sums are MPI_Allreduce(…, MPI_SUM), in place or not: Open MPI's reductions
// give every rank the same bits, which is what keeps the ranks' weights
// equal. Buffers longer than an int can count are sent in pieces. Large sums
// of ranks that all share one machine go through shared memory instead
// (NodeSum, node_sum.hpp: the same bits on every rank too), set up by the
// first of them.
#pragma once

#include <memory>

#include "eq/train/communicator.hpp"

namespace eq {

class NodeSum;

class MpiCommunicator final : public Communicator {
 public:
  // MPI_COMM_WORLD, initialising MPI if the program has not (then the
  // destructor finalises it).
  MpiCommunicator();
  // A communicator of the program's own: an MPI_Comm passed as a pointer
  // to it (`&comm`), so that this header need not include mpi.h. MPI must
  // be initialised and stay so while this object lives.
  explicit MpiCommunicator(const void* mpi_comm);
  ~MpiCommunicator() override;
  MpiCommunicator(const MpiCommunicator&) = delete;
  MpiCommunicator& operator=(const MpiCommunicator&) = delete;

  int rank() const override { return rank_; }
  int size() const override { return size_; }
  void allreduce_sum(std::span<float> data) override;
  void allreduce_sum(std::span<double> data) override;
  void allreduce_sum(std::span<std::int64_t> data) override;
  void allreduce_sum(std::span<const float> in, std::span<float> sum) override;
  void allreduce_sum(std::span<const double> in, std::span<double> sum) override;
  void broadcast(std::span<std::byte> data) override;
  std::vector<std::string> gather(std::string_view block) override;
  void barrier() override;
  // MPI_Abort on the whole communicator.
  [[noreturn]] void abort(const std::string& message) override;

 private:
  template <class T>
  void sum(std::span<const T> in, std::span<T> out);
  // Whether sums of `bytes` go through node_sum_ (made by the first one).
  bool through_node_sum(std::size_t bytes);

  struct Comm;  // holds the MPI_Comm
  std::unique_ptr<Comm> comm_;
  std::unique_ptr<NodeSum> node_sum_;  // null until tried, and when not on one machine
  bool node_sum_tried_ = false;
  int rank_ = 0, size_ = 1;
  bool finalize_ = false;
};

}  // namespace eq
