#include "eq/train/thread_team.hpp"

#include <algorithm>
#include <cstdlib>
#include <cstring>
#include <string>
#include <thread>

#include "eq/runtime/error.hpp"
#include "eq/train/example_batches.hpp"

#if defined(__x86_64__) || defined(__i386__)
#include <immintrin.h>
#endif

namespace eq {
namespace {

void cpu_relax() {
#if defined(__x86_64__) || defined(__i386__)
  _mm_pause();
#endif
}

// Spins this many times before sleeping: 2¹⁴ pauses, 0.32 ms on the
// development machine (19 ns a pause). Split steps last milliseconds, and
// shares of equal work still end up to a few hundred µs apart; a thread that
// slept instead woke late often enough to cost the char-LSTM's split a
// fifth of its gain (threads_bench rounds of 5.5 ms, and now and then
// 7.2 ms, with 2¹¹ pauses; every round 5.3–5.6 ms with 2¹⁴). Short enough
// not to hold a core through a long wait that another process could use.
constexpr int kSpins = 1 << 14;

bool overlaps(const void* a, std::size_t a_bytes, const void* b, std::size_t b_bytes) {
  const auto x = reinterpret_cast<std::uintptr_t>(a), y = reinterpret_cast<std::uintptr_t>(b);
  return x < y + b_bytes && y < x + a_bytes;
}

// Length-prefixed blocks in one string, to gather a process's threads'
// blocks through the outer Communicator's one block per process.
void pack(std::string& out, std::string_view block) {
  const std::uint64_t n = block.size();
  out.append(reinterpret_cast<const char*>(&n), sizeof n);
  out.append(block);
}

std::vector<std::string> unpack(const std::string& packed) {
  std::vector<std::string> blocks;
  for (std::size_t at = 0; at < packed.size();) {
    std::uint64_t n;
    EQ_ASSERT(at + sizeof n <= packed.size(), "a gathered block cut short");
    std::memcpy(&n, packed.data() + at, sizeof n);
    at += sizeof n;
    EQ_ASSERT(at + n <= packed.size(), "a gathered block cut short");
    blocks.emplace_back(packed.data() + at, static_cast<std::size_t>(n));
    at += static_cast<std::size_t>(n);
  }
  return blocks;
}

}  // namespace

void ThreadTeam::Barrier::arrive_and_wait() {
  const unsigned phase = phase_.load(std::memory_order_acquire);
  if (arrived_.fetch_add(1, std::memory_order_acq_rel) + 1 == n_) {
    // The last to arrive: nobody can arrive at the next meeting before the
    // phase moves, so the count is reset first.
    arrived_.store(0, std::memory_order_relaxed);
    phase_.fetch_add(1, std::memory_order_release);
    phase_.notify_all();
    return;
  }
  for (int i = 0; i < kSpins; ++i) {
    if (phase_.load(std::memory_order_acquire) != phase) return;
    cpu_relax();
  }
  while (phase_.load(std::memory_order_acquire) == phase) phase_.wait(phase);
}

// One thread's Communicator. Every collective starts with each member
// posting its buffer and meeting the others, and ends with a meeting after
// which no member reads another's buffer, so that the next collective may
// post new ones.
class ThreadTeam::Member final : public Communicator {
 public:
  Member(ThreadTeam& team, int index) : team_(team), index_(index) {}

  int rank() const override { return team_.outer_.rank() * team_.threads_ + index_; }
  int size() const override { return team_.outer_.size() * team_.threads_; }
  const char* rank_noun() const override { return team_.outer_.size() == 1 ? "thread" : "rank"; }

  void allreduce_sum(std::span<float> data) override { sum<float>(data, data); }
  void allreduce_sum(std::span<double> data) override { sum<double>(data, data); }
  void allreduce_sum(std::span<std::int64_t> data) override { sum<std::int64_t>(data, data); }
  void allreduce_sum(std::span<const float> in, std::span<float> out) override {
    sum<float>(in, out);
  }
  void allreduce_sum(std::span<const double> in, std::span<double> out) override {
    sum<double>(in, out);
  }

  void broadcast(std::span<std::byte> data) override {
    if (index_ == 0 && outer()) team_.outer_.broadcast(data);
    post(data.data(), data.size());
    if (index_ != 0) {
      EQ_ASSERT(team_.posted_[0].size == data.size(), "a broadcast of different sizes");
      std::memcpy(data.data(), team_.posted_[0].data, data.size());
    }
    team_.sync_.arrive_and_wait();
  }

  std::vector<std::string> gather(std::string_view block) override {
    post(block.data(), block.size());
    std::vector<std::string> out;
    if (index_ == 0) {
      if (outer()) {
        std::string packed;
        for (const Posted& p : team_.posted_)
          pack(packed, std::string_view(static_cast<const char*>(p.data), p.size));
        for (const std::string& process : team_.outer_.gather(packed))
          for (std::string& b : unpack(process)) out.push_back(std::move(b));
      } else {
        for (const Posted& p : team_.posted_)
          out.emplace_back(static_cast<const char*>(p.data), p.size);
      }
    }
    team_.sync_.arrive_and_wait();
    return out;
  }

  void barrier() override {
    team_.sync_.arrive_and_wait();
    if (outer()) {
      if (index_ == 0) team_.outer_.barrier();
      team_.sync_.arrive_and_wait();
    }
  }

  [[noreturn]] void abort(const std::string& message) override {
    team_.outer_.abort(message);
    std::abort();  // not reached: GCC does not carry [[noreturn]] through a virtual call
  }

 private:
  bool outer() const { return team_.outer_.size() > 1; }

  void post(const void* data, std::size_t size) {
    team_.posted_[static_cast<std::size_t>(index_)] = {data, size};
    team_.sync_.arrive_and_wait();
  }

  // Space for a sum that must not land in `out` yet (it is this member's
  // input, which the others read): grown once, to the largest sum.
  template <class T>
  T* scratch(std::size_t n) {
    const std::size_t words = (n * sizeof(T) + sizeof(double) - 1) / sizeof(double);
    if (scratch_.size() < words) scratch_.resize(words);
    return reinterpret_cast<T*>(scratch_.data());
  }

  // Every member adds the posted buffers in rank order into its own result;
  // with an outer Communicator only member 0 does, sums that over the
  // processes and posts it for the others to copy.
  template <class T>
  void sum(std::span<const T> in, std::span<T> out) {
    EQ_ASSERT(in.size() == out.size(), "an allreduce into a buffer of another size");
    const std::size_t n = in.size(), bytes = n * sizeof(T);
    post(in.data(), n);
    for (const Posted& p : team_.posted_)
      EQ_ASSERT(p.size == n, "an allreduce of different sizes on different threads");
    const bool in_place = overlaps(in.data(), bytes, out.data(), bytes);
    T* total = in_place ? scratch<T>(n) : out.data();
    if (index_ == 0 || !outer()) {
      const T* first = static_cast<const T*>(team_.posted_[0].data);
      std::copy(first, first + n, total);
      for (std::size_t r = 1; r < team_.posted_.size(); ++r) {
        const T* x = static_cast<const T*>(team_.posted_[r].data);
        for (std::size_t i = 0; i < n; ++i) total[i] += x[i];
      }
    }
    if (!outer()) {
      team_.sync_.arrive_and_wait();  // every member has read every input
      if (in_place) std::copy(total, total + n, out.data());
      return;
    }
    if (index_ == 0) {
      team_.outer_.allreduce_sum(std::span<T>(total, n));
      team_.posted_[0] = {total, n};
    }
    team_.sync_.arrive_and_wait();  // member 0's total is the whole sum
    const T* whole = static_cast<const T*>(team_.posted_[0].data);
    if (whole != out.data()) std::copy(whole, whole + n, out.data());
    team_.sync_.arrive_and_wait();  // every member has copied it
  }

  ThreadTeam& team_;
  const int index_;
  std::vector<double> scratch_;
};

ThreadTeam::ThreadTeam(int threads, Communicator& outer)
    : threads_(threads), outer_(outer), sync_(threads), posted_(static_cast<std::size_t>(threads)) {
  EQ_ASSERT(threads >= 1, "a team of no threads");
  for (int t = 0; t < threads; ++t) members_.push_back(std::make_unique<Member>(*this, t));
}

ThreadTeam::~ThreadTeam() = default;

Communicator& ThreadTeam::member(int t) { return *members_.at(static_cast<std::size_t>(t)); }

std::vector<std::exception_ptr> ThreadTeam::run(const std::function<void(Communicator&)>& body) {
  std::vector<std::exception_ptr> thrown(static_cast<std::size_t>(threads_));
  auto one = [&](int t) {
    try {
      body(member(t));
    } catch (...) {
      thrown[static_cast<std::size_t>(t)] = std::current_exception();
    }
  };
  std::vector<std::thread> others;
  for (int t = 1; t < threads_; ++t) others.emplace_back(one, t);
  one(0);
  for (std::thread& t : others) t.join();
  return thrown;
}

TeamTrainers::TeamTrainers(Setup& setup, ThreadTeam& team) : first_rank_(team.member(0).rank()) {
  for (int t = 0; t < team.threads(); ++t) {
    Setup* own = &setup;
    if (t > 0) own = copies_.emplace_back(std::make_unique<Setup>(copy_setup(setup))).get();
    trainers_.push_back(std::make_unique<Trainer>(*own, team.member(t)));
  }
}

TeamTrainers::~TeamTrainers() = default;

Trainer& TeamTrainers::of(const Communicator& member) {
  return (*this)[member.rank() - first_rank_];
}

int batch_shares(const Setup& setup, int threads, int processes, std::int64_t min_share_work) {
  if (threads <= 1) return 1;
  const std::int64_t shares = std::int64_t{threads} * std::max(1, processes);
  const std::int64_t rows = setup.config.batch / shares;
  if (rows < kMinShareRows) return 1;
  std::int64_t weights = 0;
  for (const ModelParam& p : setup.model->params()) weights += p.node.shape().numel();
  if (weights * static_cast<std::int64_t>(dtype_size(setup.config.dtype)) > kMaxShareWeightBytes)
    return 1;
  // Each row meets every weight about once (a product's multiply-add); a
  // time model's rows are its streams' steps. In double: no overflow.
  const std::int64_t steps = setup.model->timed() ? setup.config.window_steps() : 1;
  if (static_cast<double>(weights) * static_cast<double>(rows) * static_cast<double>(steps) <
      static_cast<double>(min_share_work))
    return 1;
  if (!setup.model->timed()) {
    // The last batch of an epoch, partial, needs an example for every share.
    const std::int64_t n = setup.data.size();
    const std::int64_t train = n - held_out_examples(n, setup.config.validate, setup.data.source);
    const std::int64_t last = train % setup.config.batch;
    if (train < setup.config.batch || (last > 0 && last < shares)) return 1;
  }
  return threads;
}

}  // namespace eq
