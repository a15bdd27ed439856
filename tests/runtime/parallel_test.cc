// The thread pool behind big fused loops: every index once, exceptions
// reach the caller, and resizing while another thread uses it neither hangs
// nor loses work.
#include "eq/runtime/parallel.hpp"

#include <atomic>
#include <catch2/catch.hpp>
#include <chrono>
#include <stdexcept>
#include <thread>
#include <vector>

using eq::runtime::parallel_for;

TEST_CASE("parallel_for covers the range once, in chunks of at least the grain", "[parallel]") {
  eq::runtime::set_parallel_threads(2);
  std::vector<std::atomic<int>> hits(100000);
  parallel_for(100000, 1000, [&](std::int64_t lo, std::int64_t hi) {
    CHECK(hi - lo >= 1000);
    for (std::int64_t i = lo; i < hi; ++i) ++hits[static_cast<std::size_t>(i)];
  });
  for (const auto& h : hits) REQUIRE(h == 1);
  int calls = 0;
  parallel_for(10, 1000, [&](std::int64_t lo, std::int64_t hi) {  // too small to split
    ++calls;
    CHECK(lo == 0);
    CHECK(hi == 10);
  });
  CHECK(calls == 1);
}

TEST_CASE("an exception in any chunk reaches the caller, and the pool goes on", "[parallel]") {
  eq::runtime::set_parallel_threads(2);
  for (std::int64_t bad :
       {std::int64_t{0}, std::int64_t{99999}}) {  // the caller's chunk, a worker's
    CHECK_THROWS_WITH(parallel_for(100000, 1000,
                                   [&](std::int64_t lo, std::int64_t hi) {
                                     if (lo <= bad && bad < hi)
                                       throw std::runtime_error("chunk failed");
                                   }),
                      "chunk failed");
  }
  std::atomic<std::int64_t> sum{0};
  parallel_for(100000, 1000, [&](std::int64_t lo, std::int64_t hi) { sum += hi - lo; });
  CHECK(sum == 100000);
}

TEST_CASE("resizing the pool while another thread uses it finishes every job", "[parallel]") {
  std::atomic<bool> done{false};
  std::atomic<int> jobs{0};
  std::thread user([&] {
    for (int j = 0; j < 200; ++j) {
      std::atomic<std::int64_t> sum{0};
      parallel_for(1 << 16, 1 << 10, [&](std::int64_t lo, std::int64_t hi) { sum += hi - lo; });
      CHECK(sum == (1 << 16));
      ++jobs;
    }
    done = true;
  });
  for (int k = 0; !done; ++k) eq::runtime::set_parallel_threads(2 + k % 3);
  user.join();
  CHECK(jobs == 200);
  eq::runtime::set_parallel_threads(2);
}

// Two threads of a ThreadTeam run their own shares' small loops at the same
// time: a loop too small to split must not wait for another thread's. Each
// loop here waits for the other to have started; if the pool made them take
// turns, the first would wait out its 10 s and the check would fail.
TEST_CASE("loops too small to split run at once on different threads", "[parallel]") {
  eq::runtime::set_parallel_threads(2);
  std::atomic<int> started{0};
  auto meet = [&](std::int64_t, std::int64_t) {
    ++started;
    const auto until = std::chrono::steady_clock::now() + std::chrono::seconds(10);
    while (started.load() < 2 && std::chrono::steady_clock::now() < until)
      std::this_thread::yield();
  };
  std::atomic<int> met{0};
  auto one = [&] {
    parallel_for(100, 1 << 10, meet);
    if (started.load() == 2) ++met;
  };
  std::thread other(one);
  one();
  other.join();
  CHECK(met == 2);
}
