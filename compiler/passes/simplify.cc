#include "eq/compiler/passes/simplify.hpp"

#include "eq/compiler/ir/builders.hpp"

namespace eq::passes {

using namespace eq::ir;

namespace {

// s ≥ 0 (or NaN) for every input, by the ops that build it.
bool nonnegative(Node s) {
  switch (s.op()) {
    case Op::square:
    case Op::abs:
    case Op::exp:
    case Op::sqrt:
    case Op::sigmoid:
    case Op::relu:
    case Op::softplus:
    case Op::step:
    case Op::softmax:
      return true;
    case Op::constant:
      return s.attrs().value >= 0;
    case Op::sum:
    case Op::sum_to:
    case Op::amax:
    case Op::expand:
    case Op::reshape:
    case Op::transpose:
      return nonnegative(s.input(0));
    case Op::add:
    case Op::mul:
    case Op::div:
    case Op::max:
      return nonnegative(s.input(0)) && nonnegative(s.input(1));
    default:
      return false;
  }
}

Node unary_of(Node n, Op outer, Op inner) {
  return is(n, outer) && is(n.input(0), inner) ? n.input(0).input(0) : Node();
}

// a·c ∓ b·c → (a ∓ b)·c: the shared factor c of two products, or null.
Node factor(Node n) {
  if (!(is(n, Op::add) || is(n, Op::sub))) return Node();
  Node l = n.input(0), r = n.input(1);
  if (!is(l, Op::mul) || !is(r, Op::mul)) return Node();
  for (int i = 0; i < 2; ++i)
    for (int j = 0; j < 2; ++j)
      if (l.input(i) == r.input(j)) {
        Node a = l.input(1 - i), b = r.input(1 - j), c = l.input(i);
        return n.graph().make(n.op(), {a, b}) * c;
      }
  return Node();
}

// -a + b → b - a (either operand negated).
Node add_of_neg(Node n) {
  if (!is(n, Op::add)) return Node();
  if (is(n.input(0), Op::neg)) return n.input(1) - n.input(0).input(0);
  if (is(n.input(1), Op::neg)) return n.input(0) - n.input(1).input(0);
  return Node();
}

// reshape(reshape x) → reshape x; expand(expand x) → expand x.
Node collapse(Node n, Op op) {
  if (!is(n, op) || !is(n.input(0), op)) return Node();
  return op == Op::reshape ? reshape(n.input(0).input(0), n.shape())
                           : expand(n.input(0).input(0), n.shape());
}

const std::vector<Rule> kRules = {
    {"x + 0 → x", [](Node n) { return is(n, Op::add) ? other_than(n, 0) : Node(); }},
    {"x - 0 → x",
     [](Node n) { return is(n, Op::sub) && is_value(n.input(1), 0) ? n.input(0) : Node(); }},
    {"0 - x → -x",
     [](Node n) { return is(n, Op::sub) && is_value(n.input(0), 0) ? -n.input(1) : Node(); }},
    {"x·1 → x", [](Node n) { return is(n, Op::mul) ? other_than(n, 1) : Node(); }},
    {"x·0 → 0",
     [](Node n) { return is(n, Op::mul) && other_than(n, 0) ? uniform_like(n, 0) : Node(); }},
    {"x·-1 → -x",
     [](Node n) {
       Node x = is(n, Op::mul) ? other_than(n, -1) : Node();
       return x ? -x : x;
     }},
    {"x / 1 → x",
     [](Node n) { return is(n, Op::div) && is_value(n.input(1), 1) ? n.input(0) : Node(); }},
    {"x ^ 1 → x",
     [](Node n) { return is(n, Op::pow) && is_value(n.input(1), 1) ? n.input(0) : Node(); }},
    {"x ^ 2 → x²",
     [](Node n) {
       return is(n, Op::pow) && is_value(n.input(1), 2) ? square(n.input(0)) : Node();
     }},
    {"x·x → x²",
     [](Node n) {
       return is(n, Op::mul) && n.input(0) == n.input(1) ? square(n.input(0)) : Node();
     }},
    {"--x → x", [](Node n) { return unary_of(n, Op::neg, Op::neg); }},
    {"(xᵀ)ᵀ → x", [](Node n) { return unary_of(n, Op::transpose, Op::transpose); }},
    {"-a + b → b - a", add_of_neg},
    {"a - -b → a + b",
     [](Node n) {
       return is(n, Op::sub) && is(n.input(1), Op::neg) ? n.input(0) + n.input(1).input(0) : Node();
     }},
    {"(-a)·(-b) → a·b",
     [](Node n) {
       return is(n, Op::mul) && is(n.input(0), Op::neg) && is(n.input(1), Op::neg)
                  ? n.input(0).input(0) * n.input(1).input(0)
                  : Node();
     }},
    {"exp(log x) → x", [](Node n) { return unary_of(n, Op::exp, Op::log); }},
    {"log(exp x) → x", [](Node n) { return unary_of(n, Op::log, Op::exp); }},
    {"(√s)² → s, s ≥ 0",
     [](Node n) {
       Node s = unary_of(n, Op::square, Op::sqrt);
       return s && nonnegative(s) ? s : Node();
     }},
    {"√(x²) → |x|",
     [](Node n) {
       Node x = unary_of(n, Op::sqrt, Op::square);
       return x ? abs(x) : x;
     }},
    {"exp(logsoftmax z) → softmax z",
     [](Node n) {
       Node z = unary_of(n, Op::exp, Op::logsoftmax);
       return z ? softmax(z) : z;
     }},
    {"a·c ∓ b·c → (a ∓ b)·c", factor},
    {"reshape(reshape x) → reshape x", [](Node n) { return collapse(n, Op::reshape); }},
    {"expand(expand x) → expand x", [](Node n) { return collapse(n, Op::expand); }},
};

}  // namespace

std::vector<Node> simplify(Graph& graph, const std::vector<Node>& roots, PassStats& stats) {
  return rewrite(graph, roots, kRules, stats);
}

}  // namespace eq::passes
