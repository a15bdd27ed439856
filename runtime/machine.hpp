// Machine: runs a Tape. It owns one block of memory per buffer of the plan,
// sized on the first run for the batch size given (and again only if a later
// run brings a larger batch), so the second and later runs allocate nothing.
// Parameters and constants keep their values across runs.
#pragma once

#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "eq/runtime/tape.hpp"

namespace eq::runtime {

class Machine {
 public:
  explicit Machine(Tape tape);
  Machine(Machine&&) noexcept;
  Machine& operator=(Machine&&) noexcept;
  ~Machine();

  const Tape& tape() const { return tape_; }

  // Copies data into an input value. A batched input takes [B, dims...]; all
  // batched inputs of one run must agree on B. Throws eq::Error on a shape
  // or dtype mismatch (f32 and f64 data are converted).
  void let(int value, ConstView data);
  // A parameter's storage, to initialise, read or update in place.
  View param(int value);
  // Any value's current contents (valid after run() for outputs, params,
  // inputs and constants; other values may have been overwritten).
  ConstView value(int value) const;
  // Whether a value holds contents: parameters and constants always, an
  // input once let, a computed value after a run() that followed the last
  // let() (before it, the contents are zeros or an earlier batch's).
  bool holds(int value) const;

  // Runs every instruction once with the batch size set by let(). Every
  // input must have been given (eq::Error names the first that was not).
  void run();

  // What the noise kinds of the next runs draw (kernels::NoiseKey): the
  // numbers for `seed` at `step`, for examples first_row, first_row + 1, …
  // of a batched value (an unbatched one is drawn as example 0). The
  // default is seed 0, step 0, first row 0.
  void set_noise(std::uint64_t seed, std::uint64_t step, std::int64_t first_row = 0);
  std::int64_t batch() const { return batch_; }

  // Checking mode: after each instruction, a NaN or Inf in its output stops
  // the run with an eq::Error naming the op and its source location.
  void set_check_finite(bool on) { check_finite_ = on; }

  // Profiling mode: run() times every instruction and adds the seconds to
  // its kernel's total (the per-instruction cost is two clock reads).
  void set_profile(bool on);
  // Seconds spent per instruction label ("matmul", "fused[add,sigmoid]", …)
  // and how many instructions ran, since profiling was turned on.
  struct ProfileEntry {
    std::string label;
    double seconds = 0;
    std::int64_t count = 0;
  };
  std::vector<ProfileEntry> profile() const;
  // The same, instruction by instruction: seconds spent in tape.code[i]
  // since profiling was turned on (empty if it never was).
  const std::vector<double>& instruction_seconds() const { return seconds_; }

 private:
  void ensure_capacity(std::int64_t batch);
  View view(int value);
  void execute(const Instruction& ins);
  void check_finite(const Instruction& ins);

  Tape tape_;
  struct Block;
  std::vector<std::unique_ptr<Block>> blocks_;  // one per buffer
  std::int64_t batch_ = 0;                      // the batch size of the next / last run
  std::int64_t allocated_ = -1;                 // the batch size blocks are sized for
  bool check_finite_ = false;
  bool ran_ = false;  // run() has completed since the last let()
  // The batch each input was last given (−1: never; 0: an unbatched input
  // given), to catch an input never given and a run whose
  // inputs disagree; and the last input given, to name it.
  std::vector<std::int64_t> given_batch_;
  int last_given_ = -1;
  bool profile_ = false;
  std::vector<double> seconds_;  // per instruction, while profiling
  std::vector<std::int64_t> counts_;
  std::uint64_t noise_seed_ = 0, noise_step_ = 0;
  std::int64_t noise_first_row_ = 0;
  // Views of a concat's parts, sized for the longest one when the Machine
  // is built (a run allocates nothing).
  std::vector<ConstView> parts_;
};

}  // namespace eq::runtime
