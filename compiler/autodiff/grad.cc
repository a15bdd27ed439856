#include "eq/compiler/autodiff/grad.hpp"

#include <unordered_map>

#include "eq/compiler/ir/builders.hpp"
#include "eq/runtime/error.hpp"

namespace eq {

using namespace eq::ir;

std::vector<Node> grad(Node y, const std::vector<Node>& wrt) {
  Graph& graph = y.graph();
  const int count = graph.size();
  // Which nodes depend on some w (forward reach): only their gradients matter.
  // Node ids are a topological order, since inputs are made before users.
  std::vector<char> depends(static_cast<std::size_t>(count), 0);
  for (const Node& w : wrt) {
    if (!w) throw Error("grad: a null eq::Node among the nodes to differentiate with respect to");
    if (&w.graph() != &graph)
      throw Error("grad: " + label(w) + " belongs to another eq::Graph than " + label(y));
    depends[static_cast<std::size_t>(w.id())] = 1;
  }
  for (NodeId i = 0; i <= y.id(); ++i) {
    for (NodeId in : graph.data(i).inputs)
      if (depends[static_cast<std::size_t>(in)]) depends[static_cast<std::size_t>(i)] = 1;
  }

  std::unordered_map<NodeId, Node> grads;
  Node seed = constant_like(y, 1.0);
  grads[y.id()] = y.shape().rank() == 0 ? seed : expand(seed, y.shape());

  for (NodeId i = y.id(); i >= 0; --i) {
    auto found = grads.find(i);
    if (found == grads.end() || !depends[static_cast<std::size_t>(i)]) continue;
    Node n = graph.node(i);
    if (info(n.op()).kind == OpKind::leaf) continue;
    std::vector<Node> contributions = autodiff::vjp(n, found->second);
    EQ_ASSERT(static_cast<int>(contributions.size()) == n.arity() || contributions.empty(),
              "VJP of " + std::string(op_name(n.op())) + " returned the wrong count");
    for (int k = 0; k < static_cast<int>(contributions.size()); ++k) {
      Node in = n.input(k);
      Node c = contributions[static_cast<std::size_t>(k)];
      if (!c || !depends[static_cast<std::size_t>(in.id())]) continue;
      // Broadcasting in the forward pass is summed away in the backward one.
      c = sum_to(c, in.shape());
      // A gradient points back at the equation its forward op came from.
      graph.set_origin(c, n.data().origin);
      EQ_ASSERT(c.shape() == in.shape(), "gradient shape " + c.shape().str() + " for " +
                                             in.shape().str() + " from " +
                                             std::string(op_name(n.op())));
      auto [it, fresh] = grads.try_emplace(in.id(), c);
      if (!fresh) it->second = it->second + c;
    }
  }

  std::vector<Node> out;
  for (const Node& w : wrt) {
    auto found = grads.find(w.id());
    out.push_back(found != grads.end() ? found->second : expand(constant_like(w, 0.0), w.shape()));
  }
  return out;
}

}  // namespace eq
