// Tape: what the compiler hands the Machine. A flat list of instructions
// over numbered values, and a memory plan that maps every value to a buffer.
// Everything here is fixed before the first run; the batch size B is the
// only thing left open (a value marked `batched` has B in front of its dims),
// so buffers are sized as fixed_bytes + per_batch_bytes·B.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "runtime/fused.hpp"
#include "runtime/kernels.hpp"
#include "runtime/tensor.hpp"

namespace eq::runtime {

enum class Kernel : std::uint8_t {
  unary,       // sub = kernels::Unary
  binary,      // sub = kernels::Binary
  reduce,      // sub = kernels::Reduce, axis
  softmax,
  logsoftmax,
  matmul,      // trans_a, trans_b; rank 1 or 2 operands, all through gemm
  transpose,
  gather,      // w, idx
  scatter,     // g, idx → zeroed, then scatter-added
  onehot,      // idx → zeroed, ones at the indices
  expand,      // numpy broadcast_to
  sum_to,
  copy,        // same count; converts dtype (cast)
  alias,       // reshape: the output shares the input's buffer; no work
  batch_size,  // fill with B
  fused,       // Tape::fused[program]: a chain of elementwise ops in one loop
};

std::string_view kernel_name(Kernel k);

struct Value {
  DType dtype = DType::f32;
  bool batched = false;
  Shape dims;       // the per-example dims when batched, else the whole shape
  int buffer = -1;  // index into Tape::buffers
  Shape at(std::int64_t batch) const { return batched ? dims.with_front(batch) : dims; }
  std::int64_t bytes(std::int64_t batch) const {
    return at(batch).numel() * static_cast<std::int64_t>(dtype_size(dtype));
  }
};

struct Instruction {
  Kernel kernel;
  std::uint8_t sub = 0;  // the kernels:: enum of unary / binary / reduce
  bool trans_a = false, trans_b = false;
  int axis = 0;
  int in[2] = {-1, -1};  // value indices
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
  std::int64_t capacity(std::int64_t batch) const {
    return std::max(fixed_bytes, per_batch_bytes * batch);
  }
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
  std::vector<int> outputs;  // values kept alive to the end, readable after run()

  // Bytes of all buffers for batch size `batch`.
  std::int64_t total_bytes(std::int64_t batch) const;
};

}  // namespace eq::runtime
