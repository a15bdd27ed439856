// parallel_for: splits a range over a small pool of persistent threads, for
// elementwise work big enough to pay for it (the embedding case: one fused
// loop over 10⁷ values). The calling thread takes the first chunk. Threads
// are started on first use and reused; a call allocates nothing.
#pragma once

#include <cstdint>
#include <type_traits>

namespace eq::runtime {

// The pool's size, including the calling thread. Defaults to the number of
// cores; set_parallel_threads(1) turns parallel_for into a plain loop.
void set_parallel_threads(int n);
int parallel_threads();

// Runs fn(ctx, begin, end) over [0, n) in at most parallel_threads() chunks
// of at least `grain` units each, and returns when every chunk is done.
void parallel_for_raw(std::int64_t n, std::int64_t grain,
                      void (*fn)(void*, std::int64_t, std::int64_t), void* ctx);

template <class F>
void parallel_for(std::int64_t n, std::int64_t grain, F&& f) {
  parallel_for_raw(
      n, grain,
      [](void* c, std::int64_t begin, std::int64_t end) {
        (*static_cast<std::remove_reference_t<F>*>(c))(begin, end);
      },
      const_cast<void*>(static_cast<const void*>(&f)));
}

}  // namespace eq::runtime
