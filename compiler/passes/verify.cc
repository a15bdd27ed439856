#include "eq/compiler/passes/verify.hpp"

#include "eq/runtime/error.hpp"

namespace eq::passes {

using namespace eq::ir;

void verify(const Graph& graph_const, const std::vector<Node>& roots, std::string_view after_pass) {
  Graph& graph = const_cast<Graph&>(graph_const);  // handles only; nothing is changed
  const std::vector<char> keep = reachable(graph, roots);
  const std::string after = " (after " + std::string(after_pass) + ")";
  for (NodeId id = 0; id < graph.size(); ++id) {
    if (!keep[static_cast<std::size_t>(id)]) continue;
    Node n = graph.node(id);
    if (info(n.op()).kind == OpKind::leaf) continue;
    std::vector<Node> inputs;
    for (NodeId in : n.data().inputs) {
      EQ_ASSERT(in < id, "node %" + std::to_string(id) + " reads a later node" + after);
      inputs.push_back(graph.node(in));
    }
    TypeResult t = infer_type(n.op(), inputs, n.attrs());
    EQ_ASSERT(t.ok, "node %" + std::to_string(id) + " does not type: " + t.why + after);
    EQ_ASSERT(t.shape == n.shape() && t.dtype == n.dtype(),
              "node %" + std::to_string(id) + " is " + n.shape().str() + " but its rule gives " +
                  t.shape.str() + after);
  }
}

}  // namespace eq::passes
