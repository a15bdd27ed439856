#include "compiler/lower/expr.hpp"

#include <algorithm>

#include "compiler/ir/builders.hpp"
#include "grammar/builtins.hpp"
#include "runtime/error.hpp"

namespace eq::lower {

using ir::IShape;
using ir::Node;

namespace {

// How the Unicode spellings of built-ins are read aloud, and so typed by
// someone without the character: sigma(x) for σ(x).
constexpr std::pair<std::string_view, std::string_view> kSpokenNames[] = {
    {"sigma", "σ"},
    {"Sigma", "Σ"},
};

// The built-in function an unknown callee was probably meant to be, quoted,
// or "": a letter's spoken name (sigma → 'σ'), else the nearest spelling. A
// Unicode spelling comes with its ASCII name ('σ' or 'sigmoid'), which is
// the one to type without the character.
std::string nearest_function(const std::string& name) {
  std::string spelling;
  for (const auto& [spoken, letter] : kSpokenNames)
    if (name == spoken) spelling = letter;
  if (spelling.empty()) {
    std::vector<std::string> spellings;
    for (const BuiltinSpelling& b : kBuiltins)
      if (b.is_name) spellings.emplace_back(b.spelling);
    spelling = nearest_name(name, spellings);
  }
  const BuiltinSpelling* meant = spelling.empty() ? nullptr : find_builtin(spelling);
  if (!meant) return "";
  const bool ascii =
      std::all_of(spelling.begin(), spelling.end(), [](char c) { return (c & 0x80) == 0; });
  return "'" + spelling + "'" + (ascii ? "" : " or '" + std::string(meant->function) + "'");
}

class Lowerer {
 public:
  explicit Lowerer(Context& cx) : cx_(cx) {}

  Binding expr(const Expr& e) {
    switch (e.kind) {
      case ExprKind::Number:
        return plain(mark(cx_.graph.constant(e.number), e.span));
      case ExprKind::Name:
        return name(e);
      case ExprKind::String:
        cx_.diags.error(e.span, "a string can only name a file in the train block");
        return {};
      case ExprKind::Range:
        cx_.diags.error(e.span, "a range like 0:4 can only select columns in the train block");
        return {};
      case ExprKind::Unary:
        return unary(e);
      case ExprKind::Postfix:
        return postfix(e);
      case ExprKind::Binary:
        return binary(e);
      case ExprKind::Norm:
        return norm(e, *e.args[0]);
      case ExprKind::Call:
        return call(e);
      case ExprKind::Concat:
        return not_yet(e.span, "concatenation [a, b]");
      case ExprKind::Index:
        return not_yet(e.span, "indexing and slicing");
    }
    return {};
  }

 private:
  // LANGUAGE.md §9 constructs that parse but are not lowered yet.
  Binding not_yet(Span span, const std::string& what) {
    cx_.diags.error(span, what + " is not supported yet");
    return {};
  }

  static Binding plain(Node n) { return Binding{n, 0}; }

  Node mark(Node n, Span span) {
    if (n) cx_.graph.set_origin(n, ir::Origin{cx_.file, span.begin, span.end});
    return n;
  }

  std::string text(const Expr& e) const { return std::string(e.span.file->slice(e.span)); }
  std::string text(Span s) const { return std::string(s.file->slice(s)); }

  // A one-hot value as a dense vector of the graph's float type.
  Node dense(const Binding& b, Span span) {
    if (!b.node || !b.onehot) return b.node;
    return mark(ir::onehot(b.node, b.onehot, cx_.graph.dtype()), span);
  }

  // The per-example shape as the user thinks of it: one-hot values are vectors.
  static Shape shape_of(const Binding& b) {
    if (b.onehot) return Shape{b.onehot};
    return example_shape(b.node);
  }

  Binding name(const Expr& e) {
    const Binding* b = cx_.scope.find(e.name, e.span, cx_.diags);
    if (!b) {
      std::string message = "unknown name '" + e.name.text + "'";
      std::string near = nearest_name(e.name.text, cx_.scope.names());
      if (!near.empty()) message += "; did you mean '" + near + "'?";
      cx_.diags.error(e.span, message);
      return {};
    }
    return *b;
  }

  Binding unary(const Expr& e) {
    Binding x = expr(*e.args[0]);
    if (!x.node) return {};
    Node v = dense(x, e.args[0]->span);
    switch (e.op) {
      case Op::Neg: return plain(mark(-v, e.span));
      case Op::Plus: return plain(v);
      case Op::Sqrt: return plain(mark(ir::sqrt(v), e.span));
      default: break;
    }
    EQ_ASSERT(false, "unknown unary operator");
  }

  Binding postfix(const Expr& e) {
    Binding x = expr(*e.args[0]);
    if (!x.node) return {};
    Node v = dense(x, e.args[0]->span);
    switch (e.op) {
      case Op::Square: return plain(mark(ir::square(v), e.span));
      case Op::Cube: return plain(mark(ir::pow(v, 3.0), e.span));
      case Op::Transpose: return plain(transpose(v, e.span));
      default: break;
    }
    EQ_ASSERT(false, "unknown postfix operator");
  }

  // A vector's transpose is itself (LANGUAGE §3); a matrix swaps its axes.
  Node transpose(Node v, Span span) {
    if (example_shape(v).rank() < 2) return v;
    return mark(ir::transpose(v), span);
  }

  static const char* verb(Op op) {
    switch (op) {
      case Op::Add: return "add";
      case Op::Sub: return "subtract";
      case Op::Mul: return "multiply";
      case Op::Div: return "divide";
      case Op::Pow: return "raise";
      case Op::MatMul: return "multiply";
      default: return "combine";
    }
  }

  void shape_error(const Expr& e, const Binding& a, const Binding& b, const std::string& why = "") {
    const Expr& l = *e.args[0];
    const Expr& r = *e.args[1];
    std::string op_text = e.implicit ? "*" : text(e.op_span);
    std::string message = std::string("cannot ") + verb(e.op) + " " + text(l) + " " +
                          shape_of(a).str() + " " + op_text + " " + text(r) + " " + shape_of(b).str();
    if (!why.empty()) message += ": " + why;
    cx_.diags.error(l.span, message, {r.span});
  }

  // Elementwise binary op with numpy broadcasting of the per-example shapes.
  Node elementwise(ir::Op op, Node a, Node b) {
    IShape per_example;
    if (!ir::broadcast(IShape(example_shape(a)), IShape(example_shape(b)), per_example)) return {};
    int rank = per_example.rank();
    auto align = [&](Node x) {
      int missing = rank - example_shape(x).rank();
      if (!x.shape().has_batch() || missing <= 0) return x;
      std::vector<std::int64_t> dims(static_cast<std::size_t>(missing), 1);
      dims.insert(dims.end(), example_shape(x).begin(), example_shape(x).end());
      return ir::reshape(x, IShape::batched(Shape(std::span<const std::int64_t>(dims))));
    };
    return cx_.graph.make(op, {align(a), align(b)});
  }

  Binding binary(const Expr& e) {
    if (is_comparison(e.op)) return not_yet(e.op_span, "the comparison '" + text(e.op_span) + "'");
    Binding a = expr(*e.args[0]);
    Binding b = expr(*e.args[1]);
    if (!a.node || !b.node) return {};
    if (e.op == Op::MatMul) return plain(mark(product(e, a, b), e.span));
    ir::Op op = e.op == Op::Add ? ir::Op::add
                : e.op == Op::Sub ? ir::Op::sub
                : e.op == Op::Mul ? ir::Op::mul
                : e.op == Op::Div ? ir::Op::div
                                  : ir::Op::pow;
    Node n = elementwise(op, dense(a, e.args[0]->span), dense(b, e.args[1]->span));
    if (!n) {
      shape_error(e, a, b);
      return {};
    }
    warn_target_broadcast(e, a, b, example_shape(n));
    return plain(mark(n, e.span));
  }

  // A target meets a value of another shape by broadcasting: every element
  // of the larger value is compared with the same few target numbers.
  void warn_target_broadcast(const Expr& e, const Binding& a, const Binding& b,
                             const Shape& result) {
    for (int side = 0; side < 2; ++side) {
      const Binding& target = side == 0 ? a : b;
      const Binding& other = side == 0 ? b : a;
      if (!target.target || shape_of(target).numel() >= result.numel()) continue;
      const Expr& t = *e.args[static_cast<std::size_t>(side)];
      const Expr& o = *e.args[static_cast<std::size_t>(1 - side)];
      cx_.diags.warning(t.span,
                        "target " + text(t) + " " + shape_of(target).str() +
                            " is broadcast against " + text(o) + " " + shape_of(other).str() +
                            ": a prediction usually has the shape of its target"
                            " (is a * meant to be ·?)",
                        {o.span});
      return;
    }
  }

  // A transpose of a parameter matrix feeding a product becomes a flag.
  static Node strip_transpose(Node n, bool& flag) {
    if (n.op() == ir::Op::transpose && !n.shape().has_batch() && n.shape().rank() == 2) {
      flag = !flag;
      return n.input(0);
    }
    return n;
  }

  // `·` on one example's values (LANGUAGE §3), run over the batch.
  Node product(const Expr& e, const Binding& a, const Binding& b) {
    Shape sa = shape_of(a), sb = shape_of(b);
    if (sa.rank() == 0 || sb.rank() == 0 || sa.rank() > 2 || sb.rank() > 2) {
      shape_error(e, a, b, "· multiplies vectors and matrices (use * to scale)");
      return {};
    }
    std::int64_t ka = sa[sa.rank() - 1], kb = sb[0];
    if (ka != kb) {
      shape_error(e, a, b);
      return {};
    }
    bool batched_a = a.node.shape().has_batch(), batched_b = b.node.shape().has_batch();
    // W·x with a one-hot x picks columns of W: a lookup, never a product.
    if (b.onehot && !batched_a && sa.rank() == 2) {
      bool t = false;
      Node w = strip_transpose(a.node, t);
      if (t) w = ir::transpose(w);
      return ir::gather(w, b.node);
    }
    Node x = dense(a, e.args[0]->span), y = dense(b, e.args[1]->span);
    if ((batched_a && sa.rank() == 2) || (batched_b && sb.rank() == 2)) {
      shape_error(e, a, b, "products of per-example matrices are not supported yet");
      return {};
    }
    bool ta = false, tb = false;
    if (!batched_a && !batched_b) {
      x = strip_transpose(x, ta);
      y = strip_transpose(y, tb);
      return ir::matmul(x, y, ta, tb);
    }
    if (batched_a && batched_b) return ir::sum(x * y);  // one dot product per example
    if (batched_b) {
      // M·x per example is the batch [B, n] times Mᵀ: one gemm.
      x = strip_transpose(x, ta);
      return ir::matmul(y, x, false, sa.rank() == 2 ? !ta : false);
    }
    y = strip_transpose(y, tb);
    return ir::matmul(x, y, false, tb);
  }

  Binding norm(const Expr& whole, const Expr& inner) {
    Binding x = expr(inner);
    if (!x.node) return {};
    Node v = dense(x, inner.span);
    return plain(mark(ir::sqrt(ir::sum(ir::square(v))), whole.span));
  }

  Binding call(const Expr& e) {
    const BuiltinSpelling* builtin = find_builtin(e.name.text);
    if (!builtin) {
      std::string message = "'" + e.name.text + "' is not a built-in function";
      std::string near = nearest_function(e.name.text);
      if (!near.empty()) message += "; did you mean " + near + "?";
      cx_.diags.error(e.name_span, message);
      return {};
    }
    std::string_view fn = builtin->function;
    const bool composite = fn == "sum" || fn == "max" || fn == "min" || fn == "mean" ||
                           fn == "norm" || fn == "transpose" || fn == "softmax" ||
                           fn == "logsoftmax";
    if (!composite && !ir::op_for_spelling(fn))
      return not_yet(e.name_span, "the built-in function '" + e.name.text + "'");
    if (!e.kwargs.empty())
      return not_yet(e.kwargs[0].span, "the named argument '" + e.kwargs[0].name.text + " = …'");
    std::size_t want = (fn == "max" || fn == "min") && e.args.size() == 2 ? 2 : 1;
    if (e.args.size() != want) {
      std::string takes = fn == "max" || fn == "min" ? "1 or 2 arguments" : "1 argument";
      cx_.diags.error(e.span, e.name.text + " takes " + takes + "; got " +
                                  std::to_string(e.args.size()));
      return {};
    }
    std::vector<Binding> args;
    for (const ExprPtr& arg : e.args) {
      args.push_back(expr(*arg));
      if (!args.back().node) return {};
    }
    Node x = dense(args[0], e.args[0]->span);
    if (want == 2) {
      Node y = dense(args[1], e.args[1]->span);
      Node n = elementwise(fn == "max" ? ir::Op::max : ir::Op::min, x, y);
      if (!n) {
        cx_.diags.error(e.args[0]->span,
                        "cannot take the elementwise " + std::string(fn) + " of " + text(*e.args[0]) +
                            " " + shape_of(args[0]).str() + " and " + text(*e.args[1]) + " " +
                            shape_of(args[1]).str(),
                        {e.args[1]->span});
        return {};
      }
      return plain(mark(n, e.span));
    }
    Node n;
    if (fn == "sum") n = ir::sum(x);
    else if (fn == "max") n = ir::amax(x);
    else if (fn == "min") n = ir::amin(x);
    else if (fn == "mean")
      n = ir::sum(x) / static_cast<double>(std::max<std::int64_t>(1, example_shape(x).numel()));
    else if (fn == "norm") n = ir::sqrt(ir::sum(ir::square(x)));
    else if (fn == "transpose") n = transpose(x, e.span);
    else if (fn == "softmax" || fn == "logsoftmax") {
      if (example_shape(x).rank() == 0) {
        cx_.diags.error(e.args[0]->span, e.name.text + " needs a vector; " + text(*e.args[0]) +
                                             " is a scalar");
        return {};
      }
      n = fn == "softmax" ? ir::softmax(x) : ir::logsoftmax(x);
    } else {
      auto op = ir::op_for_spelling(fn);
      EQ_ASSERT(op.has_value(), "built-in '" + std::string(fn) + "' has no op");
      n = cx_.graph.make(*op, {x});
    }
    return plain(mark(n, e.span));
  }

  Context& cx_;
};

}  // namespace

Binding lower_expression(const Expr& e, Context& cx) {
  Lowerer lowerer(cx);
  return lowerer.expr(e);
}

}  // namespace eq::lower
