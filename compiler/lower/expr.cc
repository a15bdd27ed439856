#include "eq/compiler/lower/expr.hpp"

#include <algorithm>
#include <cmath>
#include <functional>
#include <optional>

#include "eq/compiler/ir/builders.hpp"
#include "eq/compiler/lower/call_hints.hpp"
#include "eq/compiler/passes/fold.hpp"
#include "eq/grammar/builtins.hpp"
#include "eq/grammar/look_alike.hpp"
#include "eq/runtime/error.hpp"
#include "eq/runtime/format.hpp"
#include "eq/runtime/tensor.hpp"

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

// Every spelling of a built-in function that is a name.
std::vector<std::string> function_names() {
  std::vector<std::string> spellings;
  for (const BuiltinSpelling& b : kBuiltins)
    if (b.is_name) spellings.emplace_back(b.spelling);
  return spellings;
}

// The built-in function an unknown callee was probably meant to be, quoted,
// or "": a letter's spoken name (sigma → 'σ'), else the nearest spelling. A
// Unicode spelling comes with its ASCII name ('σ' or 'sigmoid'), which is
// the one to type without the character.
std::string nearest_function(const std::string& name) {
  std::string spelling;
  for (const auto& [spoken, letter] : kSpokenNames)
    if (name == spoken) spelling = letter;
  if (spelling.empty()) spelling = nearest_name(name, function_names());
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
        return concat(e);
      case ExprKind::Index:
        return index(e);
    }
    return {};
  }

 private:
  // docs/language.md §9 constructs that parse but are not lowered yet.
  Binding not_yet(Span span, const std::string& what) {
    cx_.diags.error(span, what + " is not supported yet");
    return {};
  }

  static Binding plain(Node n) { return Binding{n, 0}; }

  // Gives `n` its place in the source. A value is allocated whole, one
  // example at least, so its bytes must be a number: a broadcast or a product
  // of large declared sizes whose byte count passes int64 is an error here,
  // under the expression that makes it (a null Node), not a wrapped-around
  // buffer size in the tape.
  Node mark(Node n, Span span) {
    if (!n) return n;
    try {
      byte_size(example_shape(n), n.dtype());
    } catch (const Error& e) {
      cx_.diags.error(span, e.what());
      return {};
    }
    cx_.graph.set_origin(n, ir::Origin{cx_.file, span.begin, span.end});
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
  static Shape shape_of(const Binding& b) { return declared_shape(b.node, b.onehot); }

  Binding name(const Expr& e) {
    const Binding* b = cx_.scope.find(e.name, e.span, cx_.diags);
    if (!b) {
      cx_.diags.error(e.span, unknown_name_message(e.name.text, cx_.scope.names()));
      return {};
    }
    return *b;
  }

  Binding unary(const Expr& e) {
    Binding x = expr(*e.args[0]);
    if (!x.node) return {};
    Node v = dense(x, e.args[0]->span);
    switch (e.op) {
      case Op::Neg:
        return plain(mark(-v, e.span));
      case Op::Plus:
        return plain(v);
      case Op::Sqrt:
        return plain(mark(ir::sqrt(v), e.span));
      default:
        break;
    }
    EQ_ASSERT(false, "unknown unary operator");
  }

  Binding postfix(const Expr& e) {
    Binding x = expr(*e.args[0]);
    if (!x.node) return {};
    Node v = dense(x, e.args[0]->span);
    switch (e.op) {
      case Op::Square:
        return plain(mark(ir::square(v), e.span));
      case Op::Cube:
        return plain(mark(ir::pow(v, 3.0), e.span));
      case Op::Transpose:
        return plain(transpose(v, e.span));
      default:
        break;
    }
    EQ_ASSERT(false, "unknown postfix operator");
  }

  // A vector's transpose is itself (docs/language.md §3); a matrix swaps its axes.
  Node transpose(Node v, Span span) {
    if (example_shape(v).rank() < 2) return v;
    return mark(ir::transpose(v), span);
  }

  static const char* verb(Op op) {
    switch (op) {
      case Op::Add:
        return "add";
      case Op::Sub:
        return "subtract";
      case Op::Mul:
        return "multiply";
      case Op::Div:
        return "divide";
      case Op::Pow:
        return "raise";
      case Op::MatMul:
        return "multiply";
      case Op::Less:
      case Op::Greater:
      case Op::LessEqual:
      case Op::GreaterEqual:
      case Op::NotEqual:
        return "compare";
      default:
        return "combine";
    }
  }

  void shape_error(const Expr& e, const Binding& a, const Binding& b, const std::string& why = "") {
    const Expr& l = *e.args[0];
    const Expr& r = *e.args[1];
    std::string op_text = e.implicit ? "*" : text(e.op_span);
    std::string message = std::string("cannot ") + verb(e.op) + " " + text(l) + " " +
                          shape_of(a).str() + " " + op_text + " " + text(r) + " " +
                          shape_of(b).str();
    if (!why.empty()) message += ": " + why;
    cx_.diags.error(l.span, message, {r.span});
  }

  // Operands of an elementwise op aligned on their per-example axes (numpy
  // broadcasting of the per-example shapes: a batched operand of lower rank
  // gets size-1 axes after its batch axis); empty when they do not broadcast.
  std::vector<Node> aligned(std::vector<Node> xs) {
    IShape per_example;
    for (const Node& x : xs)
      if (!ir::broadcast(per_example, IShape(example_shape(x)), per_example)) return {};
    int rank = per_example.rank();
    for (Node& x : xs) {
      int missing = rank - example_shape(x).rank();
      if (!x.shape().has_batch() || missing <= 0) continue;
      std::vector<std::int64_t> dims(static_cast<std::size_t>(missing), 1);
      dims.insert(dims.end(), example_shape(x).begin(), example_shape(x).end());
      x = ir::reshape(x, IShape::batched(Shape(std::span<const std::int64_t>(dims))));
    }
    return xs;
  }

  // Elementwise binary op with numpy broadcasting of the per-example shapes.
  Node elementwise(ir::Op op, Node a, Node b) {
    std::vector<Node> xs = aligned({a, b});
    if (xs.empty()) return {};
    return cx_.graph.make(op, xs);
  }

  static ir::Op comparison_op(Op op) {
    switch (op) {
      case Op::Less:
        return ir::Op::lt;
      case Op::Greater:
        return ir::Op::gt;
      case Op::LessEqual:
        return ir::Op::le;
      case Op::GreaterEqual:
        return ir::Op::ge;
      default:
        return ir::Op::ne;
    }
  }

  // An operand as written, bracketed when a postfix operator after it
  // would bind to its last part alone (`a + b` → `(a + b)`).
  std::string operand(const Expr& e) const {
    const std::string t = text(e);
    const bool compound = e.kind == ExprKind::Binary || e.kind == ExprKind::Unary;
    return compound && t.front() != '(' ? "(" + t + ")" : t;
  }
  // An operand as written without the brackets around it, as an argument.
  std::string bare(const Expr& e) const {
    const std::string t = operand(e);
    return t.front() == '(' && t.back() == ')' ? t.substr(1, t.size() - 2) : t;
  }

  // `X^T`, the transpose as LaTeX and plain text write it; eq writes Xᵀ.
  // With no name T it is an error that says so; with a dim T it is X to the
  // power of that size, which a warning points out for a matrix X.
  bool transpose_as_power(const Expr& e, const Binding* base) {
    if (e.op != Op::Pow || e.args[1]->kind != ExprKind::Name) return false;
    const std::string& t = e.args[1]->name.text;
    if (t != "T" && t != "t") return false;
    const std::string transpose = "for the transpose write " + operand(*e.args[0]) +
                                  "ᵀ (or transpose(" + bare(*e.args[0]) + "))";
    if (!base && cx_.scope.role(t).empty()) {
      cx_.diags.error(e.args[1]->span, "unknown name '" + t + "'; " + transpose);
      return true;
    }
    if (base && base->node && shape_of(*base).rank() == 2 && cx_.scope.role(t) == "a dim")
      cx_.diags.warning(
          e.span, text(e) + " raises each element to the power " + t + " (a dim); " + transpose);
    return false;
  }

  Binding binary(const Expr& e) {
    if (transpose_as_power(e, nullptr)) return {};
    Binding a = expr(*e.args[0]);
    Binding b = expr(*e.args[1]);
    if (!a.node || !b.node) return {};
    transpose_as_power(e, &a);
    if (e.op == Op::MatMul) return plain(mark(product(e, a, b), e.span));
    ir::Op op = is_comparison(e.op) ? comparison_op(e.op)
                : e.op == Op::Add   ? ir::Op::add
                : e.op == Op::Sub   ? ir::Op::sub
                : e.op == Op::Mul   ? ir::Op::mul
                : e.op == Op::Div   ? ir::Op::div
                                    : ir::Op::pow;
    Node n = elementwise(op, dense(a, e.args[0]->span), dense(b, e.args[1]->span));
    if (!n) {
      shape_error(e, a, b);
      return {};
    }
    if (!mark(n, e.span)) return {};  // too large: reported
    warn_target_broadcast(e, a, b, example_shape(n));
    return plain(n);
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

  // A transpose of a matrix (a parameter's, or each example's) feeding a
  // product becomes a flag.
  static Node strip_transpose(Node n, bool& flag) {
    if (n.op() == ir::Op::transpose && example_shape(n).rank() == 2) {
      flag = !flag;
      return n.input(0);
    }
    return n;
  }

  // x as a matrix of one example (or a shared one): a vector becomes a row
  // [1, k] on the left of `·`, a column [k, 1] on the right (reshapes).
  static Node as_matrix(Node x, bool left) {
    const std::int64_t k = example_shape(x)[0];
    Shape s = left ? Shape{1, k} : Shape{k, 1};
    return ir::reshape(x, x.shape().has_batch() ? IShape::batched(s) : IShape(s));
  }

  // `·` where one side is a matrix per example (docs/language.md §9): one
  // product per example, run as one batched product (runtime/kernels.hpp:
  // X·W with a shared W is a single gemm over the stacked batch). A vector
  // joins as a row or a column, dropped again from the result; a transpose
  // of either operand becomes a flag.
  Node per_example_product(Node x, Node y, bool x_vector, bool y_vector) {
    if (x_vector) x = as_matrix(x, true);
    if (y_vector) y = as_matrix(y, false);
    bool tx = false, ty = false;
    x = strip_transpose(x, tx);
    y = strip_transpose(y, ty);
    Node p = ir::matmul(x, y, tx, ty);
    if (!x_vector && !y_vector) return p;
    const Shape s = example_shape(p);
    Shape kept = x_vector && y_vector ? Shape{} : x_vector ? Shape{s[1]} : Shape{s[0]};
    return ir::reshape(p, IShape::batched(kept));
  }

  // `·` on one example's values (docs/language.md §3), run over the batch.
  Node product(const Expr& e, const Binding& a, const Binding& b) {
    Shape sa = shape_of(a), sb = shape_of(b);
    if (sa.rank() == 0 || sb.rank() == 0 || sa.rank() > 2 || sb.rank() > 2) {
      shape_error(e, a, b, "· multiplies vectors and matrices (use * to scale)");
      return {};
    }
    std::int64_t ka = sa[sa.rank() - 1], kb = sb[0];
    if (ka != kb) {
      // Q·K where Q·Kᵀ fits: attention's scores, with the transpose forgotten.
      std::string why;
      const Expr& r = *e.args[1];
      const bool power_t = r.kind == ExprKind::Binary && r.op == Op::Pow &&
                           r.args[1]->kind == ExprKind::Name;  // X^T: warned about
      const bool transposed = r.kind == ExprKind::Postfix && r.op == Op::Transpose;
      if (sa.rank() == 2 && sb.rank() == 2 && sb[1] == ka && transposed) {
        // X·Wᵀ where X·W fits: the ᵀ is one too many (it said "write Wᵀᵀ").
        const std::string w = operand(*r.args[0]);
        why = "without the ᵀ: " + text(*e.args[0]) + "·" + w + " is " + Shape{sa[0], sb[0]}.str();
      } else if (sa.rank() == 2 && sb.rank() == 2 && sb[1] == ka && !power_t) {
        const std::string rt = operand(r) + "ᵀ";
        why = "for the transpose of " + text(r) + " write " + rt + ": " + text(*e.args[0]) + "·" +
              rt + " is " + Shape{sa[0], sb[0]}.str();
      }
      shape_error(e, a, b, why);
      return {};
    }
    bool batched_a = a.node.shape().has_batch(), batched_b = b.node.shape().has_batch();
    // W·x with a one-hot vector x picks columns of W, and w·E with one-hot
    // rows w (onehot[V] or onehot[T, V]) picks rows of E: lookups, never
    // products (W·x is xᵀ·Wᵀ, the one-hot on the left).
    if (b.onehot && sb.rank() == 1 && !batched_a && sa.rank() == 2) {
      bool t = false;
      Node w = strip_transpose(a.node, t);
      return ir::lookup(b.node, w, !t);
    }
    if (a.onehot && !batched_b && sb.rank() == 2) {
      bool t = false;
      Node w = strip_transpose(b.node, t);
      return ir::lookup(a.node, w, t);
    }
    Node x = dense(a, e.args[0]->span), y = dense(b, e.args[1]->span);
    if ((batched_a && sa.rank() == 2) || (batched_b && sb.rank() == 2))
      return per_example_product(x, y, sa.rank() == 1, sb.rank() == 1);
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

  // [a, b, …] (docs/language.md §9): joined along the last axis. A scalar joins as
  // [1]; a batched part of lower rank gets size-1 axes after its batch axis,
  // so the leading axes broadcast as in `+`.
  Binding concat(const Expr& e) {
    std::vector<Binding> bs;
    std::vector<Node> parts;
    int rank = 1;
    for (const ExprPtr& p : e.args) {
      bs.push_back(expr(*p));
      if (!bs.back().node) return {};
      Node v = dense(bs.back(), p->span);
      if (example_shape(v).rank() == 0)
        v = ir::reshape(v, v.shape().has_batch() ? IShape::batched(Shape{1}) : IShape(Shape{1}));
      rank = std::max(rank, example_shape(v).rank());
      parts.push_back(v);
    }
    for (Node& v : parts) {
      int missing = rank - example_shape(v).rank();
      if (!v.shape().has_batch() || missing <= 0) continue;
      std::vector<std::int64_t> dims(static_cast<std::size_t>(missing), 1);
      dims.insert(dims.end(), example_shape(v).begin(), example_shape(v).end());
      v = ir::reshape(v, IShape::batched(Shape(std::span<const std::int64_t>(dims))));
    }
    // A shared part of lower rank (a param vector beside per-example rows)
    // aligns at its last axes, as in `X + b`: its own leading axes only.
    IShape lead;
    for (const Node& v : parts) {
      const IShape own(example_shape(v));
      if (ir::broadcast(lead, own.prefix(own.rank() - 1), lead)) continue;
      std::string listed;
      std::vector<Span> others;
      for (std::size_t i = 0; i < bs.size(); ++i) {
        listed += (i ? ", " : "") + text(*e.args[i]) + " " + shape_of(bs[i]).str();
        if (i) others.push_back(e.args[i]->span);
      }
      cx_.diags.error(e.args[0]->span,
                      "cannot join [" + listed +
                          "]: parts join along their last axis, so the "
                          "axes before it must match (or be 1)",
                      others);
      return {};
    }
    return plain(mark(ir::concat(parts), e.span));
  }

  // A bound of an index or slice: a whole number, a dim, or + - * / of them.
  std::optional<std::int64_t> bound(const Expr& e) {
    std::optional<double> v = constant_of(e);
    if (!v) return std::nullopt;
    if (*v != std::floor(*v)) {
      cx_.diags.error(e.span,
                      "an index must be a whole number; " + text(e) + " is " + format_number(*v));
      return std::nullopt;
    }
    return static_cast<std::int64_t>(*v);
  }
  std::optional<double> constant_of(const Expr& e) {
    switch (e.kind) {
      case ExprKind::Number:
        return e.number;
      case ExprKind::Unary:
        if (e.op == Op::Neg) {
          auto v = constant_of(*e.args[0]);
          if (v) return -*v;
          return std::nullopt;
        }
        break;
      case ExprKind::Name: {
        const Binding* b = cx_.scope.find(e.name, e.span, cx_.diags);
        // No node: a dim whose value failed (`dim H = 1.5`), or a name whose
        // declaration failed; reported there, once.
        if (b && !b->node) return std::nullopt;
        if (b && b->node.op() == ir::Op::constant) return b->node.attrs().value;
        break;
      }
      case ExprKind::Binary: {
        if (e.op != Op::Add && e.op != Op::Sub && e.op != Op::Mul && e.op != Op::Div) break;
        auto a = constant_of(*e.args[0]);
        if (!a) return std::nullopt;
        auto b = constant_of(*e.args[1]);
        if (!b) return std::nullopt;
        if (e.op == Op::Add) return *a + *b;
        if (e.op == Op::Sub) return *a - *b;
        return e.op == Op::Mul ? *a * *b : *a / *b;
      }
      default:
        break;
    }
    cx_.diags.error(e.span,
                    "an index must be a number, a dim, or + - * / of them; " + text(e) + " is not");
    return std::nullopt;
  }

  // X[i], h[a:b], X[:, a:b] (docs/language.md §9): numpy on one example's value,
  // 0-based, negative from the end. A slice keeps its axis, an index drops it.
  Binding index(const Expr& e) {
    Binding b = expr(*e.args[0]);
    if (!b.node) return {};
    Node v = dense(b, e.args[0]->span);
    const Shape shape = example_shape(v);
    const int first = v.shape().has_batch() ? 1 : 0;
    if (static_cast<int>(e.index.size()) > shape.rank()) {
      cx_.diags.error(e.index[static_cast<std::size_t>(shape.rank())].span,
                      text(*e.args[0]) + " " + shape.str() + " has " +
                          std::to_string(shape.rank()) + (shape.rank() == 1 ? " axis" : " axes") +
                          "; it is indexed with " + std::to_string(e.index.size()),
                      {e.args[0]->span});
      return {};
    }
    std::vector<std::int64_t> kept;
    for (int k = 0; k < shape.rank(); ++k) {
      const std::int64_t size = shape[k];
      if (k >= static_cast<int>(e.index.size())) {
        kept.push_back(size);
        continue;
      }
      const IndexAxis& ax = e.index[static_cast<std::size_t>(k)];
      std::int64_t start = 0, stop = size;
      if (ax.slice) {
        if (ax.start) {
          auto s = bound(*ax.start);
          if (!s) return {};
          start = *s < 0 ? *s + size : *s;
        }
        if (ax.stop) {
          auto s = bound(*ax.stop);
          if (!s) return {};
          stop = *s < 0 ? *s + size : *s;
        }
      } else {
        auto i = bound(*ax.index);
        if (!i) return {};
        start = *i < 0 ? *i + size : *i;
        stop = start + 1;
      }
      if (start < 0 || stop > size || start >= stop) {
        cx_.diags.error(ax.span,
                        "[" + text(ax.span) + "] is out of range for axis " + std::to_string(k) +
                            " of " + text(*e.args[0]) + " " + shape.str() + " (size " +
                            std::to_string(size) + ")",
                        {e.args[0]->span});
        return {};
      }
      v = ir::slice(v, k + first, start, stop);
      if (ax.slice) kept.push_back(stop - start);
    }
    Shape s{std::span<const std::int64_t>(kept)};
    if (!(s == example_shape(v))) v = ir::reshape(v, first ? IShape::batched(s) : IShape(s));
    return plain(mark(v, e.span));
  }

  Binding norm(const Expr& whole, const Expr& inner) {
    Binding x = expr(inner);
    if (!x.node) return {};
    Node v = dense(x, inner.span);
    return plain(mark(ir::sqrt(ir::sum(ir::square(v))), whole.span));
  }

  static bool is_reduction(std::string_view fn) {
    return fn == "sum" || fn == "mean" || fn == "max" || fn == "min" || fn == "logsumexp";
  }

  // The positional arguments a built-in takes, [fewest, most].
  static std::pair<std::size_t, std::size_t> arity_of(std::string_view fn) {
    if (fn == "max" || fn == "min" || fn == "leaky_relu") return {1, 2};
    if (fn == "where" || fn == "clip") return {3, 3};
    if (fn == "dropout") return {2, 2};
    return {1, 1};
  }
  // The keyword arguments a built-in takes (docs/language.md §9).
  static std::vector<std::string_view> keywords_of(std::string_view fn) {
    if (fn == "leaky_relu") return {"α", "alpha"};
    if (is_reduction(fn)) return {"axis"};
    return {};
  }
  static std::string count_text(std::pair<std::size_t, std::size_t> arity) {
    auto [lo, hi] = arity;
    std::string n = std::to_string(lo);
    if (hi != lo) n += " or " + std::to_string(hi);
    return n + (hi == 1 ? " argument" : " arguments");
  }

  // Lowers a call's positional arguments and named ones into `args` and
  // `named` (by name); false when one failed (and was reported).
  bool arguments(const Expr& e, std::string_view fn, std::vector<Binding>& args,
                 std::vector<std::pair<std::string_view, Binding>>& named) {
    // A keyword the built-in does not take first: dropout(x, p = 0.5) is
    // two arguments written the wrong way, not one too few.
    std::vector<std::string_view> allowed = keywords_of(fn);
    for (const KeywordArg& k : e.kwargs) {
      auto it = std::find(allowed.begin(), allowed.end(), std::string_view(k.name.text));
      if (it == allowed.end()) {
        std::string message = e.name.text + " has no argument named '" + k.name.text + "'";
        std::vector<std::string> positional, values;
        for (const ExprPtr& arg : e.args) positional.push_back(text(*arg));
        for (const KeywordArg& v : e.kwargs) values.push_back(text(*v.value));
        const std::string hint =
            keyword_hint(fn, k.name.text, text(e.name_span), positional, values);
        if (!hint.empty())
          message += "; " + hint;
        else if (!allowed.empty())
          message += "; it takes '" + std::string(allowed[0]) + " = …'";
        cx_.diags.error(k.name_span, message);
        return false;
      }
    }
    auto arity = arity_of(fn);
    if (e.args.size() < arity.first || e.args.size() > arity.second) {
      cx_.diags.error(e.span, e.name.text + " takes " + count_text(arity) + "; got " +
                                  std::to_string(e.args.size()));
      return false;
    }
    for (const ExprPtr& arg : e.args) {
      args.push_back(expr(*arg));
      if (!args.back().node) return false;
    }
    for (const KeywordArg& k : e.kwargs) {
      if (k.name.text == "axis") continue;  // a number, read by axis_of
      Binding v = expr(*k.value);
      if (!v.node) return false;
      named.emplace_back(keywords_of(fn)[0], v);
    }
    return true;
  }

  // "a [3, 4], b [4] and c [2]": the arguments as written, with their shapes.
  std::string listed(const Expr& e, const std::vector<Binding>& args) const {
    std::string out;
    for (std::size_t i = 0; i < args.size(); ++i) {
      if (i) out += i + 1 == args.size() ? " and " : ", ";
      out += text(*e.args[i]) + " " + shape_of(args[i]).str();
    }
    return out;
  }

  // An elementwise op of several arguments; a located error naming every
  // argument's shape when they do not broadcast.
  Node elementwise_call(const Expr& e, const std::vector<Binding>& args,
                        const std::function<Node(const std::vector<Node>&)>& build) {
    std::vector<Node> xs;
    for (std::size_t i = 0; i < args.size(); ++i) xs.push_back(dense(args[i], e.args[i]->span));
    xs = aligned(xs);
    if (xs.empty()) {
      std::vector<Span> others;
      for (std::size_t i = 1; i < e.args.size(); ++i) others.push_back(e.args[i]->span);
      cx_.diags.error(
          e.args[0]->span,
          "cannot take " + e.name.text + " of " + listed(e, args) + ": the shapes do not broadcast",
          others);
      return {};
    }
    return build(xs);
  }

  Binding call(const Expr& e) {
    const BuiltinSpelling* builtin = find_builtin(e.name.text);
    if (!builtin) {
      not_a_function(e);
      return {};
    }
    std::string_view fn = builtin->function;
    const bool composite = fn == "sum" || fn == "max" || fn == "min" || fn == "mean" ||
                           fn == "norm" || fn == "transpose" || fn == "softmax" ||
                           fn == "logsoftmax" || fn == "clip" || fn == "vec" || fn == "dropout";
    if (!composite && !ir::op_for_spelling(fn))
      return not_yet(e.name_span, "the built-in function '" + e.name.text + "'");
    std::vector<Binding> args;
    std::vector<std::pair<std::string_view, Binding>> named;
    if (!arguments(e, fn, args, named)) return {};
    auto keyword = [&](std::string_view k) -> const Binding* {
      for (const auto& [name, b] : named)
        if (name == k) return &b;
      return nullptr;
    };
    Node n;
    const KeywordArg* axis = nullptr;
    for (const KeywordArg& k : e.kwargs)
      if (k.name.text == "axis") axis = &k;
    if (axis && args.size() == 2) {
      cx_.diags.error(axis->span, "axis = … reduces one value; " + e.name.text +
                                      " of two values is elementwise");
      return {};
    }
    if (axis) {
      n = reduce_axis(e, fn, dense(args[0], e.args[0]->span), *axis);
    } else if ((fn == "max" || fn == "min") && args.size() == 2) {
      ir::Op op = fn == "max" ? ir::Op::max : ir::Op::min;
      n = elementwise_call(e, args, [&](const auto& x) { return cx_.graph.make(op, x); });
    } else if (fn == "where") {
      n = elementwise_call(e, args, [](const auto& x) { return ir::where(x[0], x[1], x[2]); });
    } else if (fn == "dropout") {
      n = dropout(e, args);
    } else if (fn == "clip") {
      n = elementwise_call(e, args,
                           [](const auto& x) { return ir::min(ir::max(x[0], x[1]), x[2]); });
    } else if (fn == "leaky_relu") {
      if (args.size() == 2 && keyword("α")) {
        cx_.diags.error(e.kwargs[0].span, "leaky_relu's α is given twice", {e.args[1]->span});
        return {};
      }
      if (args.size() == 1)
        args.push_back(keyword("α") ? *keyword("α")
                                    : plain(mark(cx_.graph.constant(0.01), e.name_span)));
      Node x = dense(args[0], e.args[0]->span), a = dense(args[1], e.span);
      n = elementwise(ir::Op::leaky_relu, x, a);
      if (!n) {
        cx_.diags.error(e.args[0]->span, "cannot take leaky_relu of " + text(*e.args[0]) + " " +
                                             shape_of(args[0]).str() + " with α " +
                                             shape_of(args[1]).str());
        return {};
      }
    } else {
      n = reduce_or_unary(e, fn, dense(args[0], e.args[0]->span));
    }
    if (!n) return {};
    return plain(mark(n, e.span));
  }

  // `f(…)` where f is no built-in. A known name written before `(` was
  // meant as a product (docs/language.md §2: a name followed by `(` is a
  // call), so the message shows the product; an unknown one gets the
  // built-in it looks like (Cyrillic ехр), else the nearest one.
  void not_a_function(const Expr& e) {
    std::string message = "'" + e.name.text + "' is not a built-in function";
    const std::string role = cx_.scope.role(e.name.text);
    if (!role.empty()) {
      const std::string written = text(e.name_span);
      const std::string rest = text(Span{e.span.file, e.name_span.end, e.span.end});
      message = "'" + e.name.text + "' is " + role + ", not a function: for a product write " +
                written + "·" + rest + " or " + written + "*" + rest;
    } else if (const auto alike = look_alike_name(e.name.text, function_names());
               alike && alike->written_suspect) {
      message = "'" + e.name.text + "'" + odd_character_note(e.name.text, alike->written) +
                " is not a built-in function; did you mean '" + alike->known + "'?";
    } else if (const std::string other_case = builtin_in_other_case(text(e.name_span));
               !other_case.empty()) {
      message += "; did you mean '" + other_case + "'?";
    } else if (const std::string hint = foreign_function_hint(text(e.name_span)); !hint.empty()) {
      // As written: layer_norm, not its canonical layerₙₒᵣₘ.
      message = "'" + text(e.name_span) + "' is not a built-in function: " + hint;
    } else if (std::string near = nearest_function(e.name.text); !near.empty()) {
      message += "; did you mean " + near + "?";
    }
    cx_.diags.error(e.name_span, message);
  }

  // dropout(x, p), docs/language.md §9: x · a mask drawn afresh at every
  // run, 1/(1 − p) with probability 1 − p, else 0. p is a number, a const
  // or an expression of them (number_value), in [0, 1). Each call is a
  // stream of its own. Programs that do not train remove it
  // (passes/inference.hpp).
  Node dropout(const Expr& e, const std::vector<Binding>& args) {
    const std::optional<double> p = number_value(args[1].node);
    if (!p) {
      cx_.diags.error(e.args[1]->span,
                      "dropout's drop probability must be a number or a const, like dropout(" +
                          text(*e.args[0]) + ", 0.5); got " + text(*e.args[1]));
      return {};
    }
    const double v = *p;
    if (!(v >= 0 && v < 1)) {
      const std::string written = text(*e.args[1]), value = format_number(v);
      cx_.diags.error(e.args[1]->span, "dropout's drop probability must be in [0, 1); got " +
                                           (written == value ? value : written + " = " + value));
      return {};
    }
    EQ_ASSERT(cx_.next_stream, "lowering dropout without a stream counter");
    const Node x = dense(args[0], e.args[0]->span);
    const Node mask = mark(ir::dropout_mask(cx_.graph, x.shape(), v, (*cx_.next_stream)++), e.span);
    return x * mask;
  }

  // The stored axis that `axis = k` names in x (0-based over one example's
  // axes, negative from the end), or -1 after reporting why not.
  int axis_of(const Expr& e, const KeywordArg& k, Node x) {
    const Expr* v = k.value.get();
    bool negative = false;
    if (v->kind == ExprKind::Unary && v->op == Op::Neg) {
      negative = true;
      v = v->args[0].get();
    }
    const int rank = example_shape(x).rank();
    if (v->kind != ExprKind::Number || v->number != std::floor(v->number) ||
        std::abs(v->number) > 64) {
      cx_.diags.error(k.value->span, "axis must be a whole number, like axis = -1");
      return -1;
    }
    const int written = static_cast<int>(negative ? -v->number : v->number);
    if (rank == 0 || written < -rank || written >= rank) {
      const std::string r = std::to_string(rank);
      std::string has =
          rank == 0   ? "has no axes"
          : rank == 1 ? "has one axis: 0 (or -1)"
          : rank == 2 ? "has axes 0 and 1 (or -2 and -1)"
                      : "has axes 0 to " + std::to_string(rank - 1) + " (or -" + r + " to -1)";
      // axis = 1 of a vector, as in PyTorch where axis 0 is the batch.
      if (written == rank && rank > 0)
        has +=
            "; an equation is about one example, whose axes do not count the batch "
            "(docs/language.md §5)";
      cx_.diags.error(k.value->span,
                      "axis " + std::to_string(written) + " is out of range: " + text(*e.args[0]) +
                          " " + example_shape(x).str() + " " + has,
                      {e.args[0]->span});
      return -1;
    }
    return (written < 0 ? written + rank : written) + (x.shape().has_batch() ? 1 : 0);
  }

  // Σ(e, axis = k) and the like: one axis reduced, kept with size 1 (docs/language.md §9).
  Node reduce_axis(const Expr& e, std::string_view fn, Node x, const KeywordArg& k) {
    const int axis = axis_of(e, k, x);
    if (axis < 0) return {};
    if (fn == "sum") return ir::sum_axis(x, axis);
    if (fn == "max") return ir::amax_axis(x, axis);
    if (fn == "min") return ir::amin_axis(x, axis);
    if (fn == "logsumexp") return ir::logsumexp_axis(x, axis);
    EQ_ASSERT(fn == "mean", "no axis reduction for " + std::string(fn));
    return ir::sum_axis(x, axis) / static_cast<double>(x.shape()[axis]);
  }

  // A built-in of one argument: a reduction, a composite or an op by spelling.
  Node reduce_or_unary(const Expr& e, std::string_view fn, Node x) {
    if (fn == "sum") return ir::sum(x);
    if (fn == "max") return ir::amax(x);
    if (fn == "min") return ir::amin(x);
    if (fn == "logsumexp") return ir::logsumexp(x);
    if (fn == "mean")
      return ir::sum(x) / static_cast<double>(std::max<std::int64_t>(1, example_shape(x).numel()));
    if (fn == "norm") return ir::sqrt(ir::sum(ir::square(x)));
    if (fn == "transpose") return transpose(x, e.span);
    if (fn == "vec") {
      // A matrix laid out row by row as one vector: a reshape, no copy.
      Shape flat{example_shape(x).numel()};
      return ir::reshape(x, x.shape().has_batch() ? IShape::batched(flat) : IShape(flat));
    }
    if (fn == "softmax" || fn == "logsoftmax") {
      if (example_shape(x).rank() == 0) {
        cx_.diags.error(e.args[0]->span,
                        e.name.text + " needs a vector; " + text(*e.args[0]) + " is a scalar");
        return {};
      }
      return fn == "softmax" ? ir::softmax(x) : ir::logsoftmax(x);
    }
    auto op = ir::op_for_spelling(fn);
    EQ_ASSERT(op.has_value(), "built-in '" + std::string(fn) + "' has no op");
    return cx_.graph.make(*op, {x});
  }

  Context& cx_;
};

}  // namespace

std::optional<double> number_value(Node n, int depth) {
  if (n.op() == ir::Op::constant) return n.attrs().value;
  if (depth > 64 || n.shape().rank() != 0 || !ir::info(n.op()).elementwise()) return std::nullopt;
  double in[2] = {0, 0};
  for (int i = 0; i < n.arity(); ++i) {
    const std::optional<double> v = number_value(n.input(i), depth + 1);
    if (!v) return std::nullopt;
    in[i] = *v;
  }
  return passes::evaluate_elementwise(n.op(), in[0], in[1]);
}

std::string Scope::role(const std::string& name) const {
  const std::vector<std::string> known = names();
  return std::find(known.begin(), known.end(), name) == known.end() ? "" : "a value";
}

Binding lower_expression(const Expr& e, Context& cx) {
  Lowerer lowerer(cx);
  return lowerer.expr(e);
}

std::optional<std::string> unrepresentable(double v, DType dtype) {
  if (std::isnan(v)) return "not a number (NaN)";
  if (std::isinf(v)) return "infinite";
  if (dtype == DType::f32 && std::isinf(static_cast<float>(v)))
    return "beyond the range of f32 (±3.4e38), the model's number type";
  return std::nullopt;
}

}  // namespace eq::lower
