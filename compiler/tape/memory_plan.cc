#include "eq/compiler/tape/memory_plan.hpp"

#include <algorithm>

namespace eq {

using runtime::Buffer;
using runtime::BufferRole;

MemoryPlan::MemoryPlan(runtime::Tape& tape, std::vector<int> last_use)
    : tape_(tape), last_use_(std::move(last_use)) {}

void MemoryPlan::place_leaf(int value, BufferRole role) { place(value, fresh(role)); }

void MemoryPlan::place_output(int step, const runtime::Instruction& ins,
                              const std::vector<int>& reads, bool in_place) {
  int buffer = -1;
  if (ins.kernel == runtime::Kernel::alias) {
    buffer = buffer_of(ins.in[0]);
  } else if (in_place) {
    const runtime::Value& out = tape_.values[static_cast<std::size_t>(ins.out)];
    for (std::size_t i = 0; i < reads.size() && buffer < 0; ++i) {
      const runtime::Value& x = tape_.values[static_cast<std::size_t>(reads[i])];
      const int b = x.buffer;
      // Only a scratch buffer that this input alone occupies can be overwritten.
      if (x.batched == out.batched && x.dims == out.dims && x.dtype == out.dtype &&
          dies_at(reads[i], step) && is_scratch(b) && holders_[static_cast<std::size_t>(b)] == 1)
        buffer = b;
    }
  }
  if (buffer < 0) buffer = take_scratch();
  place(ins.out, buffer);
  hold(buffer);
}

void MemoryPlan::release(int step, int out, const std::vector<int>& reads) {
  for (int v : reads)
    if (dies_at(v, step) && is_scratch(buffer_of(v))) drop(buffer_of(v));
  const bool unread = last_use_[static_cast<std::size_t>(out)] < 0;
  if (unread && is_scratch(buffer_of(out))) drop(buffer_of(out));
}

int MemoryPlan::fresh(BufferRole role) {
  tape_.buffers.push_back(Buffer{role, 0, 0});
  return static_cast<int>(tape_.buffers.size()) - 1;
}

int MemoryPlan::take_scratch() {
  if (free_.empty()) return fresh(BufferRole::scratch);
  int b = free_.back();
  free_.pop_back();
  return b;
}

void MemoryPlan::place(int value, int buffer) {
  runtime::Value& v = tape_.values[static_cast<std::size_t>(value)];
  v.buffer = buffer;
  Buffer& b = tape_.buffers[static_cast<std::size_t>(buffer)];
  // Checked: a value past int64 bytes is an eq::Error with the figure, not a
  // wrapped-around size that a buffer is then allocated by.
  const std::int64_t bytes = byte_size(v.dims, v.dtype);
  if (v.batched)
    b.per_batch_bytes = std::max(b.per_batch_bytes, bytes);
  else
    b.fixed_bytes = std::max(b.fixed_bytes, bytes);
}

void MemoryPlan::hold(int buffer) {
  if (static_cast<int>(holders_.size()) <= buffer)
    holders_.resize(static_cast<std::size_t>(buffer) + 1, 0);
  ++holders_[static_cast<std::size_t>(buffer)];
}

void MemoryPlan::drop(int buffer) {
  if (--holders_[static_cast<std::size_t>(buffer)] == 0) free_.push_back(buffer);
}

bool MemoryPlan::dies_at(int value, int step) const {
  return last_use_[static_cast<std::size_t>(value)] == step;
}

bool MemoryPlan::is_scratch(int buffer) const {
  return tape_.buffers[static_cast<std::size_t>(buffer)].role == BufferRole::scratch;
}

int MemoryPlan::buffer_of(int value) const {
  return tape_.values[static_cast<std::size_t>(value)].buffer;
}

}  // namespace eq
