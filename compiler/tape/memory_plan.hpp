// The memory plan of a tape: which buffer holds each value (ggml's
// graph-allocator idea: plan once, before the first run).
//
// A leaf (input, parameter, constant) has a buffer of its own. Every other
// value takes a free scratch buffer, and a scratch buffer is free again once
// every value in it is dead — once the last step reading each of them has
// run. A reshape (Kernel::alias) shares its input's buffer; an elementwise
// step writes in place over an input of its shape and dtype that dies with
// it (elementwise loops read each element before writing it). Buffers are
// sized as they are filled: the largest value placed in each, per example
// for batched values.
#pragma once

#include <vector>

#include "eq/runtime/tape.hpp"

namespace eq {

class MemoryPlan {
 public:
  // last_use[v] is the last step that reads value v: the step count for an
  // output (it must outlive the run), -1 for a value nobody reads.
  MemoryPlan(runtime::Tape& tape, std::vector<int> last_use);

  // A buffer of its own for a leaf's value.
  void place_leaf(int value, runtime::BufferRole role);

  // The buffer of the output of `step`, which runs `ins` reading the values
  // `reads` (each once). `in_place`: the step may overwrite one of them.
  void place_output(int step, const runtime::Instruction& ins, const std::vector<int>& reads,
                    bool in_place);

  // After `step` has run: gives back the scratch buffers whose last value
  // died there — the inputs read for the last time, and the output itself
  // when nobody reads it.
  void release(int step, int out, const std::vector<int>& reads);

 private:
  int fresh(runtime::BufferRole role);
  int take_scratch();
  void place(int value, int buffer);
  void hold(int buffer);
  void drop(int buffer);
  bool dies_at(int value, int step) const;
  bool is_scratch(int buffer) const;
  int buffer_of(int value) const;

  runtime::Tape& tape_;
  std::vector<int> last_use_;
  std::vector<int> free_;     // scratch buffers holding no live value
  std::vector<int> holders_;  // holders_[b]: the live values in buffer b
};

}  // namespace eq
