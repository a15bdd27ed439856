// ThreadGroup: a Communicator (train/communicator.hpp) between N threads of
// one test process, over shared memory — so that the loop's data
// parallelism (shares, gradient sums, gathered checkpoints, failures that
// reach every rank) is tested in every build, under the sanitizers, without
// MPI. The MPI tests (tests/train/mpi_*) run the same loop across processes.
//
// Each collective posts this rank's buffer, waits for every rank, reads the
// others', and waits again before any rank may post the next. Sums add the
// ranks in rank order on every rank, so every rank gets the same bits, as
// MPI's do.
#pragma once

#include <barrier>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <exception>
#include <memory>
#include <thread>
#include <vector>

#include "eq/train/communicator.hpp"

namespace eq::testing {

class ThreadGroup {
 public:
  explicit ThreadGroup(int size)
      : size_(size), sync_(size), posted_(static_cast<std::size_t>(size)) {}

  class Rank final : public Communicator {
   public:
    Rank(ThreadGroup& group, int rank) : group_(group), rank_(rank) {}
    int rank() const override { return rank_; }
    int size() const override { return group_.size_; }
    void allreduce_sum(std::span<float> data) override { sum(data); }
    void allreduce_sum(std::span<double> data) override { sum(data); }
    void allreduce_sum(std::span<std::int64_t> data) override { sum(data); }
    void allreduce_sum(std::span<const float> in, std::span<float> out) override { sum(in, out); }
    void allreduce_sum(std::span<const double> in, std::span<double> out) override { sum(in, out); }
    void broadcast(std::span<std::byte> data) override {
      post(data.data(), data.size());
      if (rank_ != 0) std::memcpy(data.data(), group_.posted_[0].data, data.size());
      group_.sync_.arrive_and_wait();
    }
    std::vector<std::string> gather(std::string_view block) override {
      post(block.data(), block.size());
      std::vector<std::string> out;
      if (rank_ == 0)
        for (const Posted& p : group_.posted_)
          out.emplace_back(static_cast<const char*>(p.data), p.size);
      group_.sync_.arrive_and_wait();
      return out;
    }
    void barrier() override { group_.sync_.arrive_and_wait(); }
    [[noreturn]] void abort(const std::string& message) override {
      std::fprintf(stderr, "%s\n", message.c_str());
      std::abort();
    }

   private:
    void post(const void* data, std::size_t size) {
      group_.posted_[static_cast<std::size_t>(rank_)] = {data, size};
      group_.sync_.arrive_and_wait();
    }
    template <class T>
    void sum(std::span<const T> in, std::span<T> out) {
      post(in.data(), in.size());
      std::vector<T> total(in.size(), T(0));
      for (const Posted& p : group_.posted_)
        for (std::size_t i = 0; i < in.size(); ++i) total[i] += static_cast<const T*>(p.data)[i];
      group_.sync_.arrive_and_wait();  // every rank has read every buffer
      std::copy(total.begin(), total.end(), out.begin());
    }
    template <class T>
    void sum(std::span<T> data) {
      sum(std::span<const T>(data), data);
    }
    ThreadGroup& group_;
    int rank_;
  };

  // Runs body(rank's communicator) on `size` threads, rank 0 on this one,
  // and returns what each rank threw (null: nothing). Catch2's assertions
  // are not thread-safe: a body records, the test checks after run().
  template <class F>
  std::vector<std::exception_ptr> run(F body) {
    std::vector<std::unique_ptr<Rank>> ranks;
    for (int r = 0; r < size_; ++r) ranks.push_back(std::make_unique<Rank>(*this, r));
    std::vector<std::exception_ptr> thrown(static_cast<std::size_t>(size_));
    auto one = [&](int r) {
      try {
        body(static_cast<Communicator&>(*ranks[static_cast<std::size_t>(r)]));
      } catch (...) {
        thrown[static_cast<std::size_t>(r)] = std::current_exception();
      }
    };
    std::vector<std::thread> others;
    for (int r = 1; r < size_; ++r) others.emplace_back(one, r);
    one(0);
    for (std::thread& t : others) t.join();
    return thrown;
  }

 private:
  struct Posted {
    const void* data = nullptr;
    std::size_t size = 0;
  };
  int size_;
  std::barrier<> sync_;
  std::vector<Posted> posted_;
};

}  // namespace eq::testing
