// The AST printer: text that parses back to the same tree (ast.hpp).
//
// Precedence levels follow the grammar (parser.y), loosest first:
//   1 comparisons   2 add/sub   3 mul/div/matmul   4 unary, implicit `2x`
//   5 `^`   6 postfix, indexing   7 primary (with concatenation)
// A child is parenthesised when its level is below what its position needs.
#include <charconv>
#include <cmath>
#include <numbers>

#include "eq/grammar/ast.hpp"

namespace eq {

namespace {

enum Level { kCompare = 1, kAdd, kMul, kUnary, kPower, kPostfix, kPrimary };

Level level_of(const Expr& e) {
  switch (e.kind) {
    case ExprKind::Binary:
      if (is_comparison(e.op)) return kCompare;
      if (e.op == Op::Add || e.op == Op::Sub) return kAdd;
      if (e.op == Op::Pow) return kPower;
      return e.implicit ? kUnary : kMul;
    case ExprKind::Unary:
      return kUnary;
    case ExprKind::Postfix:
    case ExprKind::Index:
      return kPostfix;
    case ExprKind::Range:
      return kCompare;  // only ever a call argument
    default:
      return kPrimary;
  }
}

// Whether the leftmost primary of a power/postfix chain is a name, call or π —
// what may follow a number in `2x`. Parentheses would also do.
bool name_led(const Expr& e) {
  switch (e.kind) {
    case ExprKind::Name:
    case ExprKind::Call:
      return true;
    case ExprKind::Number:
      return e.number == std::numbers::pi;
    case ExprKind::Postfix:
    case ExprKind::Index:
      return name_led(*e.args[0]);
    case ExprKind::Binary:
      return e.op == Op::Pow && name_led(*e.args[0]);
    default:
      return false;
  }
}

void print_number(std::string& out, double v) {
  if (v == std::numbers::pi) {
    out += "π";
    return;
  }
  char buf[64];
  const auto r = std::to_chars(buf, buf + sizeof buf, v);
  out.append(buf, r.ptr);
}

void print_string(std::string& out, const std::string& s) {
  out += '"';
  for (char c : s) {
    if (c == '"' || c == '\\') out += '\\';
    out += c;
  }
  out += '"';
}

void print_expr(std::string& out, const Expr& e, int need);

void print_call(std::string& out, const Expr& e) {
  out += e.name.text;
  out += '(';
  bool first = true;
  for (const ExprPtr& a : e.args) {
    if (!first) out += ", ";
    first = false;
    print_expr(out, *a, kCompare);
  }
  for (const KeywordArg& k : e.kwargs) {
    if (!first) out += ", ";
    first = false;
    out += k.name.text;
    out += " = ";
    print_expr(out, *k.value, kCompare);
  }
  out += ')';
}

// `X[i]`, `h[a:b]`, `X[:, a:b]`. The '[' must touch an operand that the lexer
// lets an index follow (lexer.hpp): a number is wrapped, `(2)[0]`.
void print_index(std::string& out, const Expr& e) {
  const Expr& value = *e.args[0];
  if (value.kind == ExprKind::Number || value.kind == ExprKind::String) {
    out += '(';
    print_expr(out, value, kCompare);
    out += ')';
  } else {
    print_expr(out, value, kPostfix);
  }
  out += '[';
  for (std::size_t i = 0; i < e.index.size(); ++i) {
    const IndexAxis& a = e.index[i];
    if (i) out += ", ";
    if (!a.slice) {
      print_expr(out, *a.index, kCompare);
      continue;
    }
    if (a.start) print_expr(out, *a.start, kCompare);
    out += ':';
    if (a.stop) print_expr(out, *a.stop, kCompare);
  }
  out += ']';
}

const char* comparison_spelling(Op op) {
  switch (op) {
    case Op::Less:
      return " < ";
    case Op::Greater:
      return " > ";
    case Op::LessEqual:
      return " ≤ ";
    case Op::GreaterEqual:
      return " ≥ ";
    case Op::NotEqual:
      return " ≠ ";
    default:
      return " ? ";
  }
}

const char* binary_spelling(Op op) {
  switch (op) {
    case Op::Add:
      return " + ";
    case Op::Sub:
      return " - ";
    case Op::Mul:
      return " * ";
    case Op::Div:
      return " / ";
    case Op::MatMul:
      return " · ";
    case Op::Pow:
      return "^";
    default:
      return " ? ";
  }
}

void print_expr(std::string& out, const Expr& e, int need) {
  if (level_of(e) < need) {
    out += '(';
    print_expr(out, e, kCompare);
    out += ')';
    return;
  }
  switch (e.kind) {
    case ExprKind::Number:
      print_number(out, e.number);
      break;
    case ExprKind::Name:
      out += e.name.text;
      break;
    case ExprKind::String:
      print_string(out, e.text);
      break;
    case ExprKind::Call:
      print_call(out, e);
      break;
    case ExprKind::Norm:
      out += "‖";
      print_expr(out, *e.args[0], kCompare);
      out += "‖";
      break;
    case ExprKind::Range:
      print_expr(out, *e.args[0], kCompare);
      out += ':';
      print_expr(out, *e.args[1], kCompare);
      break;
    case ExprKind::Concat:
      out += '[';
      for (std::size_t i = 0; i < e.args.size(); ++i) {
        if (i) out += ", ";
        print_expr(out, *e.args[i], kCompare);
      }
      out += ']';
      break;
    case ExprKind::Index:
      print_index(out, e);
      break;
    case ExprKind::Unary:
      out += e.op == Op::Neg ? "-" : e.op == Op::Plus ? "+" : "√";
      print_expr(out, *e.args[0], kUnary);
      break;
    case ExprKind::Postfix:
      print_expr(out, *e.args[0], kPostfix);
      out += e.op == Op::Square ? "²" : e.op == Op::Cube ? "³" : "ᵀ";
      break;
    case ExprKind::Binary: {
      const Expr& lhs = *e.args[0];
      const Expr& rhs = *e.args[1];
      if (e.implicit) {
        print_expr(out, lhs, kPrimary);
        // The right factor must start with a name, call, π or '('. A name
        // starting with 'e' would read as an exponent (`2e3`), so it is
        // wrapped too.
        std::string r;
        print_expr(r, rhs, kPower);
        const bool bare = name_led(rhs) && level_of(rhs) >= kPower && r[0] != 'e' && r[0] != 'E';
        if (bare) {
          out += r;
        } else {
          out += '(';
          print_expr(out, rhs, kCompare);
          out += ')';
        }
        break;
      }
      const Level level = level_of(e);
      if (is_comparison(e.op)) {  // non-associative: both sides one level up
        print_expr(out, lhs, kAdd);
        out += comparison_spelling(e.op);
        print_expr(out, rhs, kAdd);
      } else if (e.op == Op::Pow) {
        print_expr(out, lhs, kPostfix);
        out += '^';
        print_expr(out, rhs, kUnary);
      } else {
        print_expr(out, lhs, level);
        out += binary_spelling(e.op);
        print_expr(out, rhs, level + 1);
      }
      break;
    }
  }
}

void print_names(std::string& out, const std::vector<ExprPtr>& names) {
  for (std::size_t i = 0; i < names.size(); ++i) {
    if (i) out += ", ";
    out += names[i]->name.text;
  }
}

void print_shape(std::string& out, const Stmt& s) {
  if (!s.has_shape) return;
  out += " : ";
  if (s.onehot) out += "onehot";
  out += '[';
  for (std::size_t i = 0; i < s.shape.size(); ++i) {
    if (i) out += ", ";
    print_expr(out, *s.shape[i], kCompare);
  }
  out += ']';
}

}  // namespace

std::string print(const Expr& e) {
  std::string out;
  print_expr(out, e, kCompare);
  return out;
}

std::string print(const Stmt& s) {
  std::string out;
  if (s.kind == StmtKind::Equation) {
    out += s.names[0]->name.text;
    out += " = ";
    print_expr(out, *s.value, kCompare);
    return out;
  }
  out += stmt_keyword(s.kind);
  if (s.kind == StmtKind::Train) {
    out += " {\n";
    for (const TrainEntry& t : s.entries) {
      out += "  " + t.key + " = ";
      print_expr(out, *t.value, kCompare);
      out += '\n';
    }
    out += '}';
    return out;
  }
  out += ' ';
  print_names(out, s.names);
  print_shape(out, s);
  if (s.value) {
    out += s.kind == StmtKind::Param || s.kind == StmtKind::Noise ? " ~ " : " = ";
    print_expr(out, *s.value, kCompare);
  }
  return out;
}

std::string print(const Module& m) {
  std::string out;
  for (const Stmt& s : m.statements) {
    out += print(s);
    out += '\n';
  }
  return out;
}

}  // namespace eq
