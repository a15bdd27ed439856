// Tape: what the compiler hands the Machine. A flat list of instructions
// over numbered values, and a memory plan that maps every value to a buffer.
// Everything here is fixed before the first run; the batch size B is the
// only thing left open (a value marked `batched` has B in front of its dims),
// so buffers are sized as fixed_bytes + per_batch_bytes·B.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "eq/runtime/fused.hpp"
#include "eq/runtime/kernels.hpp"
#include "eq/runtime/tensor.hpp"

namespace eq::runtime {

// What an instruction runs, and which Instruction fields it reads. Unless
// marked, the output may not share a buffer with an input; the kinds marked
// "in place" allow it when the input has the output's shape and dtype.
enum class Kernel : std::uint8_t {
  unary,   // sub = kernels::Unary; in place
  binary,  // sub = kernels::Binary; in place
  reduce,  // sub = kernels::Reduce, axis = the first reduced axis (trailing axes)
  softmax,
  logsoftmax,
  matmul,  // trans_a, trans_b; rank 1 or 2 operands through gemm; a rank-3
           // operand (a stack of per-example matrices) through
           // kernels::batched_matmul
  transpose,
  gather,        // w, idx
  scatter,       // g, idx → zeroed, then scatter-added
  onehot,        // idx → zeroed, ones at the indices
  gather_rows,   // w, idx: the rows of w that idx names
  scatter_rows,  // g, idx → zeroed, then its rows scatter-added
  expand,        // numpy broadcast_to
  sum_to,
  copy,            // same count; converts dtype (cast)
  alias,           // reshape: the output shares the input's buffer; no work
  batch_size,      // fill with B
  fused,           // Tape::fused[program]: a chain of elementwise ops in one loop; in place
  reduce_axis,     // sub = kernels::Reduce, axis: one axis, kept with size 1
  where,           // in = {c, a, b}: a where c ≠ 0, else b, broadcasting; in place
  concat,          // parts (in order), joined along the last axis
  slice,           // axis, start, stop: x[start:stop] along axis (or the pick X[i])
  unslice,         // axis, start: zeros with in[0] placed at start (slice's adjoint)
  random_normal,   // scalar = {mean, stddev}, stream; no inputs
  random_uniform,  // scalar = {lo, hi}, stream; no inputs
  dropout,         // scalar[0] = p, stream; no inputs: the mask, 1/(1 - p) or 0
  matmul_sum,      // trans_a, trans_b: Σ over the batch of two stacks' per-example
                   // products (kernels::batched_matmul_sum)
  matmul_acc,      // trans_a, trans_b: in[0] + op(in[1])·op(in[2]), matrices, through
                   // gemm with β = 1 (in place when the output shares in[0]'s buffer)
  scatter_acc,     // c, g, idx: c with g's rows added to its columns idx (in place
                   // when the output shares c's buffer)
};

std::string_view kernel_name(Kernel k);

struct Value {
  DType dtype = DType::f32;
  bool batched = false;
  Shape dims;       // the per-example dims when batched, else the whole shape
  int buffer = -1;  // index into Tape::buffers
  Shape at(std::int64_t batch) const { return batched ? dims.with_front(batch) : dims; }
  // Checked (tensor.hpp byte_size): throws eq::Error past int64.
  std::int64_t bytes(std::int64_t batch) const { return byte_size(at(batch), dtype); }
};

struct Instruction {
  Kernel kernel;
  std::uint8_t sub = 0;  // the kernels:: enum of unary / binary / reduce / reduce_axis
  bool trans_a = false, trans_b = false;
  int axis = 0;
  std::int64_t start = 0, stop = 0;  // slice: [start, stop) along axis; unslice: start
  double scalar[2] = {0, 0};         // the noise kinds' parameters (see Kernel)
  std::uint64_t stream = 0;          // the noise kinds: which draw (kernels::NoiseKey)
  int in[3] = {-1, -1, -1};          // value indices
  std::vector<int> parts;            // concat: its inputs, in order (in[] is unused)
  int out = -1;
  int program = -1;   // fused: index into Tape::fused (its inputs are listed there)
  std::string label;  // for listings and errors: the op's name
  std::string where;  // source location "file:line:col", or ""
};

enum class BufferRole : std::uint8_t { scratch, input, param, constant };

struct Buffer {
  BufferRole role = BufferRole::scratch;
  std::int64_t fixed_bytes = 0;      // largest unbatched value placed here
  std::int64_t per_batch_bytes = 0;  // largest batched value's bytes per example
  // Checked: throws eq::Error "a batch of B examples of N bytes each is larger
  // than this machine can address".
  std::int64_t capacity(std::int64_t batch) const;
};

struct Leaf {
  std::string name;
  int value = -1;
  bool read = true;  // inputs: some instruction or output reads it, so run() needs it
};

struct Constant {
  int value = -1;
  double number = 0;
};

struct Tape {
  std::vector<Value> values;
  std::vector<Instruction> code;
  std::vector<Buffer> buffers;
  std::vector<Leaf> inputs, params;
  std::vector<Constant> constants;
  std::vector<FusedProgram> fused;  // the programs of Kernel::fused instructions
  std::vector<int> outputs;         // values kept alive to the end, readable after run()

  // Bytes of all buffers for batch size `batch` (checked, as capacity).
  std::int64_t total_bytes(std::int64_t batch) const;
};

}  // namespace eq::runtime
