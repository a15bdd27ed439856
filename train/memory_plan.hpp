// The memory a run will hold, estimated before anything large is allocated,
// against the memory the machine has free — so that `-D H=1000000` is a
// message with the figure, not a std::bad_alloc, nor (with overcommit) a
// process killed halfway through zeroing its buffers.
//
// Each compiled program's memory plan knows its buffers before the first
// run (runtime::Tape); training adds the optimizer's state. The data is
// loaded before the estimate (it sets dims), so the memory free by then
// already excludes it. Sizes are summed in double, so a plan whose byte count would not
// fit in 64 bits still compares (and prints) as the huge number it is.
#pragma once

#include <cstdint>
#include <optional>
#include <span>
#include <string>

#include "eq/runtime/solvers.hpp"
#include "eq/runtime/tape.hpp"

namespace eq {

struct MemoryNeed {
  std::string what;  // "the training program", "the optimizer state", …
  double bytes = 0;
};

// The bytes of a program's buffers for batch size `batch`
// (runtime::Tape::total_bytes, without its overflow).
double plan_bytes(const runtime::Tape& tape, std::int64_t batch);
// The bytes of the parameters of a program (its param buffers).
double param_bytes(const runtime::Tape& tape);
// State tensors per parameter of this optimizer (adam: m and v).
int solver_slots(const SolverConfig& config);

// Memory the process can still take: MemAvailable (/proc/meminfo), or its
// address-space limit (RLIMIT_AS) less what it maps now, when lower.
// nullopt when neither is known.
std::optional<double> available_memory();

// Throws eq::Error when the needs together exceed available_memory():
//   "not enough memory for training m.eq: it needs about 15 TiB (the training
//    program 7.3 TiB, …) but 21 GiB are available; lower batch or a dim (-D)"
// `copies`: how many trainers on this machine need as much at once (the
// processes of an MPI job on it, each process's threads), all from the one
// memory that is available.
void check_memory(const std::string& doing, std::span<const MemoryNeed> needs, int copies = 1);
// The trainers of `shares` in all (ranks × threads) that run on this
// machine: as many as the launcher put here (OMPI_COMM_WORLD_LOCAL_SIZE of
// OMPI_COMM_WORLD_SIZE), or all of them outside MPI.
int local_copies(std::int64_t shares);

// "1.5 GiB", "64 TiB", "512 bytes".
std::string byte_text(double bytes);

}  // namespace eq
