// Ctrl-C (SIGINT) and SIGTERM during `eqc train`: the first asks the run to
// stop after the step in progress, so that the weights (and a checkpoint)
// are saved and the run can be resumed; a second one exits at once (130),
// for a user who does not want to wait for the save.
//
// The handler only records the signal (an atomic flag, async-signal-safe);
// the training loop reads it between steps (TrainHooks::stop).
#pragma once

#include "cli/commands.hpp"

namespace eq::cli {

// While alive, SIGINT and SIGTERM are caught as above (unless ignored when
// it starts: then they stay ignored); the handlers before are restored when
// it ends. One at a time. `announce`: whether the first signal is answered
// with a line at once. Not of several processes: there rank 0 says so once
// the ranks have agreed to stop (TrainHooks::on_stop), since mpirun's
// SIGTERM after another rank died is no stop that can save.
class InterruptGuard {
 public:
  explicit InterruptGuard(bool announce = true);
  ~InterruptGuard();
  InterruptGuard(const InterruptGuard&) = delete;
  InterruptGuard& operator=(const InterruptGuard&) = delete;

  // The first signal caught ("SIGINT" / "SIGTERM"), or nullptr.
  static const char* caught();
};

}  // namespace eq::cli
