#include "eq/compiler/passes/stabilise.hpp"

#include "eq/compiler/ir/builders.hpp"

namespace eq::passes {

using namespace eq::ir;

namespace {

// log(1 + f) for an f of op `inner` (any op when inner is null): f, else null.
Node log_of_one_plus(Node n, std::optional<Op> inner = std::nullopt) {
  if (!is(n, Op::log) || !is(n.input(0), Op::add)) return Node();
  Node f = other_than(n.input(0), 1);
  if (!f || (inner && !is(f, *inner))) return Node();
  return f;
}

// log(1 - f): f, else null.
Node log_of_one_minus(Node n) {
  if (!is(n, Op::log) || !is(n.input(0), Op::sub) || !is_value(n.input(0).input(0), 1))
    return Node();
  return n.input(0).input(1);
}

Node log_one_plus_exp(Node n) {
  Node e = log_of_one_plus(n, Op::exp);
  return e ? softplus(e.input(0)) : e;
}

Node log_one_minus_sigmoid(Node n) {
  Node s = log_of_one_minus(n);
  return is(s, Op::sigmoid) ? -softplus(s.input(0)) : Node();
}

Node exp_minus_one(Node n) {
  if (!is(n, Op::sub) || !is(n.input(0), Op::exp) || !is_value(n.input(1), 1)) return Node();
  return expm1(n.input(0).input(0));
}

// 1 / (1 + e⁻ˣ) → σ(x)
Node logistic(Node n) {
  if (!is(n, Op::div) || !is_value(n.input(0), 1) || !is(n.input(1), Op::add)) return Node();
  Node e = other_than(n.input(1), 1);
  if (!is(e, Op::exp) || !is(e.input(0), Op::neg)) return Node();
  return sigmoid(e.input(0).input(0));
}

// Σ over the last axis of (r broadcast along that axis) ⊙ onehot(y) is r:
// exactly one term of each row is r·1, the others r·0.
Node onehot_row_sum(Node n) {
  if (!is(n, Op::sum) || n.attrs().axis != n.input(0).shape().rank() - 1) return Node();
  Node m = n.input(0);
  if (!is(m, Op::mul)) return Node();
  for (int i = 0; i < 2; ++i) {
    Node r = m.input(i), hot = m.input(1 - i);
    if (!is(hot, Op::onehot) || !(hot.shape() == m.shape()) || !is(r, Op::expand)) continue;
    Node row = r.input(0);
    const IShape& s = row.shape();
    if (s.rank() == 0) return expand(row, n.shape());
    if (s.rank() == m.shape().rank() && s[s.rank() - 1] == 1)
      return expand(reshape(row, s.prefix(s.rank() - 1)), n.shape());
  }
  return Node();
}

const std::vector<Rule> kRules = {
    // The specific forms first: log(1 + eˣ) is also log(1 + something).
    {"log(1 + eˣ) → softplus x", log_one_plus_exp},
    {"log σ(x) → -softplus(-x)",
     [](Node n) {
       Node x = is(n, Op::log) && is(n.input(0), Op::sigmoid) ? n.input(0).input(0) : Node();
       return x ? -softplus(-x) : x;
     }},
    {"log(1 - σ(x)) → -softplus x", log_one_minus_sigmoid},
    {"log(1 + x) → log1p x",
     [](Node n) {
       Node x = log_of_one_plus(n);
       return x ? log1p(x) : x;
     }},
    {"log(1 - x) → log1p(-x)",
     [](Node n) {
       Node x = log_of_one_minus(n);
       return x ? log1p(-x) : x;
     }},
    {"eˣ - 1 → expm1 x", exp_minus_one},
    {"1 / (1 + e⁻ˣ) → σ x", logistic},
    {"log softmax z → logsoftmax z",
     [](Node n) {
       Node z = is(n, Op::log) && is(n.input(0), Op::softmax) ? n.input(0).input(0) : Node();
       return z ? logsoftmax(z) : z;
     }},
    {"Σ_last(r̄ ⊙ onehot y) → r", onehot_row_sum},
};

}  // namespace

std::vector<Node> stabilise(Graph& graph, const std::vector<Node>& roots, PassStats& stats) {
  return rewrite(graph, roots, kRules, stats);
}

}  // namespace eq::passes
