// Fused elementwise loops: one tape instruction that evaluates a small
// program of unary / binary elementwise ops over its inputs, blockwise.
//
// The compiler (compiler/passes/fuse.cc) turns a tree of elementwise nodes
// such as σ(a + b + c) into a FusedProgram; the Machine runs it with
// run_fused. Each block of kBlock elements is computed step by step on small
// arrays on the stack, so every step is a tight loop the compiler
// vectorises, intermediate values never touch the tape's buffers, and each
// input and the output are streamed through memory once.
//
// Inputs may be the output's shape (read element for element), a single
// element (a scalar, read once), or a row repeated over the leading axes
// (the `+ b` bias over a batch: the output's element count is a multiple of
// the row's). Nothing is allocated while running.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "eq/runtime/kernels.hpp"
#include "eq/runtime/tensor.hpp"

namespace eq::runtime {

// Where a step's operand comes from.
struct FusedOperand {
  enum class Kind : std::uint8_t { slot, input, constant };
  Kind kind = Kind::slot;
  int index = 0;  // slot number, index into FusedProgram::inputs, or into constants
};

// dest = op(a) or op(a, b). The last step writes the instruction's output;
// every other step writes a slot (a block-sized stack array).
struct FusedStep {
  bool binary = false;
  std::uint8_t sub = 0;  // kernels::Unary or kernels::Binary
  FusedOperand a, b;
  int dest = 0;  // slot
};

struct FusedProgram {
  static constexpr int kMaxInputs = 8;
  static constexpr int kMaxSlots = 6;
  static constexpr int kMaxSteps = 32;
  static constexpr std::int64_t kBlock = 256;

  std::vector<int> inputs;        // tape values, at most kMaxInputs
  std::vector<double> constants;  // scalar immediates
  std::vector<FusedStep> steps;   // at most kMaxSteps
  int slots = 0;                  // at most kMaxSlots

  // "fused[add,add,sigmoid]": the ops in evaluation order.
  std::string label() const;
};

// Runs `program` with inputs[k] bound to program.inputs[k]; every float
// operand and the output share one dtype. The output may alias an input of
// its own shape (each block is read before it is written).
void run_fused(const FusedProgram& program, const ConstView* inputs, View out);

}  // namespace eq::runtime
