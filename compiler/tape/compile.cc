#include "compiler/tape/compile.hpp"

#include <algorithm>

#include "compiler/passes/pass.hpp"
#include <sstream>

#include "runtime/error.hpp"

namespace eq {

using namespace eq::ir;
using runtime::Buffer;
using runtime::BufferRole;
using runtime::Instruction;
using runtime::Kernel;

int Program::value(ir::Node n) const {
  auto found = value_of.find(n.id());
  if (found == value_of.end())
    throw Error("node " + (n.name().empty() ? "%" + std::to_string(n.id()) : "'" + n.name() + "'") +
                " is not part of this program (compile it as an output, or as something an output needs)");
  return found->second;
}

int Program::readable(ir::Node n) const {
  int v = value(n);
  const runtime::Value& val = tape.values[static_cast<std::size_t>(v)];
  if (tape.buffers[static_cast<std::size_t>(val.buffer)].role != BufferRole::scratch) return v;
  for (int o : tape.outputs)
    if (o == v) return v;
  throw Error("node " + (n.name().empty() ? "%" + std::to_string(n.id()) : "'" + n.name() + "'") +
              " is not an output of this program, so its value is not kept after a run; "
              "compile it as an output to read it");
}

namespace {

// The memory planner's state: which buffers are free, and what each holds.
class Planner {
 public:
  explicit Planner(runtime::Tape& tape) : tape_(tape) {}

  int fresh(BufferRole role) {
    tape_.buffers.push_back(Buffer{role, 0, 0});
    return static_cast<int>(tape_.buffers.size()) - 1;
  }
  int take_scratch() {
    if (!free_.empty()) {
      int b = free_.back();
      free_.pop_back();
      return b;
    }
    return fresh(BufferRole::scratch);
  }
  void give_back(int buffer) { free_.push_back(buffer); }
  void place(int value, int buffer) {
    runtime::Value& v = tape_.values[static_cast<std::size_t>(value)];
    v.buffer = buffer;
    Buffer& b = tape_.buffers[static_cast<std::size_t>(buffer)];
    std::int64_t bytes = v.dims.numel() * static_cast<std::int64_t>(dtype_size(v.dtype));
    if (v.batched) b.per_batch_bytes = std::max(b.per_batch_bytes, bytes);
    else b.fixed_bytes = std::max(b.fixed_bytes, bytes);
  }

 private:
  runtime::Tape& tape_;
  std::vector<int> free_;
};

}  // namespace

Program compile(ir::Graph& graph, const std::vector<ir::Node>& given,
                const CompileOptions& options) {
  Program p;
  p.graph = &graph;
  runtime::Tape& tape = p.tape;
  for (const Node& o : given) EQ_ASSERT(&o.graph() == &graph, "compile: an output from another graph");
  passes::Optimized optimized = passes::run_pipeline(graph, given, options, p.stats);
  const std::vector<Node>& outputs = optimized.roots;
  const passes::FusionPlan& fusion = optimized.fusion;
  p.roots = outputs;

  // Tree shaking: only what some output needs.
  std::vector<char> needed = reachable(graph, outputs);
  // Leaves are always part of the program, so a Machine can set every input
  // and parameter even when an output does not read it.
  for (const Node& n : graph.inputs()) needed[static_cast<std::size_t>(n.id())] = 1;
  for (const Node& n : graph.params()) needed[static_cast<std::size_t>(n.id())] = 1;

  // The steps: every needed node but those computed inside a fused group
  // (the group runs at its root). Each step's inputs are the values it reads.
  auto group_of = [&](NodeId id) { return fusion.group(graph.node(id)); };
  std::vector<NodeId> order;
  for (NodeId i = 0; i < graph.size(); ++i) {
    if (!needed[static_cast<std::size_t>(i)]) continue;
    int g = group_of(i);
    if (g >= 0 && !(fusion.groups[static_cast<std::size_t>(g)].root.id() == i)) continue;
    order.push_back(i);
  }
  auto step_inputs = [&](NodeId id) {
    std::vector<NodeId> ins;
    int g = group_of(id);
    if (g >= 0) {
      for (const Node& n : fusion.groups[static_cast<std::size_t>(g)].inputs) ins.push_back(n.id());
    } else {
      ins = graph.data(id).inputs;
    }
    return ins;
  };
  for (NodeId id : order) {
    const NodeData& d = graph.data(id);
    runtime::Value v;
    v.dtype = d.dtype;
    v.batched = d.shape.has_batch();
    v.dims = d.shape.example();
    p.value_of[id] = static_cast<int>(tape.values.size());
    tape.values.push_back(v);
  }
  const int end = static_cast<int>(order.size());
  std::vector<int> last_use(tape.values.size(), -1);
  for (int step = 0; step < end; ++step)
    for (NodeId in : step_inputs(order[static_cast<std::size_t>(step)]))
      last_use[static_cast<std::size_t>(p.value_of.at(in))] = step;
  for (const Node& o : outputs) last_use[static_cast<std::size_t>(p.value_of.at(o.id()))] = end;

  Planner plan(tape);
  // A reshape shares its input's buffer; a buffer is free once every value
  // in it is dead. holders[b] counts the live values in buffer b.
  std::vector<int> holders;
  auto hold = [&](int buffer) {
    if (static_cast<int>(holders.size()) <= buffer) holders.resize(static_cast<std::size_t>(buffer) + 1, 0);
    ++holders[static_cast<std::size_t>(buffer)];
  };

  for (int step = 0; step < end; ++step) {
    NodeId id = order[static_cast<std::size_t>(step)];
    Node n = graph.node(id);
    int out = p.value_of[id];
    switch (n.op()) {
      case Op::input:
        plan.place(out, plan.fresh(BufferRole::input));
        tape.inputs.push_back({n.name(), out});
        continue;
      case Op::param:
        plan.place(out, plan.fresh(BufferRole::param));
        tape.params.push_back({n.name(), out});
        continue;
      case Op::constant:
        plan.place(out, plan.fresh(BufferRole::constant));
        tape.constants.push_back({out, n.attrs().value});
        continue;
      default:
        break;
    }
    // The values this step reads, each once, and the nodes they stand for.
    std::vector<int> reads;
    std::vector<Node> read_nodes;
    for (NodeId in : step_inputs(id)) {
      int v = p.value_of.at(in);
      if (std::find(reads.begin(), reads.end(), v) == reads.end()) {
        reads.push_back(v);
        read_nodes.push_back(graph.node(in));
      }
    }
    Instruction ins;
    const int group = group_of(id);
    if (group >= 0) {
      runtime::FusedProgram program = fusion.groups[static_cast<std::size_t>(group)].program;
      for (const Node& in : fusion.groups[static_cast<std::size_t>(group)].inputs)
        program.inputs.push_back(p.value_of.at(in.id()));
      ins.kernel = Kernel::fused;
      ins.program = static_cast<int>(tape.fused.size());
      ins.label = program.label();
      tape.fused.push_back(std::move(program));
    } else {
      const ir::OpKernel k = *info(n.op()).kernel;
      ins.kernel = k.kernel;
      ins.sub = k.sub;
      ins.trans_a = n.attrs().trans_a;
      ins.trans_b = n.attrs().trans_b;
      ins.axis = n.attrs().axis;
      for (int i = 0; i < n.arity(); ++i) ins.in[i] = p.value_of[n.input(i).id()];
      ins.label = std::string(op_name(n.op()));
    }
    ins.out = out;
    ins.where = location(n);

    // Choose the output's buffer: in place over an input of the same shape
    // that dies here (elementwise loops read each element before writing it).
    int buffer = -1;
    auto dies_here = [&](int value) { return last_use[static_cast<std::size_t>(value)] == step; };
    auto scratch_only_holder = [&](int value) {
      int b = tape.values[static_cast<std::size_t>(value)].buffer;
      return tape.buffers[static_cast<std::size_t>(b)].role == BufferRole::scratch &&
             holders[static_cast<std::size_t>(b)] == 1;
    };
    if (ins.kernel == Kernel::alias) {
      buffer = tape.values[static_cast<std::size_t>(ins.in[0])].buffer;
    } else if (group >= 0 || info(n.op()).elementwise()) {
      for (std::size_t i = 0; i < reads.size() && buffer < 0; ++i) {
        Node x = read_nodes[i];
        if (x.shape() == n.shape() && x.dtype() == n.dtype() && dies_here(reads[i]) &&
            scratch_only_holder(reads[i]))
          buffer = tape.values[static_cast<std::size_t>(reads[i])].buffer;
      }
    }
    if (buffer < 0) buffer = plan.take_scratch();
    plan.place(out, buffer);
    hold(buffer);
    tape.code.push_back(std::move(ins));

    // Release the inputs that die here (each value once).
    for (int v : reads) {
      if (!dies_here(v)) continue;
      int b = tape.values[static_cast<std::size_t>(v)].buffer;
      if (tape.buffers[static_cast<std::size_t>(b)].role != BufferRole::scratch) continue;
      if (--holders[static_cast<std::size_t>(b)] == 0) plan.give_back(b);
    }
    // A value nobody reads (and that is no output) frees its buffer at once.
    if (last_use[static_cast<std::size_t>(out)] < 0 &&
        tape.buffers[static_cast<std::size_t>(buffer)].role == BufferRole::scratch &&
        --holders[static_cast<std::size_t>(buffer)] == 0)
      plan.give_back(buffer);
  }
  for (const Node& o : outputs) tape.outputs.push_back(p.value_of[o.id()]);
  // The outputs as given read the values of their rewritten forms.
  for (std::size_t i = 0; i < given.size(); ++i) p.value_of[given[i].id()] = p.value_of[outputs[i].id()];
  return p;
}

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
    if (ins.kernel == Kernel::matmul && (ins.trans_a || ins.trans_b))
      out << (ins.trans_a ? "[aᵀ]" : "") << (ins.trans_b ? "[bᵀ]" : "");
    if (ins.kernel == Kernel::reduce) out << "[axis " << ins.axis << "]";
    out << " ";
    if (ins.kernel == Kernel::fused) {
      const std::vector<int>& ins_in = tape.fused[static_cast<std::size_t>(ins.program)].inputs;
      for (std::size_t i = 0; i < ins_in.size(); ++i) out << (i ? ", " : "") << value_name(ins_in[i]);
    } else {
      for (int i = 0; i < 2 && ins.in[i] >= 0; ++i) out << (i ? ", " : "") << value_name(ins.in[i]);
    }
    out << " -> " << value_name(ins.out) << " " << v.at(batch).str() << " "
        << dtype_name(v.dtype) << " @b" << v.buffer;
    if (!ins.where.empty()) out << "  # " << ins.where;
    out << "\n";
  }
  out << "memory: " << tape.buffers.size() << " buffers, " << tape.total_bytes(batch)
      << " bytes at batch " << batch << "\n";
  return out.str();
}

}  // namespace eq
