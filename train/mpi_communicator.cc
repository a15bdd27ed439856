#include "eq/train/mpi_communicator.hpp"

#include "eq/train/node_sum.hpp"

// The C API only: mpi.h would otherwise pull in the deprecated C++ bindings,
// which need a library of their own.
#define OMPI_SKIP_MPICXX 1
#define MPICH_SKIP_MPICXX 1
#include <mpi.h>

#include <algorithm>
#include <climits>
#include <cstdio>
#include <cstdlib>

namespace eq {
namespace {

// MPI counts are ints: longer buffers go in pieces of at most this many.
constexpr std::size_t kMaxCount = INT_MAX / 2;

void check(int rc, const char* what) {
  if (rc == MPI_SUCCESS) return;
  char text[MPI_MAX_ERROR_STRING];
  int n = 0;
  MPI_Error_string(rc, text, &n);
  throw Error(std::string(what) + " failed: " + std::string(text, static_cast<std::size_t>(n)));
}

// Calls f(offset, count) for pieces of at most kMaxCount covering [0, size).
template <class F>
void in_pieces(std::size_t size, F f) {
  for (std::size_t at = 0; at < size; at += kMaxCount)
    f(at, static_cast<int>(std::min(kMaxCount, size - at)));
}

template <class T>
MPI_Datatype mpi_type();
template <>
MPI_Datatype mpi_type<float>() {
  return MPI_FLOAT;
}
template <>
MPI_Datatype mpi_type<double>() {
  return MPI_DOUBLE;
}
template <>
MPI_Datatype mpi_type<std::int64_t>() {
  return MPI_INT64_T;
}

}  // namespace

struct MpiCommunicator::Comm {
  MPI_Comm comm = MPI_COMM_WORLD;
};

MpiCommunicator::MpiCommunicator() : comm_(std::make_unique<Comm>()) {
  int initialised = 0;
  MPI_Initialized(&initialised);
  if (!initialised) {
    int provided = 0;
    check(MPI_Init_thread(nullptr, nullptr, MPI_THREAD_FUNNELED, &provided), "MPI_Init_thread");
    finalize_ = true;
  }
  // Errors come back as return codes (check() turns them into eq::Error)
  // rather than ending the process without a word.
  MPI_Comm_set_errhandler(comm_->comm, MPI_ERRORS_RETURN);
  MPI_Comm_rank(comm_->comm, &rank_);
  MPI_Comm_size(comm_->comm, &size_);
}

MpiCommunicator::MpiCommunicator(const void* mpi_comm) : comm_(std::make_unique<Comm>()) {
  comm_->comm = *static_cast<const MPI_Comm*>(mpi_comm);
  MPI_Comm_rank(comm_->comm, &rank_);
  MPI_Comm_size(comm_->comm, &size_);
}

MpiCommunicator::~MpiCommunicator() {
  node_sum_.reset();  // its window and communicator go before MPI does
  int finalised = 0;
  MPI_Finalized(&finalised);
  if (finalize_ && !finalised) MPI_Finalize();
}

bool MpiCommunicator::through_node_sum(std::size_t bytes) {
  if (size_ < 2 || bytes < NodeSum::kMinBytes) return false;
  if (!node_sum_tried_) {  // collective: every rank comes here with the same first large sum
    node_sum_tried_ = true;
    node_sum_ = NodeSum::on_one_machine(&comm_->comm);
  }
  return node_sum_ != nullptr;
}

template <class T>
void MpiCommunicator::sum(std::span<const T> in, std::span<T> out) {
  if (in.size() != out.size()) throw Error("MPI_Allreduce: buffers of different sizes");
  if (through_node_sum(in.size_bytes())) return node_sum_->sum(in, out);
  const bool in_place = in.data() == out.data();
  in_pieces(in.size(), [&](std::size_t at, int n) {
    check(MPI_Allreduce(in_place ? MPI_IN_PLACE : in.data() + at, out.data() + at, n, mpi_type<T>(),
                        MPI_SUM, comm_->comm),
          "MPI_Allreduce");
  });
}

void MpiCommunicator::allreduce_sum(std::span<float> data) { sum<float>(data, data); }
void MpiCommunicator::allreduce_sum(std::span<double> data) { sum<double>(data, data); }
void MpiCommunicator::allreduce_sum(std::span<std::int64_t> data) { sum<std::int64_t>(data, data); }
void MpiCommunicator::allreduce_sum(std::span<const float> in, std::span<float> sum) {
  this->sum(in, sum);
}
void MpiCommunicator::allreduce_sum(std::span<const double> in, std::span<double> sum) {
  this->sum(in, sum);
}

void MpiCommunicator::broadcast(std::span<std::byte> data) {
  in_pieces(data.size(), [&](std::size_t at, int n) {
    check(MPI_Bcast(data.data() + at, n, MPI_BYTE, 0, comm_->comm), "MPI_Bcast");
  });
}

std::vector<std::string> MpiCommunicator::gather(std::string_view block) {
  // The sizes first, then the blocks back to back (MPI_Gatherv counts in ints).
  std::vector<int> sizes(static_cast<std::size_t>(size_)), offsets(static_cast<std::size_t>(size_));
  if (block.size() > kMaxCount)
    throw Error("MPI gather: a block of " + std::to_string(block.size()) + " bytes is too large");
  int mine = static_cast<int>(block.size());
  check(MPI_Gather(&mine, 1, MPI_INT, sizes.data(), 1, MPI_INT, 0, comm_->comm), "MPI_Gather");
  std::string all;
  if (rank_ == 0) {
    std::size_t total = 0;
    for (std::size_t r = 0; r < sizes.size(); ++r) {
      offsets[r] = static_cast<int>(total);
      total += static_cast<std::size_t>(sizes[r]);
      if (total > kMaxCount)
        throw Error("MPI gather: " + std::to_string(total) + " bytes in all is too many");
    }
    all.resize(total);
  }
  check(MPI_Gatherv(block.data(), mine, MPI_BYTE, all.data(), sizes.data(), offsets.data(),
                    MPI_BYTE, 0, comm_->comm),
        "MPI_Gatherv");
  std::vector<std::string> out;
  if (rank_ == 0)
    for (std::size_t r = 0; r < sizes.size(); ++r)
      out.push_back(
          all.substr(static_cast<std::size_t>(offsets[r]), static_cast<std::size_t>(sizes[r])));
  return out;
}

void MpiCommunicator::barrier() { check(MPI_Barrier(comm_->comm), "MPI_Barrier"); }

void MpiCommunicator::abort(const std::string& message) {
  std::string m = message;
  while (!m.empty() && m.back() == '\n') m.pop_back();
  std::fprintf(stderr, "%s\n", m.c_str());
  std::fflush(stderr);
  MPI_Abort(comm_->comm, 1);
  std::_Exit(1);  // MPI_Abort does not return; in case it does
}

}  // namespace eq
