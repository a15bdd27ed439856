// The parse driver: feeds lexer tokens to the Bison parser, runs it, and
// checks the few rules that are syntax but not grammar (where strings and
// ranges may appear). See parse.hpp.
#include "eq/grammar/parse.hpp"

#include "bison_parser.hpp"  // generated from parser.y
#include "eq/grammar/builtins.hpp"
#include "eq/grammar/nesting.hpp"
#include "eq/grammar/parse_driver.hpp"

namespace eq {

namespace grammar {

using P = BisonParser;

// Maps one lexer token to a parser symbol. The first call hands out the
// token that selects the start symbol.
P::symbol_type yylex(ParseDriver& drv) {
  if (!drv.started) {
    drv.started = true;
    const Span s = drv.span(0, 0);
    switch (drv.start) {
      case StartSymbol::Module:
        return P::make_START_MODULE(s);
      case StartSymbol::Expression:
        return P::make_START_EXPR(s);
      case StartSymbol::TrainValue:
        return P::make_START_TRAIN_VALUE(s);
    }
  }
  const uint32_t size = static_cast<uint32_t>(drv.file.text().size());
  if (drv.diags.full()) return P::make_END(drv.span(size, size));
  const Token t = drv.lexer.next();
  drv.prev2 = drv.prev;
  drv.prev = drv.cur;
  drv.cur = t;
  if (drv.prev.kind == Tok::Newline || drv.prev.kind == Tok::Semicolon) drv.statement = t.kind;
  const Span s = drv.span(t);
  const std::string_view text = drv.file.slice(s);
  switch (t.kind) {
    case Tok::End:
      return P::make_END(s);
    case Tok::Newline:
      return P::make_NEWLINE(s);
    case Tok::Semicolon:
      return P::make_SEMI(s);
    case Tok::Error:
      return P::make_LEXERROR(s);
    case Tok::Name:
      return P::make_NAME(std::string(text), s);
    case Tok::Builtin:
      return P::make_BUILTIN(std::string(text), s);
    case Tok::Number:
      return P::make_NUMBER(t.number, s);
    case Tok::NumberAdj:
      return P::make_NUMBER_ADJ(t.number, s);
    case Tok::Pi:
      return P::make_PI(t.number, s);
    case Tok::PiAdj:
      return P::make_PI_ADJ(t.number, s);
    case Tok::String:
      return P::make_STRING(unescape_string(text), s);
    case Tok::Dim:
      return P::make_DIM(s);
    case Tok::Input:
      return P::make_INPUT(s);
    case Tok::Target:
      return P::make_TARGET(s);
    case Tok::Param:
      return P::make_PARAM(s);
    case Tok::State:
      return P::make_STATE(s);
    case Tok::Const:
      return P::make_CONST(s);
    case Tok::Output:
      return P::make_OUTPUT(s);
    case Tok::Noise:
      return P::make_NOISE(s);
    case Tok::Train:
      return P::make_TRAIN(s);
    case Tok::LParen:
      return P::make_LPAREN(s);
    case Tok::RParen:
      return P::make_RPAREN(s);
    case Tok::LBracket:
      return P::make_LBRACKET(s);
    case Tok::LIndex:
      return P::make_LINDEX(s);
    case Tok::RBracket:
      return P::make_RBRACKET(s);
    case Tok::LBrace:
      return P::make_LBRACE(s);
    case Tok::RBrace:
      return P::make_RBRACE(s);
    case Tok::Comma:
      return P::make_COMMA(s);
    case Tok::Colon:
      return P::make_COLON(s);
    case Tok::Equals:
      return P::make_EQUALS(s);
    case Tok::Tilde:
      return P::make_TILDE(s);
    case Tok::Less:
      return P::make_LESS(s);
    case Tok::Greater:
      return P::make_GREATER(s);
    case Tok::LessEq:
      return P::make_LESS_EQ(s);
    case Tok::GreaterEq:
      return P::make_GREATER_EQ(s);
    case Tok::NotEq:
      return P::make_NOT_EQ(s);
    case Tok::Plus:
      return P::make_PLUS(s);
    case Tok::Minus:
      return P::make_MINUS(s);
    case Tok::Star:
      return P::make_STAR(s);
    case Tok::Slash:
      return P::make_SLASH(s);
    case Tok::MatMul:
      return P::make_MATMUL(s);
    case Tok::Caret:
      return P::make_CARET(s);
    case Tok::Sqrt:
      return P::make_SQRT(s);
    case Tok::Norm:
      return P::make_NORM(s);
    case Tok::Square:
      return P::make_SQUARE(s);
    case Tok::Cube:
      return P::make_CUBE(s);
    case Tok::Transpose:
      return P::make_TRANSPOSE(s);
  }
  return P::make_LEXERROR(s);
}

}  // namespace grammar

Stmt make_stmt(StmtKind kind, Span span, Span keyword, std::vector<ExprPtr> names,
               ShapeSyntax shape, ExprPtr value) {
  Stmt s;
  s.kind = kind;
  s.span = span;
  s.keyword_span = keyword;
  s.names = std::move(names);
  s.has_shape = shape.present;
  s.onehot = shape.onehot;
  s.shape_span = shape.span;
  s.shape = std::move(shape.dims);
  s.value = std::move(value);
  return s;
}

Stmt make_train(Span span, Span keyword, std::vector<TrainEntry> entries) {
  Stmt s;
  s.kind = StmtKind::Train;
  s.span = span;
  s.keyword_span = keyword;
  s.entries = std::move(entries);
  return s;
}

std::vector<ExprPtr> one(ExprPtr e) {
  std::vector<ExprPtr> v;
  v.push_back(std::move(e));
  return v;
}

ShapeSyntax make_type(ParseDriver& drv, Span word_span, const std::string& word,
                      ShapeSyntax shape) {
  if (word != "onehot")
    drv.diags.error(word_span, "expected a shape like [H] or onehot[V] after ':', found '" +
                                   canonical_name(word) + "'");
  shape.onehot = true;
  shape.span = Span::cover(word_span, shape.span);
  return shape;
}

ExprPtr make_chained_comparison(ParseDriver& drv, Op op, Span op_span, ExprPtr lhs, ExprPtr rhs) {
  // lhs is `a < b` as written; suggest the product of the two tests. A longer
  // chain is reported once, at its second operator.
  auto text = [&](const Span& s) { return std::string(drv.file.slice(s)); };
  const Expr& a = *lhs->args[0];
  const Expr& b = *lhs->args[1];
  if (lhs->span.begin == drv.chain) return make_binary(op, op_span, std::move(lhs), std::move(rhs));
  drv.chain = lhs->span.begin;
  drv.diags.error(op_span, "comparisons do not chain: write (" + text(a.span) + " " +
                               text(lhs->op_span) + " " + text(b.span) + ") * (" + text(b.span) +
                               " " + text(op_span) + " " + text(rhs->span) +
                               ") for both to hold, or parenthesise one");
  return make_binary(op, op_span, std::move(lhs), std::move(rhs));
}

namespace {

// Rules that are syntax but not grammar: strings and ranges are train-block
// values only (docs/language.md §1, §7); a call names each argument once.
void check_expr(const Expr& e, Diagnostics& diags, bool train) {
  if (e.kind == ExprKind::String && !train)
    diags.error(e.span, "a string can only be a file name in the train block");
  if (e.kind == ExprKind::Range && !train)
    diags.error(e.span, "a range 'a:b' can only select columns in the train block");
  for (std::size_t i = 0; i < e.kwargs.size(); ++i)
    for (std::size_t j = 0; j < i; ++j)
      if (e.kwargs[j].name.text == e.kwargs[i].name.text) {
        diags.error(e.kwargs[i].name_span,
                    "the argument '" + e.kwargs[i].name.text + "' is given twice");
        diags.note(e.kwargs[j].name_span, "the first is here");
        break;
      }
  for (const ExprPtr& a : e.args) check_expr(*a, diags, train);
  for (const KeywordArg& k : e.kwargs) check_expr(*k.value, diags, train);
  for (const IndexAxis& x : e.index)
    for (const ExprPtr* p : {&x.index, &x.start, &x.stop})
      if (*p) check_expr(**p, diags, train);
}

void check_module(const Module& m, Diagnostics& diags) {
  for (const Stmt& s : m.statements) {
    for (const TrainEntry& t : s.entries) check_expr(*t.value, diags, true);
    for (const ExprPtr& d : s.shape) check_expr(*d, diags, false);
    if (s.value) check_expr(*s.value, diags, false);
  }
}

void run(ParseDriver& drv) {
  grammar::BisonParser parser(drv);
  parser.parse();
  if (drv.diags.full())
    drv.diags.note(Span{}, "stopped after " + std::to_string(Diagnostics::kErrorLimit) + " errors");
}

}  // namespace

Module parse_module(const SourceFile& file, Diagnostics& diags) {
  ParseDriver drv(file, diags, StartSymbol::Module);
  run(drv);
  drv.module.file = &file;
  bound_nesting(drv.module, diags);  // before anything walks the trees
  check_module(drv.module, diags);
  return std::move(drv.module);
}

ExprPtr parse_expression(const SourceFile& file, Diagnostics& diags) {
  const std::size_t before = diags.error_count();
  ParseDriver drv(file, diags, StartSymbol::Expression);
  run(drv);
  bound_nesting(drv.expr, diags);
  if (drv.expr) check_expr(*drv.expr, diags, false);
  if (diags.error_count() != before) return nullptr;
  return std::move(drv.expr);
}

ExprPtr parse_train_value(const SourceFile& file, Diagnostics& diags) {
  const std::size_t before = diags.error_count();
  ParseDriver drv(file, diags, StartSymbol::TrainValue);
  run(drv);
  bound_nesting(drv.expr, diags);
  if (diags.error_count() != before) return nullptr;
  return std::move(drv.expr);
}

std::optional<Stmt> parse_statement(const SourceFile& file, Diagnostics& diags) {
  const std::size_t before = diags.error_count();
  Module m = parse_module(file, diags);
  if (diags.error_count() != before) return std::nullopt;
  if (m.statements.size() != 1) {
    const uint32_t size = static_cast<uint32_t>(file.text().size());
    diags.error(file.span(0, size),
                "expected one statement, found " + std::to_string(m.statements.size()));
    return std::nullopt;
  }
  return std::move(m.statements[0]);
}

}  // namespace eq
