#include "eq/compiler/passes/fold.hpp"

#include "eq/compiler/ir/builders.hpp"
#include "eq/runtime/error.hpp"
#include "eq/runtime/scalar_math.hpp"

namespace eq::passes {

using namespace eq::ir;

namespace {

double round_to(double v, DType t) {
  return t == DType::f32 ? static_cast<double>(static_cast<float>(v)) : v;
}

// The number of elements a reduction of x over axes [axis, rank) adds up,
// or 0 when that includes the batch axis (unknown before run time).
std::int64_t reduced_count(const IShape& x, int axis) {
  std::int64_t count = 1;
  for (int a = axis; a < x.rank(); ++a) {
    if (x[a] == IShape::kBatch) return 0;
    count *= x[a];
  }
  return count;
}

Node folded(Node like, double v) { return uniform_like(like, round_to(v, like.dtype())); }

Node fold_elementwise(Node n) {
  if (!info(n.op()).elementwise()) return Node();
  auto a = uniform(n.input(0));
  if (!a) return Node();
  double b = 0;
  if (n.arity() == 2) {
    auto u = uniform(n.input(1));
    if (!u) return Node();
    b = *u;
  }
  DType t = n.dtype();
  return folded(n, evaluate_elementwise(n.op(), round_to(*a, t), round_to(b, t)));
}

Node fold_sum(Node n) {
  if (!is(n, Op::sum)) return Node();
  auto c = uniform(n.input(0));
  std::int64_t count = reduced_count(n.input(0).shape(), n.attrs().axis);
  if (!c || count == 0) return Node();
  return folded(n, *c * static_cast<double>(count));
}

Node fold_sum_to(Node n) {
  if (!is(n, Op::sum_to)) return Node();
  auto c = uniform(n.input(0));
  const IShape &from = n.input(0).shape(), &to = n.shape();
  if (!c || from.has_batch() != to.has_batch()) return Node();
  return folded(n, *c * static_cast<double>(from.example().numel() / to.example().numel()));
}

// Shape changes of a uniform value become expand(constant), once.
Node fold_shape(Node n) {
  bool shape_op = is(n, Op::reshape) || is(n, Op::expand) || is(n, Op::transpose);
  if (!shape_op || (is(n, Op::expand) && is(n.input(0), Op::constant))) return Node();
  auto c = uniform(n.input(0));
  return c ? uniform_like(n, *c) : Node();
}

const std::vector<Rule> kRules = {
    // One line per identity; the reasons are in the header.
    {"op(c₁, c₂) → c", fold_elementwise},
    {"Σ c → count·c", fold_sum},
    {"sum_to c → count·c", fold_sum_to},
    {"max c → c",
     [](Node n) {
       auto c = uniform(is(n, Op::amax) ? n.input(0) : Node());
       return c ? folded(n, *c) : Node();
     }},
    {"min c → c",
     [](Node n) {
       auto c = uniform(is(n, Op::amin) ? n.input(0) : Node());
       return c ? folded(n, *c) : Node();
     }},
    {"cast c → c",
     [](Node n) {
       auto c = uniform(is(n, Op::cast) ? n.input(0) : Node());
       return c ? folded(n, *c) : Node();
     }},
    {"reshape/expand c → c", fold_shape},
};

}  // namespace

double evaluate_elementwise(Op op, double a, double b) {
  const OpKernel k = *info(op).kernel;
  if (k.kernel == runtime::Kernel::unary)
    return kernels::apply(static_cast<kernels::Unary>(k.sub), a);
  EQ_ASSERT(k.kernel == runtime::Kernel::binary, "not an elementwise op");
  return kernels::apply(static_cast<kernels::Binary>(k.sub), a, b);
}

std::vector<Node> fold_constants(Graph& graph, const std::vector<Node>& roots, PassStats& stats) {
  return rewrite(graph, roots, kRules, stats);
}

}  // namespace eq::passes
