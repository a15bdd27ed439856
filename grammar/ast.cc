// AST factories, cloning and structural equality; see ast.hpp.
#include "eq/grammar/ast.hpp"

#include "eq/runtime/error.hpp"

namespace eq {

namespace {

ExprPtr node(ExprKind kind, Span span) {
  auto e = std::make_unique<Expr>();
  e->kind = kind;
  e->span = span;
  return e;
}

bool is_unary(Op op) { return op == Op::Neg || op == Op::Plus || op == Op::Sqrt; }
bool is_postfix(Op op) { return op == Op::Square || op == Op::Cube || op == Op::Transpose; }
bool is_binary(Op op) { return op >= Op::Add && op <= Op::NotEqual; }

}  // namespace

Expr::~Expr() {
  std::vector<ExprPtr> pending;
  auto take = [&](Expr& e) {
    for (ExprPtr& a : e.args)
      if (a) pending.push_back(std::move(a));
    for (KeywordArg& k : e.kwargs)
      if (k.value) pending.push_back(std::move(k.value));
    for (IndexAxis& x : e.index)
      for (ExprPtr* p : {&x.index, &x.start, &x.stop})
        if (*p) pending.push_back(std::move(*p));
  };
  take(*this);
  while (!pending.empty()) {
    ExprPtr e = std::move(pending.back());
    pending.pop_back();
    take(*e);  // then e goes, childless
  }
}

bool is_comparison(Op op) { return op >= Op::Less && op <= Op::NotEqual; }

ExprPtr make_number(Span span, double value) {
  ExprPtr e = node(ExprKind::Number, span);
  e->number = value;
  return e;
}

ExprPtr make_name(Span span, std::string_view spelling) {
  ExprPtr e = node(ExprKind::Name, span);
  e->name = analyze_name(spelling);
  return e;
}

ExprPtr make_string(Span span, std::string value) {
  ExprPtr e = node(ExprKind::String, span);
  e->text = std::move(value);
  return e;
}

ExprPtr make_unary(Op op, Span op_span, ExprPtr operand) {
  EQ_ASSERT(is_unary(op) && operand, "make_unary: bad operator or operand");
  ExprPtr e = node(ExprKind::Unary, Span::cover(op_span, operand->span));
  e->op = op;
  e->op_span = op_span;
  e->args.push_back(std::move(operand));
  return e;
}

ExprPtr make_postfix(Op op, Span op_span, ExprPtr operand) {
  EQ_ASSERT(is_postfix(op) && operand, "make_postfix: bad operator or operand");
  ExprPtr e = node(ExprKind::Postfix, Span::cover(operand->span, op_span));
  e->op = op;
  e->op_span = op_span;
  e->args.push_back(std::move(operand));
  return e;
}

ExprPtr make_binary(Op op, Span op_span, ExprPtr lhs, ExprPtr rhs) {
  EQ_ASSERT(is_binary(op) && lhs && rhs, "make_binary: bad operator or operands");
  ExprPtr e = node(ExprKind::Binary, Span::cover(lhs->span, rhs->span));
  e->op = op;
  e->op_span = op_span;
  e->args.push_back(std::move(lhs));
  e->args.push_back(std::move(rhs));
  return e;
}

ExprPtr make_implicit_mul(ExprPtr number, ExprPtr rhs) {
  // The "operator" of `2x` is the empty gap between the factors.
  const Span gap{number->span.file, number->span.end, number->span.end};
  ExprPtr e = make_binary(Op::Mul, gap, std::move(number), std::move(rhs));
  e->implicit = true;
  return e;
}

ExprPtr make_norm(Span span, ExprPtr inner) {
  EQ_ASSERT(inner != nullptr, "make_norm: no operand");
  ExprPtr e = node(ExprKind::Norm, span);
  e->args.push_back(std::move(inner));
  return e;
}

ExprPtr make_group(Span span, ExprPtr inner) {
  EQ_ASSERT(inner != nullptr, "make_group: no operand");
  inner->span = span;
  return inner;
}

ExprPtr make_call(Span span, Span name_span, std::string_view callee, bool builtin,
                  std::vector<ExprPtr> args, std::vector<KeywordArg> kwargs) {
  ExprPtr e = node(ExprKind::Call, span);
  // A built-in keeps its spelling: `leaky_relu` is not a name with subscripts.
  if (builtin)
    e->name.text = e->name.base = e->name.stem = std::string(callee);
  else
    e->name = analyze_name(callee);
  e->name_span = name_span;
  e->builtin = builtin;
  e->args = std::move(args);
  e->kwargs = std::move(kwargs);
  return e;
}

ExprPtr make_range(Span op_span, ExprPtr lo, ExprPtr hi) {
  EQ_ASSERT(lo && hi, "make_range: missing bound");
  ExprPtr e = node(ExprKind::Range, Span::cover(lo->span, hi->span));
  e->op_span = op_span;
  e->args.push_back(std::move(lo));
  e->args.push_back(std::move(hi));
  return e;
}

ExprPtr make_concat(Span span, std::vector<ExprPtr> parts) {
  EQ_ASSERT(!parts.empty(), "make_concat: no parts");
  ExprPtr e = node(ExprKind::Concat, span);
  e->args = std::move(parts);
  return e;
}

ExprPtr make_index(Span span, ExprPtr value, std::vector<IndexAxis> axes) {
  EQ_ASSERT(value && !axes.empty(), "make_index: no value or no axis");
  ExprPtr e = node(ExprKind::Index, span);
  e->args.push_back(std::move(value));
  e->index = std::move(axes);
  return e;
}

IndexAxis make_axis_index(Span span, ExprPtr index) {
  EQ_ASSERT(index != nullptr, "make_axis_index: no index");
  IndexAxis a;
  a.index = std::move(index);
  a.span = span;
  return a;
}

IndexAxis make_axis_slice(Span span, ExprPtr start, ExprPtr stop) {
  IndexAxis a;
  a.slice = true;
  a.start = std::move(start);
  a.stop = std::move(stop);
  a.span = span;
  return a;
}

namespace {

ExprPtr clone_opt(const ExprPtr& e) { return e ? clone(*e) : nullptr; }

bool same_opt(const ExprPtr& a, const ExprPtr& b) {
  if (!a || !b) return !a && !b;
  return same(*a, *b);
}

}  // namespace

ExprPtr clone(const Expr& e) {
  auto c = std::make_unique<Expr>();
  c->kind = e.kind;
  c->span = e.span;
  c->op = e.op;
  c->op_span = e.op_span;
  c->implicit = e.implicit;
  c->number = e.number;
  c->text = e.text;
  c->name = e.name;
  c->name_span = e.name_span;
  c->builtin = e.builtin;
  for (const ExprPtr& a : e.args) c->args.push_back(clone(*a));
  for (const KeywordArg& k : e.kwargs)
    c->kwargs.push_back({k.name, k.name_span, clone(*k.value), k.span});
  for (const IndexAxis& a : e.index)
    c->index.push_back(
        {a.slice, clone_opt(a.index), clone_opt(a.start), clone_opt(a.stop), a.span});
  return c;
}

bool same(const Expr& a, const Expr& b) {
  if (a.kind != b.kind || a.op != b.op || a.implicit != b.implicit) return false;
  if (a.args.size() != b.args.size() || a.kwargs.size() != b.kwargs.size() ||
      a.index.size() != b.index.size())
    return false;
  switch (a.kind) {
    case ExprKind::Number:
      if (a.number != b.number) return false;
      break;
    case ExprKind::Name:
      if (a.name.text != b.name.text) return false;
      break;
    case ExprKind::String:
      if (a.text != b.text) return false;
      break;
    case ExprKind::Call:
      if (a.name.text != b.name.text || a.builtin != b.builtin) return false;
      break;
    default:
      break;
  }
  for (std::size_t i = 0; i < a.args.size(); ++i)
    if (!same(*a.args[i], *b.args[i])) return false;
  for (std::size_t i = 0; i < a.kwargs.size(); ++i)
    if (a.kwargs[i].name.text != b.kwargs[i].name.text ||
        !same(*a.kwargs[i].value, *b.kwargs[i].value))
      return false;
  for (std::size_t i = 0; i < a.index.size(); ++i) {
    const IndexAxis& x = a.index[i];
    const IndexAxis& y = b.index[i];
    if (x.slice != y.slice || !same_opt(x.index, y.index) || !same_opt(x.start, y.start) ||
        !same_opt(x.stop, y.stop))
      return false;
  }
  return true;
}

const char* op_name(Op op) {
  switch (op) {
    case Op::None:
      return "none";
    case Op::Neg:
      return "neg";
    case Op::Plus:
      return "plus";
    case Op::Sqrt:
      return "sqrt";
    case Op::Square:
      return "square";
    case Op::Cube:
      return "cube";
    case Op::Transpose:
      return "transpose";
    case Op::Add:
      return "add";
    case Op::Sub:
      return "sub";
    case Op::Mul:
      return "mul";
    case Op::Div:
      return "div";
    case Op::MatMul:
      return "matmul";
    case Op::Pow:
      return "pow";
    case Op::Less:
      return "lt";
    case Op::Greater:
      return "gt";
    case Op::LessEqual:
      return "le";
    case Op::GreaterEqual:
      return "ge";
    case Op::NotEqual:
      return "ne";
  }
  return "?";
}

const char* stmt_keyword(StmtKind kind) {
  switch (kind) {
    case StmtKind::Dim:
      return "dim";
    case StmtKind::Input:
      return "input";
    case StmtKind::Target:
      return "target";
    case StmtKind::Param:
      return "param";
    case StmtKind::State:
      return "state";
    case StmtKind::Const:
      return "const";
    case StmtKind::Output:
      return "output";
    case StmtKind::Noise:
      return "noise";
    case StmtKind::Equation:
      return "";
    case StmtKind::Train:
      return "train";
  }
  return "";
}

namespace {

bool same_list(const std::vector<ExprPtr>& a, const std::vector<ExprPtr>& b) {
  if (a.size() != b.size()) return false;
  for (std::size_t i = 0; i < a.size(); ++i)
    if (!same(*a[i], *b[i])) return false;
  return true;
}

}  // namespace

bool same(const Stmt& a, const Stmt& b) {
  if (a.kind != b.kind || a.has_shape != b.has_shape || a.onehot != b.onehot) return false;
  if (!same_list(a.names, b.names) || !same_list(a.shape, b.shape) || !same_opt(a.value, b.value))
    return false;
  if (a.entries.size() != b.entries.size()) return false;
  for (std::size_t i = 0; i < a.entries.size(); ++i)
    if (a.entries[i].key != b.entries[i].key || !same(*a.entries[i].value, *b.entries[i].value))
      return false;
  return true;
}

bool same(const Module& a, const Module& b) {
  if (a.statements.size() != b.statements.size()) return false;
  for (std::size_t i = 0; i < a.statements.size(); ++i)
    if (!same(a.statements[i], b.statements[i])) return false;
  return true;
}

std::optional<double> arithmetic(Op op, double a, double b) {
  switch (op) {
    case Op::Add:
      return a + b;
    case Op::Sub:
      return a - b;
    case Op::Mul:
      return a * b;
    case Op::Div:
      return a / b;
    default:
      return std::nullopt;
  }
}

}  // namespace eq
