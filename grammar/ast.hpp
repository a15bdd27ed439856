// The syntax tree of a `.eq` file (docs/language.md §1–§7).
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
//   Norm     —                                    [inner]          ‖e‖
//   Call     name (callee), builtin, kwargs       positional args
//   Range    op_span (the ':')                    [lo, hi]         0:4
//
// Nodes are built by the factories below (which check arity) and owned by
// their parent through ExprPtr.
#pragma once

#include <memory>
#include <string>
#include <vector>

#include "grammar/names.hpp"
#include "grammar/source.hpp"

namespace eq {

enum class ExprKind { Number, Name, String, Unary, Postfix, Binary, Norm, Call, Range };

enum class Op {
  None,
  // Unary (prefix)
  Neg, Plus, Sqrt,
  // Postfix
  Square, Cube, Transpose,
  // Binary
  Add, Sub, Mul, Div, MatMul, Pow,
};

struct Expr;
using ExprPtr = std::unique_ptr<Expr>;

// `name = value` inside a call: adam(lr = 2e-3), csv("f.csv", x = 0:4).
struct KeywordArg {
  NameParts name;
  Span name_span;
  ExprPtr value;
};

struct Expr {
  ExprKind kind = ExprKind::Number;
  Span span;                      // the whole expression's text
  Op op = Op::None;               // Unary, Postfix, Binary
  Span op_span;                   // operator token (Unary/Postfix/Binary/Range)
  bool implicit = false;          // Binary Mul written by juxtaposition: `2x`, `½(a+b)`
  double number = 0;              // Number
  std::string text;               // String: the unescaped contents
  NameParts name;                 // Name; Call: the callee
  Span name_span;                 // Call: the callee's span
  bool builtin = false;           // Call: the callee is a built-in function
  std::vector<ExprPtr> args;      // children; see the table above
  std::vector<KeywordArg> kwargs; // Call
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
ExprPtr make_call(Span span, Span name_span, std::string_view callee, bool builtin,
                  std::vector<ExprPtr> args, std::vector<KeywordArg> kwargs);
ExprPtr make_range(Span op_span, ExprPtr lo, ExprPtr hi);

ExprPtr clone(const Expr& e);
// Structural equality: kinds, operators, values, canonical names, children.
// Spans are ignored.
bool same(const Expr& a, const Expr& b);

const char* op_name(Op op);  // "neg", "matmul", ...

// ---- Statements ----------------------------------------------------------

enum class StmtKind { Dim, Input, Target, Param, State, Const, Output, Equation, Train };

// `key = value` in a train block.
struct TrainEntry {
  std::string key;  // canonical name of the key
  Span key_span;
  ExprPtr value;
  Span span;        // key through value
};

//   kind      names                value                    shape
//   Dim       [H]                  `= 128` or null          —
//   Input     [x, …]               null                     required; onehot flag
//   Target    [y, …]               null                     required; onehot flag
//   Param     [W₁, W₂, …]          initializer after `~`    optional
//   State     [hₜ]                 `= expr` or null         optional
//   Const     [λ]                  `= expr`                 —
//   Output    [ŷ, …]               null                     —
//   Equation  [lhs]                rhs                      —
//   Train     —                    —                        — (entries)
struct Stmt {
  StmtKind kind = StmtKind::Equation;
  Span span;                      // the whole statement
  Span keyword_span;              // the keyword (empty for equations)
  std::vector<ExprPtr> names;     // Name nodes
  ExprPtr value;
  bool has_shape = false;         // a `: [..]` part was written
  bool onehot = false;            // `onehot[...]`
  Span shape_span;                // from `onehot`/`[` to `]`
  std::vector<ExprPtr> shape;     // dimension expressions; empty for `[]`
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
