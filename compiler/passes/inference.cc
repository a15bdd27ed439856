#include "eq/compiler/passes/inference.hpp"

namespace eq::passes {

using namespace eq::ir;

namespace {

Node unmasked(Node n) {
  if (!is(n, Op::mul)) return Node();
  for (int i = 0; i < 2; ++i)
    if (is(n.input(i), Op::dropout_mask) && n.input(1 - i).shape() == n.shape())
      return n.input(1 - i);
  return Node();
}

const std::vector<Rule> kRules = {
    {"x · dropout_mask → x", unmasked},
    {"dropout_mask → 1",
     [](Node n) { return is(n, Op::dropout_mask) ? uniform_like(n, 1) : Node(); }},
};

}  // namespace

std::vector<Node> strip_training_ops(Graph& graph, const std::vector<Node>& roots,
                                     PassStats& stats) {
  return rewrite(graph, roots, kRules, stats);
}

}  // namespace eq::passes
