// Where eq's large buffers come from: tensors and the Machine's blocks.
// One allocator, so that every allocation is 64-byte aligned and zeroed, and
// a failed one is an eq::Error that says how much was asked for and for what
// (rather than a std::bad_alloc that reaches the user as an abort):
//   "out of memory: a tensor of 1099511627776 × 16 elements of 4 bytes needs
//    70368744177664 bytes (64 TiB), more than this machine has (23.4 GiB)"
// A request larger than the machine's memory (RAM and swap, or the process's
// address-space limit) is refused before the system is asked: with
// overcommit, the system could grant it and the process would die touching it.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

namespace eq {

// `bytes` of zeroed memory, 64-byte aligned (a cache line, and enough for
// AVX-512 loads); never null, even for 0 bytes. `what` names the buffer in
// the error. Release with std::free.
void* allocate_zeroed(std::int64_t bytes, std::string_view what);

// Throws the "out of memory" eq::Error above unless `bytes` (in one or
// several allocations) fit in memory_limit(). For a caller about to make
// many allocations, so the message gives their total.
void check_fits(std::int64_t bytes, std::string_view what);

// The most memory this process could hold: RAM plus swap, or its
// address-space or data limit when lower.
std::int64_t memory_limit();

// "64 TiB", "1.5 GiB", "512 bytes": a size for people.
std::string human_bytes(std::int64_t bytes);

}  // namespace eq
