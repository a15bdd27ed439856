#include "eq/runtime/machine.hpp"

#include <algorithm>
#include <chrono>
#include <cmath>
#include <cstdlib>
#include <cstring>

#include "eq/runtime/blas.hpp"
#include "eq/runtime/checked.hpp"
#include "eq/runtime/error.hpp"
#include "eq/runtime/memory.hpp"

namespace eq::runtime {

std::string_view kernel_name(Kernel k) {
  switch (k) {
    case Kernel::unary:
      return "unary";
    case Kernel::binary:
      return "binary";
    case Kernel::reduce:
      return "reduce";
    case Kernel::softmax:
      return "softmax";
    case Kernel::logsoftmax:
      return "logsoftmax";
    case Kernel::matmul:
      return "matmul";
    case Kernel::transpose:
      return "transpose";
    case Kernel::gather:
      return "gather";
    case Kernel::scatter:
      return "scatter";
    case Kernel::onehot:
      return "onehot";
    case Kernel::gather_rows:
      return "gather_rows";
    case Kernel::scatter_rows:
      return "scatter_rows";
    case Kernel::expand:
      return "expand";
    case Kernel::sum_to:
      return "sum_to";
    case Kernel::copy:
      return "copy";
    case Kernel::alias:
      return "alias";
    case Kernel::batch_size:
      return "batch_size";
    case Kernel::fused:
      return "fused";
    case Kernel::reduce_axis:
      return "reduce_axis";
    case Kernel::where:
      return "where";
    case Kernel::concat:
      return "concat";
    case Kernel::slice:
      return "slice";
    case Kernel::unslice:
      return "unslice";
    case Kernel::random_normal:
      return "random_normal";
    case Kernel::random_uniform:
      return "random_uniform";
    case Kernel::dropout:
      return "dropout";
    case Kernel::matmul_sum:
      return "matmul_sum";
    case Kernel::matmul_acc:
      return "matmul_acc";
    case Kernel::scatter_acc:
      return "scatter_acc";
  }
  return "?";
}

std::int64_t Buffer::capacity(std::int64_t batch) const {
  std::int64_t batched;
  if (__builtin_mul_overflow(per_batch_bytes, batch, &batched))
    throw_too_large("a batch of " + std::to_string(batch) + " examples of " +
                    std::to_string(per_batch_bytes) + " bytes each");
  return std::max(fixed_bytes, batched);
}

std::int64_t Tape::total_bytes(std::int64_t batch) const {
  std::int64_t total = 0;
  for (const Buffer& b : buffers) total = checked_add(total, b.capacity(batch));
  return total;
}

// One buffer's memory: 64-byte aligned, zeroed, never shrunk.
struct Machine::Block {
  void* data = nullptr;
  std::int64_t bytes = 0;
  ~Block() { std::free(data); }
  void reserve(std::int64_t want, std::string_view what) {
    if (want <= bytes && data) return;
    void* fresh = allocate_zeroed(want, what);
    std::free(data);
    data = fresh;
    bytes = want;
  }
};

Machine::Machine(Tape tape) : tape_(std::move(tape)) {
  given_batch_.assign(tape_.values.size(), -1);
  blocks_.reserve(tape_.buffers.size());
  for (std::size_t i = 0; i < tape_.buffers.size(); ++i)
    blocks_.push_back(std::make_unique<Block>());
  // Parameters and constants have no batch axis: size them once, now.
  std::int64_t fixed = 0;
  for (const Buffer& b : tape_.buffers)
    if (b.role == BufferRole::param || b.role == BufferRole::constant)
      fixed = checked_add(fixed, b.capacity(1));
  const std::string what = "the model's parameters and constants";
  check_fits(fixed, what);
  for (std::size_t i = 0; i < tape_.buffers.size(); ++i) {
    const Buffer& b = tape_.buffers[i];
    if (b.role == BufferRole::param || b.role == BufferRole::constant)
      blocks_[i]->reserve(b.capacity(1), what);
  }
  for (const Constant& c : tape_.constants) kernels::fill(view(c.value), c.number);
  std::size_t most_parts = 0;
  for (const Instruction& ins : tape_.code) most_parts = std::max(most_parts, ins.parts.size());
  parts_.resize(most_parts);
}

Machine::Machine(Machine&&) noexcept = default;
Machine& Machine::operator=(Machine&&) noexcept = default;
Machine::~Machine() = default;

void Machine::ensure_capacity(std::int64_t batch) {
  if (batch <= allocated_) return;
  std::int64_t total = 0;
  for (const Buffer& b : tape_.buffers)
    if (b.role == BufferRole::scratch || b.role == BufferRole::input)
      total = checked_add(total, b.capacity(batch));
  const std::string what = "a batch of " + std::to_string(batch) +
                           (batch == 1 ? " example" : " examples") +
                           " (inputs and intermediate values)";
  check_fits(total, what);
  for (std::size_t i = 0; i < tape_.buffers.size(); ++i) {
    const Buffer& b = tape_.buffers[i];
    if (b.role == BufferRole::scratch || b.role == BufferRole::input)
      blocks_[i]->reserve(b.capacity(batch), what);
  }
  allocated_ = batch;
}

View Machine::view(int value) {
  const Value& v = tape_.values[static_cast<std::size_t>(value)];
  return View{v.dtype, v.at(batch_), blocks_[static_cast<std::size_t>(v.buffer)]->data};
}

bool Machine::holds(int value) const {
  EQ_ASSERT(value >= 0 && value < static_cast<int>(tape_.values.size()), "no such value");
  const Value& v = tape_.values[static_cast<std::size_t>(value)];
  if (blocks_[static_cast<std::size_t>(v.buffer)]->data == nullptr) return false;
  return tape_.buffers[static_cast<std::size_t>(v.buffer)].role != BufferRole::scratch || ran_;
}

ConstView Machine::value(int value) const {
  EQ_ASSERT(value >= 0 && value < static_cast<int>(tape_.values.size()), "no such value");
  EQ_ASSERT(blocks_[static_cast<std::size_t>(tape_.values[static_cast<std::size_t>(value)].buffer)]
                    ->data != nullptr,
            "a value read before it has storage (let an input and run first)");
  const Value& v = tape_.values[static_cast<std::size_t>(value)];
  return ConstView{v.dtype, v.at(batch_), blocks_[static_cast<std::size_t>(v.buffer)]->data};
}

View Machine::param(int value) {
  const Value& v = tape_.values[static_cast<std::size_t>(value)];
  EQ_ASSERT(tape_.buffers[static_cast<std::size_t>(v.buffer)].role == BufferRole::param,
            "not a parameter");
  return view(value);
}

namespace {
std::string input_name(const Tape& tape, int value) {
  for (const Leaf& l : tape.inputs)
    if (l.value == value) return l.name;
  return "#" + std::to_string(value);
}
}  // namespace

void Machine::let(int value, ConstView data) {
  const Value& v = tape_.values[static_cast<std::size_t>(value)];
  EQ_ASSERT(tape_.buffers[static_cast<std::size_t>(v.buffer)].role == BufferRole::input,
            "let() on a value that is not an input");
  std::int64_t batch = batch_;
  if (v.batched) {
    if (data.shape.rank() != v.dims.rank() + 1 || !(data.shape.drop_front() == v.dims))
      throw Error("input '" + input_name(tape_, value) + "' takes [B" +
                  (v.dims.rank() ? ", " + v.dims.str().substr(1) : std::string("]")) +
                  " (a batch of " + v.dims.str() + "); got " + data.shape.str());
    batch = data.shape[0];
  } else if (!(data.shape == v.dims)) {
    throw Error("input '" + input_name(tape_, value) + "' takes " + v.dims.str() + "; got " +
                data.shape.str());
  }
  if ((v.dtype == DType::i32) != (data.dtype == DType::i32))
    throw Error("input '" + input_name(tape_, value) + "' takes " +
                std::string(dtype_name(v.dtype)) + " data; got " +
                std::string(dtype_name(data.dtype)));
  batch_ = batch;
  ran_ = false;
  ensure_capacity(batch_);
  // Unbatched inputs are marked 0: given, with no batch to agree on.
  given_batch_[static_cast<std::size_t>(value)] = v.batched ? batch : 0;
  if (v.batched) last_given_ = value;
  View dst = view(value);
  if (dst.dtype == data.dtype)
    std::memcpy(dst.data, data.data, dst.bytes());
  else
    kernels::copy(data, dst);
}

void Machine::run() {
  // Every batched input given so far must have this run's batch: a larger
  // batch given later resized (and cleared) the others, a smaller one would
  // silently cut them.
  for (const Leaf& l : tape_.inputs) {
    const std::int64_t b = given_batch_[static_cast<std::size_t>(l.value)];
    // An input never given would run on whatever its buffer holds (zeros, or
    // a larger batch's leftovers): name it instead.
    if (b < 0 && l.read)
      throw Error("input '" + l.name + "' was never given a value: call let() on it before run()");
    const bool batched = tape_.values[static_cast<std::size_t>(l.value)].batched;
    if (batched && b >= 0 && b != batch_)
      throw Error("input '" + l.name + "' was given a batch of " + std::to_string(b) + " but '" +
                  input_name(tape_, last_given_) + "' one of " + std::to_string(batch_) +
                  ": give every input of a run the same batch");
  }
  ensure_capacity(batch_);
  ran_ = false;  // until every instruction has run (check_finite may stop it)
  if (profile_) {
    for (std::size_t i = 0; i < tape_.code.size(); ++i) {
      const auto t0 = std::chrono::steady_clock::now();
      execute(tape_.code[i]);
      seconds_[i] += std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
      ++counts_[i];
      if (check_finite_) check_finite(tape_.code[i]);
    }
  } else {
    for (const Instruction& ins : tape_.code) {
      execute(ins);
      if (check_finite_) check_finite(ins);
    }
  }
  ran_ = true;
}

void Machine::set_noise(std::uint64_t seed, std::uint64_t step, std::int64_t first_row) {
  noise_seed_ = seed;
  noise_step_ = step;
  noise_first_row_ = first_row;
}

void Machine::set_profile(bool on) {
  profile_ = on;
  if (on) {
    seconds_.assign(tape_.code.size(), 0.0);
    counts_.assign(tape_.code.size(), 0);
  }
}

std::vector<Machine::ProfileEntry> Machine::profile() const {
  std::vector<ProfileEntry> out;
  for (std::size_t i = 0; i < seconds_.size(); ++i) {
    std::string label = tape_.code[i].label;
    if (tape_.code[i].kernel == Kernel::matmul || tape_.code[i].kernel == Kernel::matmul_sum ||
        tape_.code[i].kernel == Kernel::matmul_acc)
      label +=
          std::string(tape_.code[i].trans_a ? "[aᵀ]" : "") + (tape_.code[i].trans_b ? "[bᵀ]" : "");
    auto it = std::find_if(out.begin(), out.end(),
                           [&](const ProfileEntry& e) { return e.label == label; });
    if (it == out.end()) it = out.insert(out.end(), ProfileEntry{label, 0, 0});
    it->seconds += seconds_[i];
    it->count += counts_[i];
  }
  std::sort(out.begin(), out.end(),
            [](const ProfileEntry& a, const ProfileEntry& b) { return a.seconds > b.seconds; });
  return out;
}

namespace {

// out = op(a)·op(b) + beta·out through one gemm, for vectors and matrices: a
// vector on the left is a [1, k] row, on the right a [k, 1] column; a result
// vector is a row or a column.
void gemm_product(const Instruction& ins, ConstView a, ConstView b, double beta, View out) {
  const bool ta = ins.trans_a && a.shape.rank() == 2, tb = ins.trans_b && b.shape.rank() == 2;
  const std::int64_t ar = a.shape.rank() == 2 ? a.shape[0] : 1, ac = a.shape.last();
  const std::int64_t br = b.shape.rank() == 2 ? b.shape[0] : b.shape.last(),
                     bc = b.shape.rank() == 2 ? b.shape[1] : 1;
  const std::int64_t m = ta ? ac : ar, k = ta ? ar : ac, n = tb ? br : bc;
  blas::gemm(out.dtype, blas::Trans(ta), blas::Trans(tb), m, n, k, 1.0, a.data, ac, b.data, bc,
             beta, out.data, n);
}

// An accumulating kernel's output starts as its running sum c: already so
// when the memory plan put it in c's buffer, else a copy.
void start_from(ConstView c, View out) {
  if (c.data != out.data) std::memcpy(out.data, c.data, out.bytes());
}

}  // namespace

void Machine::execute(const Instruction& ins) {
  using namespace kernels;
  if (ins.kernel == Kernel::alias) return;
  View out = view(ins.out);
  auto in = [&](int k) { return ConstView(view(ins.in[k])); };
  switch (ins.kernel) {
    case Kernel::unary:
      unary(static_cast<Unary>(ins.sub), in(0), out);
      break;
    case Kernel::binary:
      binary(static_cast<Binary>(ins.sub), in(0), in(1), out);
      break;
    case Kernel::reduce:
      reduce(static_cast<Reduce>(ins.sub), in(0), ins.axis, out);
      break;
    case Kernel::softmax:
      softmax(in(0), out);
      break;
    case Kernel::logsoftmax:
      logsoftmax(in(0), out);
      break;
    case Kernel::transpose:
      transpose(in(0), out);
      break;
    case Kernel::gather:
      gather_columns(in(0), in(1), out);
      break;
    case Kernel::scatter:
      fill(out, 0);
      scatter_add_columns(in(0), in(1), out);
      break;
    case Kernel::gather_rows:
      gather_rows(in(0), in(1), out);
      break;
    case Kernel::scatter_rows:
      fill(out, 0);
      scatter_add_rows(in(0), in(1), out);
      break;
    case Kernel::onehot: {
      fill(out, 0);
      ConstView idx = in(0);
      std::int64_t classes = out.shape.last();
      const std::int32_t* ix = idx.as<std::int32_t>();
      for (std::int64_t i = 0; i < idx.numel(); ++i) {
        if (ix[i] < 0 || ix[i] >= classes)
          throw Error("class index " + std::to_string(ix[i]) + " is out of range [0, " +
                      std::to_string(classes) + ")" +
                      (ins.where.empty() ? "" : " at " + ins.where));
        if (out.dtype == DType::f32)
          out.as<float>()[i * classes + ix[i]] = 1;
        else
          out.as<double>()[i * classes + ix[i]] = 1;
      }
      break;
    }
    case Kernel::expand:
      fill(out, 0);
      binary(Binary::add, out, in(0), out);
      break;
    case Kernel::sum_to:
      sum_to_shape(in(0), out);
      break;
    case Kernel::copy:
      copy(in(0), out);
      break;
    case Kernel::batch_size:
      fill(out, static_cast<double>(batch_));
      break;
    case Kernel::fused: {
      // Views on the stack: a run allocates nothing.
      const FusedProgram& program = tape_.fused[static_cast<std::size_t>(ins.program)];
      ConstView views[FusedProgram::kMaxInputs];
      for (std::size_t k = 0; k < program.inputs.size(); ++k) views[k] = view(program.inputs[k]);
      run_fused(program, views, out);
      break;
    }
    case Kernel::reduce_axis:
      reduce_axis(static_cast<Reduce>(ins.sub), in(0), ins.axis, out);
      break;
    case Kernel::where:
      kernels::where(in(0), in(1), in(2), out);
      break;
    case Kernel::concat:
      for (std::size_t k = 0; k < ins.parts.size(); ++k) parts_[k] = view(ins.parts[k]);
      concat(std::span<const ConstView>(parts_.data(), ins.parts.size()), out);
      break;
    case Kernel::slice:
      slice(in(0), ins.axis, ins.start, ins.stop, out);
      break;
    case Kernel::unslice:
      unslice(in(0), ins.axis, ins.start, out);
      break;
    case Kernel::random_normal:
    case Kernel::random_uniform:
    case Kernel::dropout: {
      // Rows are examples: a batched value has B of them, from first_row on;
      // an unbatched one is a single row, example 0.
      const bool batched = tape_.values[static_cast<std::size_t>(ins.out)].batched;
      const NoiseKey key{noise_seed_, ins.stream, noise_step_, batched ? noise_first_row_ : 0};
      View rows = out;
      if (!batched) rows.shape = Shape{1, out.numel()};
      if (ins.kernel == Kernel::random_normal)
        random_normal(key, ins.scalar[0], ins.scalar[1], rows);
      else if (ins.kernel == Kernel::random_uniform)
        random_uniform(key, ins.scalar[0], ins.scalar[1], rows);
      else
        dropout_mask(key, ins.scalar[0], rows);
      break;
    }
    case Kernel::matmul: {
      ConstView a = in(0), b = in(1);
      if (a.shape.rank() == 3 || b.shape.rank() == 3) {
        batched_matmul(a, ins.trans_a, b, ins.trans_b, out);
        break;
      }
      gemm_product(ins, a, b, 0.0, out);
      break;
    }
    case Kernel::matmul_sum:
      batched_matmul_sum(in(0), ins.trans_a, in(1), ins.trans_b, out);
      break;
    case Kernel::matmul_acc:
      start_from(in(0), out);
      gemm_product(ins, in(1), in(2), 1.0, out);
      break;
    case Kernel::scatter_acc:
      start_from(in(0), out);
      scatter_add_columns(in(1), in(2), out);
      break;
    case Kernel::alias:
      break;
  }
}

void Machine::check_finite(const Instruction& ins) {
  ConstView v = value(ins.out);
  if (v.dtype == DType::i32) return;
  for (std::int64_t i = 0; i < v.numel(); ++i) {
    double x = v.dtype == DType::f32 ? v.as<float>()[i] : v.as<double>()[i];
    if (!std::isfinite(x))
      throw Error((ins.where.empty() ? std::string() : ins.where + ": error: ") +
                  (std::isnan(x) ? "NaN" : "infinity") + " produced by " + ins.label +
                  " (element " + std::to_string(i) + " of " + v.shape.str() + ")");
  }
}

}  // namespace eq::runtime
