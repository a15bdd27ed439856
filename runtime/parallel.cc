#include "eq/runtime/parallel.hpp"

#include <algorithm>
#include <atomic>
#include <condition_variable>
#include <exception>
#include <mutex>
#include <thread>
#include <vector>

namespace eq::runtime {
namespace {

// One job at a time: the workers wait for a new generation, run their chunk
// and count down; the caller runs chunk 0 and waits for the count to reach 0.
class Pool {
 public:
  ~Pool() {
    std::lock_guard<std::mutex> call(call_mutex_);
    stop();
  }

  int size() const { return wanted_.load(); }
  void resize(int n) {
    std::lock_guard<std::mutex> call(call_mutex_);  // never while a job runs
    stop();
    wanted_.store(std::max(1, n));
  }

  void run(std::int64_t n, std::int64_t grain, void (*fn)(void*, std::int64_t, std::int64_t),
           void* ctx) {
    // A loop too small to split runs here and takes no lock: the threads of a
    // ThreadTeam each run their own share's fused loops at once, and a lock
    // taken per loop made them take turns (each thread's tape ran 27 % slower).
    if (chunks_for(n, grain, wanted_.load(std::memory_order_relaxed)) <= 1) {
      fn(ctx, 0, n);
      return;
    }
    std::unique_lock<std::mutex> call(call_mutex_);  // one job at a time
    const int threads = size();
    const std::int64_t chunks = chunks_for(n, grain, threads);
    if (chunks <= 1) {
      fn(ctx, 0, n);
      return;
    }
    start(threads);
    {
      std::lock_guard<std::mutex> lock(mutex_);
      fn_ = fn;
      ctx_ = ctx;
      n_ = n;
      chunks_ = chunks;
      pending_ = static_cast<int>(chunks - 1);
      ++generation_;
    }
    wake_.notify_all();
    // Wait for the workers even when this thread's chunk throws: they still
    // use ctx, and the next job needs pending_ at 0.
    std::exception_ptr failed;
    try {
      fn(ctx, 0, bound(1));
    } catch (...) {
      failed = std::current_exception();
    }
    std::unique_lock<std::mutex> lock(mutex_);
    done_.wait(lock, [&] { return pending_ == 0; });
    if (!failed) failed = worker_error_;
    worker_error_ = nullptr;
    lock.unlock();
    if (failed) std::rethrow_exception(failed);
  }

 private:
  static std::int64_t chunks_for(std::int64_t n, std::int64_t grain, int threads) {
    return std::min<std::int64_t>(threads,
                                  std::max<std::int64_t>(1, n / std::max<std::int64_t>(grain, 1)));
  }

  // Where chunk k starts (chunk `chunks_` is the end).
  std::int64_t bound(std::int64_t k) const { return n_ * k / chunks_; }

  void start(int threads) {
    std::lock_guard<std::mutex> lock(mutex_);
    if (!workers_.empty()) return;
    quit_ = false;
    // A new worker has seen every job so far: generation_ counts jobs since the
    // pool was made, not since these workers started, and a worker that took
    // the last job for new would run it again with its dangling context.
    const std::uint64_t seen = generation_;
    for (int k = 1; k < threads; ++k) workers_.emplace_back([this, k, seen] { work(k, seen); });
  }

  void stop() {
    {
      std::lock_guard<std::mutex> lock(mutex_);
      if (workers_.empty()) return;
      quit_ = true;
    }
    wake_.notify_all();
    for (std::thread& t : workers_) t.join();
    std::lock_guard<std::mutex> lock(mutex_);
    workers_.clear();
  }

  void work(int k, std::uint64_t seen) {
    for (;;) {
      std::unique_lock<std::mutex> lock(mutex_);
      wake_.wait(lock, [&] { return quit_ || generation_ != seen; });
      if (generation_ == seen) return;  // quit, with no job of ours pending
      seen = generation_;
      if (k >= chunks_) continue;
      auto fn = fn_;
      void* ctx = ctx_;
      const std::int64_t begin = bound(k), end = bound(k + 1);
      lock.unlock();
      std::exception_ptr failed;
      try {
        fn(ctx, begin, end);
      } catch (...) {
        failed = std::current_exception();
      }
      lock.lock();
      if (failed && !worker_error_) worker_error_ = failed;
      if (--pending_ == 0) done_.notify_one();
    }
  }

  std::mutex call_mutex_, mutex_;
  std::condition_variable wake_, done_;
  std::vector<std::thread> workers_;
  std::atomic<int> wanted_{std::max(1, static_cast<int>(std::thread::hardware_concurrency()))};
  bool quit_ = false;
  std::uint64_t generation_ = 0;
  void (*fn_)(void*, std::int64_t, std::int64_t) = nullptr;
  void* ctx_ = nullptr;
  std::int64_t n_ = 0, chunks_ = 1;
  int pending_ = 0;
  std::exception_ptr worker_error_;  // the first exception of a worker's chunk
};

Pool& pool() {
  static Pool p;
  return p;
}

}  // namespace

void set_parallel_threads(int n) { pool().resize(n); }
int parallel_threads() { return pool().size(); }

void parallel_for_raw(std::int64_t n, std::int64_t grain,
                      void (*fn)(void*, std::int64_t, std::int64_t), void* ctx) {
  if (n <= 0) return;
  pool().run(n, grain, fn, ctx);
}

}  // namespace eq::runtime
