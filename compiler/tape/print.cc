// The tape's text form (`eqc tape`): one instruction a line, then the memory plan.
#include <sstream>

#include "eq/compiler/tape/compile.hpp"

namespace eq {

using runtime::Instruction;
using runtime::Kernel;

std::string print_tape(const Program& program, std::int64_t batch) {
  const runtime::Tape& tape = program.tape;
  std::ostringstream out;
  auto value_name = [&](int v) { return "v" + std::to_string(v); };
  for (const runtime::Leaf& l : tape.inputs)
    out << "input  " << value_name(l.value) << " " << l.name << " "
        << tape.values[static_cast<std::size_t>(l.value)].at(batch).str() << " @b"
        << tape.values[static_cast<std::size_t>(l.value)].buffer << "\n";
  for (const runtime::Leaf& l : tape.params)
    out << "param  " << value_name(l.value) << " " << l.name << " "
        << tape.values[static_cast<std::size_t>(l.value)].at(batch).str() << " @b"
        << tape.values[static_cast<std::size_t>(l.value)].buffer << "\n";
  for (const runtime::Constant& c : tape.constants)
    out << "const  " << value_name(c.value) << " = " << c.number << " @b"
        << tape.values[static_cast<std::size_t>(c.value)].buffer << "\n";
  int index = 0;
  for (const Instruction& ins : tape.code) {
    const runtime::Value& v = tape.values[static_cast<std::size_t>(ins.out)];
    out << index++ << ": " << ins.label;
    if ((ins.kernel == Kernel::matmul || ins.kernel == Kernel::matmul_sum ||
         ins.kernel == Kernel::matmul_acc) &&
        (ins.trans_a || ins.trans_b))
      out << (ins.trans_a ? "[aᵀ]" : "") << (ins.trans_b ? "[bᵀ]" : "");
    if (ins.kernel == Kernel::reduce) out << "[axis " << ins.axis << "]";
    if (ins.kernel == Kernel::random_normal || ins.kernel == Kernel::random_uniform)
      out << "[" << ins.scalar[0] << ", " << ins.scalar[1] << "; stream " << ins.stream << "]";
    if (ins.kernel == Kernel::dropout)
      out << "[" << ins.scalar[0] << "; stream " << ins.stream << "]";
    out << " ";
    if (ins.kernel == Kernel::fused) {
      const std::vector<int>& ins_in = tape.fused[static_cast<std::size_t>(ins.program)].inputs;
      for (std::size_t i = 0; i < ins_in.size(); ++i)
        out << (i ? ", " : "") << value_name(ins_in[i]);
    } else {
      for (int i = 0; i < 3 && ins.in[i] >= 0; ++i) out << (i ? ", " : "") << value_name(ins.in[i]);
    }
    out << " -> " << value_name(ins.out) << " " << v.at(batch).str() << " " << dtype_name(v.dtype)
        << " @b" << v.buffer;
    if (!ins.where.empty()) out << "  # " << ins.where;
    out << "\n";
  }
  out << "memory: " << tape.buffers.size() << " buffers, " << tape.total_bytes(batch)
      << " bytes at batch " << batch << "\n";
  return out.str();
}

}  // namespace eq
