#include "eq/compiler/tape/compile.hpp"

#include <algorithm>

#include "eq/compiler/tape/memory_plan.hpp"
#include "eq/runtime/error.hpp"

namespace eq {

using namespace eq::ir;
using runtime::BufferRole;
using runtime::Instruction;
using runtime::Kernel;

int Program::value(ir::Node n) const {
  if (!n) throw Error("a null eq::Node is not part of any program");
  // Node ids are per graph: another graph's node would find a value of this
  // program that stands for something else.
  if (&n.graph() != graph)
    throw Error("node " + label(n) +
                " belongs to another eq::Graph than the one this program was compiled from");
  auto found = value_of.find(n.id());
  if (found == value_of.end())
    throw Error(
        "node " + label(n) +
        " is not part of this program (compile it as an output, or as something an output needs)");
  return found->second;
}

int Program::readable(ir::Node n) const {
  int v = value(n);
  const runtime::Value& val = tape.values[static_cast<std::size_t>(v)];
  if (tape.buffers[static_cast<std::size_t>(val.buffer)].role != BufferRole::scratch) return v;
  for (int o : tape.outputs)
    if (o == v) return v;
  throw Error("node " + label(n) +
              " is not an output of this program, so its value is not kept after a run; "
              "compile it as an output to read it");
}

namespace {

// ---- order ------------------------------------------------------------------

// The steps of the tape in the order they run: every node the outputs need,
// and every leaf (so a Machine can set each input and parameter even when no
// output reads it), but not the nodes computed inside a fused group — the
// group runs as one step at its root. Node ids are a topological order.
struct Steps {
  std::vector<NodeId> order;
  // inputs[k]: the nodes step k reads (a fused group's inputs, or the node's own).
  std::vector<std::vector<NodeId>> inputs;
};

Steps schedule(const Graph& graph, const std::vector<Node>& outputs,
               const passes::FusionPlan& fusion) {
  std::vector<char> needed = reachable(graph, outputs);
  for (const auto* leaves : {&graph.inputs(), &graph.params()})
    for (const Node& n : *leaves) needed[static_cast<std::size_t>(n.id())] = 1;
  Steps steps;
  for (NodeId id = 0; id < graph.size(); ++id) {
    if (!needed[static_cast<std::size_t>(id)]) continue;
    auto group = fusion.group_of.find(id);
    if (group == fusion.group_of.end()) {
      steps.order.push_back(id);
      steps.inputs.push_back(graph.data(id).inputs);
      continue;
    }
    const passes::FusedGroup& fused = fusion.groups[static_cast<std::size_t>(group->second)];
    if (fused.root.id() != id) continue;
    steps.order.push_back(id);
    steps.inputs.emplace_back();
    for (const Node& n : fused.inputs) steps.inputs.back().push_back(n.id());
  }
  return steps;
}

// ---- numbering --------------------------------------------------------------

// One tape value per step, numbered in step order.
void number_values(const Graph& graph, const Steps& steps, Program& p) {
  for (NodeId id : steps.order) {
    const NodeData& d = graph.data(id);
    runtime::Value v;
    v.dtype = d.dtype;
    v.batched = d.shape.has_batch();
    v.dims = d.shape.example();
    p.value_of[id] = static_cast<int>(p.tape.values.size());
    p.tape.values.push_back(v);
  }
}

// ---- liveness ---------------------------------------------------------------

// The last step that reads each value; the outputs live past the last step.
std::vector<int> last_uses(const Steps& steps, const Program& p, const std::vector<Node>& outputs) {
  const int end = static_cast<int>(steps.order.size());
  std::vector<int> last_use(p.tape.values.size(), -1);
  for (int step = 0; step < end; ++step)
    for (NodeId in : steps.inputs[static_cast<std::size_t>(step)])
      last_use[static_cast<std::size_t>(p.value_of.at(in))] = step;
  for (const Node& o : outputs) last_use[static_cast<std::size_t>(p.value_of.at(o.id()))] = end;
  return last_use;
}

// ---- emission ---------------------------------------------------------------

// A leaf is a buffer the Machine fills, not an instruction.
// An input nothing reads (a target in a prediction program) need not be given.
void emit_leaf(Node n, int value, bool read, MemoryPlan& plan, runtime::Tape& tape) {
  switch (n.op()) {
    case Op::input:
      plan.place_leaf(value, BufferRole::input);
      tape.inputs.push_back({n.name(), value, read});
      return;
    case Op::param:
      plan.place_leaf(value, BufferRole::param);
      tape.params.push_back({n.name(), value});
      return;
    case Op::constant:
      plan.place_leaf(value, BufferRole::constant);
      tape.constants.push_back({value, n.attrs().value});
      return;
    default:
      EQ_ASSERT(false, "not a leaf: " + std::string(op_name(n.op())));
  }
}

// The instruction of one step: a fused group's program, or the op's kernel
// from its row of the op table.
Instruction emit(Node n, const passes::FusionPlan& fusion, Program& p) {
  Instruction ins;
  const int group = fusion.group(n);
  if (group >= 0) {
    const passes::FusedGroup& fused = fusion.groups[static_cast<std::size_t>(group)];
    runtime::FusedProgram program = fused.program;
    for (const Node& in : fused.inputs) program.inputs.push_back(p.value_of.at(in.id()));
    ins.kernel = Kernel::fused;
    ins.program = static_cast<int>(p.tape.fused.size());
    ins.label = program.label();
    p.tape.fused.push_back(std::move(program));
  } else {
    const ir::OpKernel k = *info(n.op()).kernel;
    ins.kernel = k.kernel;
    ins.sub = k.sub;
    ins.trans_a = n.attrs().trans_a;
    ins.trans_b = n.attrs().trans_b;
    ins.axis = n.attrs().axis;
    ins.start = n.attrs().start;
    ins.stop = n.attrs().stop;
    ins.scalar[0] = n.attrs().noise[0];
    ins.scalar[1] = n.attrs().noise[1];
    ins.stream = n.attrs().stream;
    if (k.kernel == Kernel::concat) {
      for (int i = 0; i < n.arity(); ++i) ins.parts.push_back(p.value_of.at(n.input(i).id()));
    } else {
      EQ_ASSERT(n.arity() <= 3, "an instruction reads at most 3 inputs");
      for (int i = 0; i < n.arity(); ++i) ins.in[i] = p.value_of.at(n.input(i).id());
    }
    ins.label = std::string(op_name(n.op()));
  }
  ins.out = p.value_of.at(n.id());
  ins.where = location(n);
  return ins;
}

// The values a step reads, each once.
std::vector<int> distinct_values(const std::vector<NodeId>& nodes, const Program& p) {
  std::vector<int> values;
  for (NodeId in : nodes) {
    int v = p.value_of.at(in);
    if (std::find(values.begin(), values.end(), v) == values.end()) values.push_back(v);
  }
  return values;
}

}  // namespace

Program compile(ir::Graph& graph, const std::vector<ir::Node>& given,
                const CompileOptions& options) {
  Program p;
  p.graph = &graph;
  for (const Node& o : given) {
    if (!o) throw Error("compile: an output is a null eq::Node; it stands for no node of a graph");
    if (&o.graph() != &graph)
      throw Error("compile: output " + label(o) +
                  " belongs to another eq::Graph than the one given");
  }
  passes::Optimized optimized = passes::run_pipeline(graph, given, options, p.stats);
  const std::vector<Node>& outputs = optimized.roots;
  const passes::FusionPlan& fusion = optimized.fusion;
  p.roots = outputs;

  const Steps steps = schedule(graph, outputs, fusion);
  number_values(graph, steps, p);
  const std::vector<int> last_use = last_uses(steps, p, outputs);
  MemoryPlan plan(p.tape, last_use);
  for (int step = 0; step < static_cast<int>(steps.order.size()); ++step) {
    const Node n = graph.node(steps.order[static_cast<std::size_t>(step)]);
    const int out = p.value_of.at(n.id());
    if (info(n.op()).kind == OpKind::leaf) {
      emit_leaf(n, out, last_use[static_cast<std::size_t>(out)] >= 0, plan, p.tape);
      continue;
    }
    const std::vector<int> reads = distinct_values(steps.inputs[static_cast<std::size_t>(step)], p);
    Instruction ins = emit(n, fusion, p);
    // An accumulating product or scatter writes into its running sum's buffer
    // when the sum dies here — never into an operand it reads while it
    // writes, so not when the sum is an operand too (c + c·c).
    if (ins.kernel == Kernel::matmul_acc || ins.kernel == Kernel::scatter_acc)
      plan.place_output(step, ins, {ins.in[0]}, ins.in[0] != ins.in[1] && ins.in[0] != ins.in[2]);
    else
      plan.place_output(step, ins, reads, fusion.group(n) >= 0 || info(n.op()).elementwise());
    plan.release(step, out, reads);
    p.tape.code.push_back(std::move(ins));
  }
  for (const Node& o : outputs) p.tape.outputs.push_back(p.value_of.at(o.id()));
  // The outputs as given read the values of their rewritten forms.
  for (std::size_t i = 0; i < given.size(); ++i)
    p.value_of[given[i].id()] = p.value_of.at(outputs[i].id());
  return p;
}

}  // namespace eq
