// Internal to grammar/: the state shared by the Bison parser (parser.y), its
// token source and its error reporter (parse.cc, parse_errors.cc), and the
// small value types the grammar's actions pass around. Not a public header.
#pragma once

#include <string>
#include <vector>

#include "eq/grammar/ast.hpp"
#include "eq/grammar/diagnostics.hpp"
#include "eq/grammar/lexer.hpp"

namespace eq {

// `: [H, V]` or `: onehot[V]` while it is being parsed.
struct ShapeSyntax {
  bool present = false;
  bool onehot = false;
  Span span;
  std::vector<ExprPtr> dims;
};

// A call's arguments while they are being parsed.
struct CallArgs {
  std::vector<ExprPtr> args;
  std::vector<KeywordArg> kwargs;
};

enum class StartSymbol { Module, Expression, TrainValue };

struct ParseDriver {
  ParseDriver(const SourceFile& f, Diagnostics& d, StartSymbol s)
      : file(f), diags(d), lexer(f, d), start(s) {}

  const SourceFile& file;
  Diagnostics& diags;
  Lexer lexer;
  StartSymbol start;
  bool started = false;
  Token prev2{Tok::Newline, 0, 0, 0};  // the token before `prev`
  Token prev{Tok::Newline, 0, 0, 0};   // the token before `cur`
  Token cur{Tok::Newline, 0, 0, 0};    // the last token handed to the parser
  Tok statement = Tok::Newline;        // the first token of the current statement
  uint32_t chain = UINT32_MAX;         // start of the comparison chain last reported

  Module module;  // filled for StartSymbol::Module
  ExprPtr expr;   // filled for StartSymbol::Expression and TrainValue

  Span span(uint32_t begin, uint32_t end) const { return file.span(begin, end); }
  Span span(const Token& t) const { return file.span(t.begin, t.end); }
};

// Builders the grammar actions call (one line each in parser.y).
Stmt make_stmt(StmtKind kind, Span span, Span keyword, std::vector<ExprPtr> names,
               ShapeSyntax shape, ExprPtr value);
Stmt make_train(Span span, Span keyword, std::vector<TrainEntry> entries);
std::vector<ExprPtr> one(ExprPtr e);
// `onehot[V]`: any other word before a shape is reported.
ShapeSyntax make_type(ParseDriver& drv, Span word_span, const std::string& word, ShapeSyntax shape);
// `a < b < c`: reported (comparisons do not chain), and built as
// `(a < b) < c` so that parsing goes on.
ExprPtr make_chained_comparison(ParseDriver& drv, Op op, Span op_span, ExprPtr lhs, ExprPtr rhs);

}  // namespace eq
