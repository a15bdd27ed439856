#include "eq/compiler/lower/unroll.hpp"

#include <algorithm>

#include "eq/compiler/ir/builders.hpp"
#include "eq/runtime/error.hpp"

namespace eq {

using ir::Graph;
using ir::Node;
using ir::NodeId;

namespace {

// Noise of step t draws stream + t·2³² (streams count a program's noise
// sites, far fewer than 2³²): each step of a window its own numbers, as the
// step graph run once per step (sampling) draws them step by step.
constexpr int kStepStreamShift = 32;

// Copies the nodes `roots` need into new nodes with the leaves replaced as
// `subst` says (leaf id → node), and the noise of step `t` drawn afresh.
// Hash-consing returns existing nodes where nothing changed. Returns old
// id → new node for every node reached.
std::map<NodeId, Node> clone(Graph& g, const std::vector<Node>& roots,
                             const std::map<NodeId, Node>& subst, int t) {
  const std::vector<char> needed = ir::reachable(g, roots);
  // The copies are added after the originals: stop at the size before them.
  const NodeId end = g.size();
  std::map<NodeId, Node> out;
  for (NodeId i = 0; i < end; ++i) {
    if (!needed[static_cast<std::size_t>(i)]) continue;
    if (auto s = subst.find(i); s != subst.end()) {
      out[i] = s->second;
      continue;
    }
    const ir::NodeData& d = g.data(i);
    if (ir::is_noise(d.op) && t > 0) {
      ir::Attrs a = d.attrs;
      a.stream += static_cast<std::uint64_t>(t) << kStepStreamShift;
      out[i] = g.make(d.op, {}, a, d.origin);
      continue;
    }
    if (d.inputs.empty()) {
      out[i] = g.node(i);
      continue;
    }
    std::vector<Node> inputs;
    for (NodeId in : d.inputs) inputs.push_back(out.at(in));
    Node n = g.make(d.op, std::move(inputs), d.attrs, d.origin);
    if (!d.name.empty() && g.data(n.id()).name.empty()) g.set_name(n, d.name);
    out[i] = n;
  }
  return out;
}

}  // namespace

Window unroll(Model& model, int steps) {
  if (steps < 1) throw Error("a window needs at least one step; got " + std::to_string(steps));
  Graph& g = model.graph();
  Window w;
  w.steps = steps;

  // What one step computes: every equation's value (the loss and the states'
  // next values among them).
  std::vector<Node> roots;
  for (const auto& [name, node] : model.values()) roots.push_back(node);

  // The timed leaves (xₜ, yₜ) get a leaf per step; step 0 keeps the original.
  std::vector<const ModelLeaf*> timed;
  for (const auto* list : {&model.inputs(), &model.targets()})
    for (const ModelLeaf& leaf : *list)
      if (leaf.timed) timed.push_back(&leaf);

  // States by the value they carry: the greatest delay decides how many
  // earlier steps the window carries in.
  std::map<std::string, int> depth;
  for (const ModelState& s : model.states()) depth[s.name] = std::max(depth[s.name], s.delay);
  std::map<std::string, std::size_t> state_index;
  for (const auto& [name, d] : depth) {
    UnrolledState us;
    us.name = name;
    for (int j = 1; j <= d; ++j) {
      // Reuse the step graph's own leaf for this delay when there is one.
      Node leaf;
      for (const ModelState& s : model.states())
        if (s.name == name && s.delay == j) leaf = s.node;
      if (!leaf) {
        // Clang before 16 cannot capture a structured binding: capture a reference.
        const std::string& state = name;
        const ModelState& any = *std::find_if(model.states().begin(), model.states().end(),
                                              [&](const ModelState& s) { return s.name == state; });
        leaf = g.input(name + "[-" + std::to_string(j) + "]", any.node.shape().example());
      }
      us.carry_in.push_back(leaf);
    }
    for (const ModelState& s : model.states())
      if (s.name == name) {
        us.init_value = s.init_value;
        us.init_param = s.init_param;
      }
    us.start = us.carry_in;
    if (!us.init_param.empty()) {
      auto p = std::find_if(model.params().begin(), model.params().end(),
                            [&](const ModelParam& m) { return m.name == us.init_param; });
      EQ_ASSERT(p != model.params().end(), "a state's initial param is not a param");
      // One flag per stream, of the state's rank (all sizes 1), so that it
      // broadcasts against h₀ and the carried value alike: [B, 1] for a
      // vector state, [B, 1, 1] for a matrix, [B] for a scalar.
      const std::vector<std::int64_t> ones(
          static_cast<std::size_t>(us.carry_in[0].shape().example().rank()), 1);
      us.reset = g.input(name + "[reset]", Shape(std::span<const std::int64_t>(ones)));
      for (Node& s : us.start) s = ir::where(us.reset, p->node, s);
    }
    state_index[name] = w.states.size();
    w.states.push_back(us);
  }

  // A state's value at step t: an equation's value, or a timed input's leaf.
  auto value_at = [&w](const std::string& name, int t) {
    auto v = w.values.find(name);
    const std::vector<Node>& list = v != w.values.end() ? v->second : w.inputs.at(name);
    return list[static_cast<std::size_t>(t)];
  };

  for (int t = 0; t < steps; ++t) {
    std::map<NodeId, Node> subst;
    for (const ModelLeaf* leaf : timed) {
      Node at =
          t == 0 ? leaf->node
          : leaf->onehot
              ? g.input_onehot(leaf->name + "[" + std::to_string(t) + "]", leaf->onehot)
              : g.input(leaf->name + "[" + std::to_string(t) + "]", leaf->node.shape().example());
      w.inputs[leaf->name].push_back(at);
      subst[leaf->node.id()] = at;
    }
    for (const ModelState& s : model.states()) {
      int from = t - s.delay;  // the step whose value this leaf reads
      const UnrolledState& us = w.states[state_index.at(s.name)];
      subst[s.node.id()] =
          from >= 0 ? value_at(s.name, from) : us.start[static_cast<std::size_t>(-from - 1)];
    }
    std::map<NodeId, Node> step = clone(g, roots, subst, t);
    for (const auto& [name, node] : model.values()) w.values[name].push_back(step.at(node.id()));
    if (model.loss()) w.losses.push_back(step.at(model.loss().id()));
  }

  for (UnrolledState& us : w.states)
    for (std::size_t j = 0; j < us.carry_in.size(); ++j) {
      // The value j+1 steps before the next window: inside this window, or
      // (a delay longer than the window) a state carried in and passed on.
      const int t = steps - 1 - static_cast<int>(j);
      us.carry_out.push_back(t >= 0 ? value_at(us.name, t)
                                    : us.start[static_cast<std::size_t>(-t - 1)]);
    }

  if (!w.losses.empty()) {
    // Placed at the loss equation, as the steps' losses are: a sum that
    // overflows is named there.
    const ir::Origin& at = w.losses[0].data().origin;
    Node total = ir::sum(w.losses[0], 0);
    g.set_origin(total, at);
    for (std::size_t t = 1; t < w.losses.size(); ++t) {
      total = total + ir::sum(w.losses[t], 0);
      g.set_origin(total.input(1), at);
      g.set_origin(total, at);
    }
    w.objective = total / (ir::batch_size(w.losses[0]) * static_cast<double>(steps));
    g.set_origin(w.objective, at);
    g.set_name(w.objective, "objective");
  }
  return w;
}

}  // namespace eq
