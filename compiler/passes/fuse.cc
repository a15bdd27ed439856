#include "eq/compiler/passes/fuse.hpp"

#include <algorithm>
#include <functional>
#include <map>

#include "eq/runtime/error.hpp"

namespace eq::passes {

using namespace eq::ir;
using runtime::FusedOperand;
using runtime::FusedProgram;
using runtime::FusedStep;

int FusionPlan::group(Node n) const {
  auto found = group_of.find(n.id());
  return found == group_of.end() ? -1 : found->second;
}

std::string FusionPlan::str() const {
  std::string s;
  for (const FusedGroup& g : groups) {
    s += g.program.label() + " %" + std::to_string(g.root.id()) + " ←";
    for (const Node& in : g.inputs) s += " %" + std::to_string(in.id());
    s += "\n";
  }
  return s;
}

namespace {

// The kernel function a fused step applies: the op's own (an elementwise op
// runs a unary or binary kernel, which the fused loop calls by the same code).
std::uint8_t sub_code(Op op) {
  const OpKernel k = *info(op).kernel;
  EQ_ASSERT(k.kernel == runtime::Kernel::unary || k.kernel == runtime::Kernel::binary,
            "not an elementwise op");
  return k.sub;
}

// How an operand from outside a group is read: 0 = not at all (uniform:
// an immediate), -1 = unsupported broadcast, 1 = element for element or a
// single element, r > 1 = a row of r elements repeated.
std::int64_t operand_form(Node x, Node n) {
  if (uniform(x)) return 0;
  if (x.shape() == n.shape()) return 1;
  if (x.shape().has_batch()) return -1;
  const Shape& xs = x.shape().example();
  if (xs.numel() == 1) return 1;
  // Drop leading 1s; what is left must be n's trailing axes.
  int lead = 0;
  while (lead < xs.rank() && xs[lead] == 1) ++lead;
  int rest = xs.rank() - lead;
  if (rest > n.shape().rank()) return -1;
  for (int i = 0; i < rest; ++i)
    if (xs[lead + i] != n.shape()[n.shape().rank() - rest + i]) return -1;
  return xs.numel();
}

bool is_float(DType t) { return t == DType::f32 || t == DType::f64; }

class Planner {
 public:
  Planner(Graph& graph, const std::vector<Node>& roots) : graph_(graph) {
    keep_ = reachable(graph, roots);
    readers_.assign(keep_.size(), 0);
    root_.assign(keep_.size(), 0);
    for (const Node& r : roots) root_[static_cast<std::size_t>(r.id())] = 1;
    for (NodeId i = 0; i < graph.size(); ++i) {
      if (!keep_[static_cast<std::size_t>(i)]) continue;
      const std::vector<NodeId>& ins = graph.data(i).inputs;
      for (std::size_t k = 0; k < ins.size(); ++k)
        if (std::find(ins.begin(), ins.begin() + static_cast<std::ptrdiff_t>(k), ins[k]) ==
            ins.begin() + static_cast<std::ptrdiff_t>(k))
          ++readers_[static_cast<std::size_t>(ins[k])];
    }
  }

  FusionPlan run(PassStats& stats) {
    FusionPlan plan;
    std::vector<char> taken(keep_.size(), 0);
    for (NodeId id = graph_.size() - 1; id >= 0; --id) {
      if (!keep_[static_cast<std::size_t>(id)] || taken[static_cast<std::size_t>(id)]) continue;
      Node root = graph_.node(id);
      if (row_of(root) < 0) continue;
      FusedGroup g;
      g.root = root;
      std::int64_t row = row_of(root);
      grow(root, g, row, taken);
      if (g.members.size() < 2) continue;
      std::sort(g.members.begin(), g.members.end(), [](Node a, Node b) { return a.id() < b.id(); });
      if (!emit(g)) continue;
      for (const Node& m : g.members) {
        taken[static_cast<std::size_t>(m.id())] = 1;
        plan.group_of[m.id()] = static_cast<int>(plan.groups.size());
      }
      stats.count("groups");
      stats.count("ops in groups", static_cast<std::int64_t>(g.members.size()));
      plan.groups.push_back(std::move(g));
    }
    return plan;
  }

 private:
  // The row length n's outside operands need (1: none), or -1 when n cannot
  // be in a group at all.
  std::int64_t row_of(Node n) {
    if (!info(n.op()).elementwise() || !is_float(n.dtype())) return -1;
    std::int64_t row = 1;
    for (int k = 0; k < n.arity(); ++k) {
      std::int64_t f = operand_form(n.input(k), n);
      if (f < 0) return -1;
      if (f > 1) {
        if (row > 1 && row != f) return -1;
        row = f;
      }
    }
    return row;
  }

  bool absorbable(Node x, Node reader) {
    std::size_t i = static_cast<std::size_t>(x.id());
    return readers_[i] == 1 && !root_[i] && x.shape() == reader.shape() &&
           x.dtype() == reader.dtype() && row_of(x) >= 0;
  }

  // Adds n and, recursively, the inputs that can join it, within the limits.
  void grow(Node n, FusedGroup& g, std::int64_t& row, const std::vector<char>& taken) {
    g.members.push_back(n);
    for (int k = 0; k < n.arity(); ++k) {
      Node x = n.input(k);
      if (k == 1 && x == n.input(0)) continue;
      bool join = absorbable(x, n) && !taken[static_cast<std::size_t>(x.id())] &&
                  static_cast<int>(g.members.size()) < FusedProgram::kMaxSteps;
      if (join) {
        std::int64_t r = row_of(x);
        join = r == 1 || row == 1 || r == row;
        if (join && r > 1) row = r;
      }
      if (join) {
        // Tentatively: a subtree that would bring too many inputs stays
        // outside, its root an input of this group.
        const std::size_t members = g.members.size(), inputs = g.inputs.size();
        const std::int64_t keep_row = row;
        grow(x, g, row, taken);
        join = static_cast<int>(g.inputs.size()) <= FusedProgram::kMaxInputs;
        if (!join) {
          g.members.resize(members);
          g.inputs.resize(inputs);
          row = keep_row;
        }
      }
      if (!join && !uniform(x)) {
        bool seen = std::find(g.inputs.begin(), g.inputs.end(), x) != g.inputs.end();
        if (!seen) g.inputs.push_back(x);
      }
    }
  }

  // Emits the register program; false when it does not fit the limits.
  bool emit(FusedGroup& g) {
    if (static_cast<int>(g.inputs.size()) > FusedProgram::kMaxInputs) return false;
    std::map<NodeId, int> member;
    for (std::size_t i = 0; i < g.members.size(); ++i)
      member[g.members[i].id()] = static_cast<int>(i);
    // Sethi–Ullman numbers: the slots a subtree needs.
    std::map<NodeId, int> need;
    std::function<int(Node)> slots_for = [&](Node n) -> int {
      if (!member.count(n.id())) return 0;
      auto f = need.find(n.id());
      if (f != need.end()) return f->second;
      int a = slots_for(n.input(0)),
          b = n.arity() > 1 && !(n.input(1) == n.input(0)) ? slots_for(n.input(1)) : 0;
      int s = a == b ? a + 1 : std::max({a, b, 1});
      need[n.id()] = s;
      return s;
    };
    slots_for(g.root);
    FusedProgram& p = g.program;
    std::vector<int> free_slots;
    int used = 0;
    std::function<FusedOperand(Node)> operand = [&](Node n) -> FusedOperand {
      if (auto c = uniform(n); c && !member.count(n.id())) {
        p.constants.push_back(*c);
        return {FusedOperand::Kind::constant, static_cast<int>(p.constants.size()) - 1};
      }
      if (!member.count(n.id())) {
        int k = static_cast<int>(std::find(g.inputs.begin(), g.inputs.end(), n) - g.inputs.begin());
        return {FusedOperand::Kind::input, k};
      }
      FusedStep st;
      st.binary = n.arity() == 2;
      st.sub = sub_code(n.op());
      Node first = n.input(0), second = st.binary ? n.input(1) : Node();
      bool swap = st.binary && !(second == first) && slots_for(second) > slots_for(first);
      FusedOperand a, b;
      if (swap) {
        b = operand(second);
        a = operand(first);
      } else {
        a = operand(first);
        if (st.binary) b = second == first ? a : operand(second);
      }
      st.a = a;
      st.b = b;
      auto release = [&](const FusedOperand& o) {
        if (o.kind == FusedOperand::Kind::slot) free_slots.push_back(o.index);
      };
      release(a);
      if (st.binary && !(b.kind == a.kind && b.index == a.index)) release(b);
      if (free_slots.empty()) free_slots.push_back(used++);
      std::sort(free_slots.rbegin(), free_slots.rend());
      st.dest = free_slots.back();
      free_slots.pop_back();
      p.steps.push_back(st);
      return FusedOperand{FusedOperand::Kind::slot, st.dest};
    };
    operand(g.root);
    p.slots = used;
    return p.slots <= FusedProgram::kMaxSlots &&
           static_cast<int>(p.steps.size()) <= FusedProgram::kMaxSteps &&
           static_cast<int>(p.constants.size()) <= 2 * FusedProgram::kMaxSteps;
  }

  Graph& graph_;
  std::vector<char> keep_, root_;
  std::vector<int> readers_;
};

}  // namespace

FusionPlan plan_fusion(Graph& graph, const std::vector<Node>& roots, PassStats& stats) {
  return Planner(graph, roots).run(stats);
}

}  // namespace eq::passes
