// The syntax tree of a `.eq` file (docs/language.md §1–§7 and §9).
//
// Syntax only: names are canonicalised but not resolved, shapes are
// expressions, nothing is checked for meaning. Every node carries the span of
// its whole text; operators also carry the span of the operator token, and
// their operands carry their own spans, so a later stage can underline either.
//
// One node type per layer, walked with a switch over `kind`:
//
//   kind     fields used                          children (`args`)
//   Number   number                               —
//   Name     name (canonical text, base, time)    —
//   String   text (unescaped)                     —
//   Unary    op ∈ {Neg, Plus, Sqrt}, op_span      [operand]
//   Postfix  op ∈ {Square, Cube, Transpose}       [operand]
//   Binary   op ∈ {Add, Sub, Mul, Div, MatMul,    [lhs, rhs]
//            Pow}, op_span, implicit (`2x`)
//            or a comparison op ∈ {Less, Greater, LessEqual, GreaterEqual,
//            NotEqual} (is_comparison): `a < b`, `a ≤ b` (also `<=`), ...
//   Norm     —                                    [inner]          ‖e‖
//   Call     name (callee), builtin, kwargs       positional args
//            (kwargs: `axis = -1`, `α = 0.01`; name, name_span, value, span)
//   Range    op_span (the ':')                    [lo, hi]         0:4
//   Concat   —                                    [part, part, …]  [a, b]
//   Index    index (one IndexAxis per axis)       [value]          X[i], h[a:b],
//                                                                   X[:, a:b]
//
// A parenthesised expression is its inner node with the span widened to the
// parentheses (make_group); nothing else records them.
//
// Spans, for a lowering that reports errors: `span` is the construct's whole
// text (for Index from the value to ']', for Concat from '[' to ']');
// `op_span` the operator token (for comparisons the `<`); each IndexAxis and
// KeywordArg has its own span; every child carries its own.
//
// Nodes are built by the factories below (which check arity) and owned by
// their parent through ExprPtr.
#pragma once

#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "eq/grammar/names.hpp"
#include "eq/grammar/source.hpp"

namespace eq {

enum class ExprKind {
  Number,
  Name,
  String,
  Unary,
  Postfix,
  Binary,
  Norm,
  Call,
  Range,
  Concat,
  Index,
};

enum class Op {
  None,
  // Unary (prefix)
  Neg,
  Plus,
  Sqrt,
  // Postfix
  Square,
  Cube,
  Transpose,
  // Binary
  Add,
  Sub,
  Mul,
  Div,
  MatMul,
  Pow,
  // Binary comparisons (docs/language.md §9): 1 or 0 elementwise; non-associative
  Less,
  Greater,
  LessEqual,
  GreaterEqual,
  NotEqual,
};

bool is_comparison(Op op);
// a op b for + - * / (the arithmetic of sizes, consts and distributions'
// arguments), or nullopt for another op.
std::optional<double> arithmetic(Op op, double a, double b);

struct Expr;
using ExprPtr = std::unique_ptr<Expr>;

// `name = value` inside a call: adam(lr = 2e-3), csv("f.csv", x = 0:4),
// Σ(e, axis = k), leaky_relu(x, α = 0.01). Names are unique within a call.
struct KeywordArg {
  NameParts name;
  Span name_span;
  ExprPtr value;
  Span span;  // name through value
};

// One axis of an index or slice, 0-based as in numpy (docs/language.md §9):
//   X[i]      slice = false, index = i
//   h[a:b]    slice = true, start = a, stop = b
//   h[:b]     slice = true, start = null, stop = b   (absent ends are null)
//   h[a:]     slice = true, start = a, stop = null
//   X[:, j]   axis 0: slice = true, both null (the whole axis); axis 1: index j
// Bounds are any expressions; a lowering accepts numbers and dims (`h[H:2H]`).
struct IndexAxis {
  bool slice = false;
  ExprPtr index;        // !slice
  ExprPtr start, stop;  // slice; null when not written
  Span span;            // the axis's text, e.g. `a:b` or `:`
};

struct Expr {
  ExprKind kind = ExprKind::Number;
  Span span;                       // the whole expression's text
  Op op = Op::None;                // Unary, Postfix, Binary
  Span op_span;                    // operator token (Unary/Postfix/Binary/Range)
  bool implicit = false;           // Binary Mul written by juxtaposition: `2x`, `½(a+b)`
  double number = 0;               // Number
  std::string text;                // String: the unescaped contents
  NameParts name;                  // Name; Call: the callee
  Span name_span;                  // Call: the callee's span
  bool builtin = false;            // Call: the callee is a built-in function
  std::vector<ExprPtr> args;       // children; see the table above
  std::vector<KeywordArg> kwargs;  // Call
  std::vector<IndexAxis> index;    // Index: one entry per axis, at least one

  Expr() = default;
  Expr(Expr&&) = default;
  Expr& operator=(Expr&&) = default;
  // Takes the children apart with a work list, not nested destructors: a
  // tree of any depth goes without recursion (grammar/nesting.hpp).
  ~Expr();
};

// Factories.
ExprPtr make_number(Span span, double value);
ExprPtr make_name(Span span, std::string_view spelling);
ExprPtr make_string(Span span, std::string value);
ExprPtr make_unary(Op op, Span op_span, ExprPtr operand);
ExprPtr make_postfix(Op op, Span op_span, ExprPtr operand);
ExprPtr make_binary(Op op, Span op_span, ExprPtr lhs, ExprPtr rhs);
ExprPtr make_implicit_mul(ExprPtr number, ExprPtr rhs);
ExprPtr make_norm(Span span, ExprPtr inner);
// `(e)`: e itself, its span widened to the parentheses, so that a message
// quoting the operand of `(y-μ)²` shows `(y-μ)`. No node records the
// parentheses; the printer adds them where precedence needs them.
ExprPtr make_group(Span span, ExprPtr inner);
ExprPtr make_call(Span span, Span name_span, std::string_view callee, bool builtin,
                  std::vector<ExprPtr> args, std::vector<KeywordArg> kwargs);
ExprPtr make_range(Span op_span, ExprPtr lo, ExprPtr hi);
ExprPtr make_concat(Span span, std::vector<ExprPtr> parts);
ExprPtr make_index(Span span, ExprPtr value, std::vector<IndexAxis> axes);
IndexAxis make_axis_index(Span span, ExprPtr index);
IndexAxis make_axis_slice(Span span, ExprPtr start, ExprPtr stop);

ExprPtr clone(const Expr& e);
// Structural equality: kinds, operators, values, canonical names, children.
// Spans are ignored.
bool same(const Expr& a, const Expr& b);

const char* op_name(Op op);  // "neg", "matmul", "lt", ...

// ---- Statements ----------------------------------------------------------

enum class StmtKind { Dim, Input, Target, Param, State, Const, Output, Noise, Equation, Train };

// `key = value` in a train block.
struct TrainEntry {
  std::string key;  // canonical name of the key
  Span key_span;
  ExprPtr value;
  Span span;  // key through value
};

//   kind      names                value                    shape
//   Dim       [H]                  `= 128` or null          —
//   Input     [x, …]               null                     required; onehot flag
//   Target    [y, …]               null                     required; onehot flag
//   Param     [W₁, W₂, …]          initializer after `~`    optional
//   State     [hₜ]                 `= expr` or null         optional
//   Const     [λ]                  `= expr`                 —
//   Output    [ŷ, …]               null                     —
//   Noise     [ε, …]               distribution after `~`   optional
//             (`noise ε : [Z] ~ normal(0, 1)`: value is the Call `normal(0, 1)`,
//             or `uniform(a, b)`; the name and arguments are checked later)
//   Equation  [lhs]                rhs                      —
//   Train     —                    —                        — (entries)
struct Stmt {
  StmtKind kind = StmtKind::Equation;
  Span span;                   // the whole statement
  Span keyword_span;           // the keyword (empty for equations)
  std::vector<ExprPtr> names;  // Name nodes
  ExprPtr value;
  bool has_shape = false;      // a `: [..]` part was written
  bool onehot = false;         // `onehot[...]`, `onehot[T, V]`
  Span shape_span;             // from `onehot`/`[` to `]`
  std::vector<ExprPtr> shape;  // dimension expressions (`H + V`, `2H`); empty for `[]`
  std::vector<TrainEntry> entries;
};

struct Module {
  const SourceFile* file = nullptr;  // spans point into it; it must outlive the module
  std::vector<Stmt> statements;
};

const char* stmt_keyword(StmtKind kind);  // "dim", ..., "" for Equation
bool same(const Stmt& a, const Stmt& b);
bool same(const Module& a, const Module& b);

// ---- Printing ------------------------------------------------------------
// Text that parses back to the same tree (see same()): canonical names,
// one statement per line, parentheses only where precedence needs them.
std::string print(const Expr& e);
std::string print(const Stmt& s);
std::string print(const Module& m);

}  // namespace eq
