// Syntax error messages (Bison's `parse.error custom` hook).
//
// Bison knows the lookahead token and which tokens would have been accepted;
// the driver also remembers the token before the lookahead. From these we
// recognise the mistakes people really make and say what to write instead;
// anything else gets "unexpected X, expected Y". Lexical errors were already
// reported by the lexer and are not reported twice.
#include <algorithm>
#include <vector>

#include "bison_parser.hpp"  // generated from parser.y
#include "eq/grammar/look_alike.hpp"
#include "eq/grammar/parse_driver.hpp"
#include "eq/grammar/suggest.hpp"

namespace eq::grammar {

namespace {

using P = BisonParser;
using K = P::symbol_kind;
using Kind = P::symbol_kind_type;

// "; did you mean 'param'?" when a name at a statement's start is a
// declaration keyword misspelt (parm) or written with a look-alike letter
// (nоise with a Cyrillic о), naming the odd character; else "".
std::string misspelt_keyword(const std::string& word) {
  static const std::vector<std::string> kKeywords = {"dim",   "input",  "target", "param", "state",
                                                     "const", "output", "noise",  "train"};
  if (const auto alike = look_alike_name(word, kKeywords))
    return odd_character_note(word, alike->written) + "; did you mean '" + alike->known + "'?";
  const std::string near = nearest_name(word, kKeywords);
  return near.empty() ? "" : "; did you mean '" + near + "'?";
}

bool starts_expression(Tok t) {
  switch (t) {
    case Tok::Name:
    case Tok::Builtin:
    case Tok::Number:
    case Tok::NumberAdj:
    case Tok::Pi:
    case Tok::PiAdj:
    case Tok::String:
    case Tok::LParen:
    case Tok::Sqrt:
    case Tok::LBracket:
      return true;
    default:
      return false;
  }
}

bool ends_expression(Tok t) {
  switch (t) {
    case Tok::Name:
    case Tok::Number:
    case Tok::NumberAdj:
    case Tok::Pi:
    case Tok::PiAdj:
    case Tok::String:
    case Tok::RParen:
    case Tok::RBracket:
    case Tok::Square:
    case Tok::Cube:
    case Tok::Transpose:
      return true;
    default:
      return false;
  }
}

// Tokens after which an operand must follow.
bool wants_operand(Tok t) {
  switch (t) {
    case Tok::Plus:
    case Tok::Minus:
    case Tok::Star:
    case Tok::Slash:
    case Tok::MatMul:
    case Tok::Caret:
    case Tok::Sqrt:
    case Tok::Equals:
    case Tok::Tilde:
    case Tok::Colon:
    case Tok::Comma:
    case Tok::Less:
    case Tok::Greater:
    case Tok::LessEq:
    case Tok::GreaterEq:
    case Tok::NotEq:
      return true;
    default:
      return false;
  }
}

bool is_keyword(Kind k) { return k >= K::S_DIM && k <= K::S_TRAIN; }

// Operators, folded into "an operator" in the generic message.
bool is_operator(Kind k) { return (k >= K::S_LESS && k <= K::S_TRANSPOSE) || k == K::S_LINDEX; }

bool is_end(Kind k) { return k == K::S_NEWLINE || k == K::S_SEMI || k == K::S_YYEOF; }

// "end of line", "name 'x'", "'+'" — how the message names a token that is
// in the source.
std::string describe(const ParseDriver& d, Kind k, const Token& t) {
  const std::string text(d.file.slice(d.span(t)));
  const bool at_eof = t.begin >= d.file.text().size();
  switch (k) {
    case K::S_YYEOF:
      return "end of file";
    case K::S_NEWLINE:
      return at_eof ? "end of file" : "end of line";
    case K::S_NAME:
      return "name '" + canonical_name(text) + "'";
    case K::S_NUMBER:
    case K::S_NUMBER_ADJ:
      return "number '" + text + "'";
    case K::S_STRING:
      return "string " + text;
    default:
      // The break the lexer puts before `z = …` on the same line (lexer.hpp).
      if (text.empty()) return "the start of another statement";
      return "'" + text + "'";
  }
}

// How the message names an expected token.
std::string expected_name(Kind k) {
  switch (k) {
    case K::S_YYEOF:
      return "end of file";
    case K::S_NEWLINE:
      return "end of line";
    case K::S_NAME:
      return "a name";
    case K::S_NUMBER:
      return "a number";
    case K::S_STRING:
      return "a string";
    case K::S_BUILTIN:
      return "a built-in function";
    case K::S_LINDEX:
      return "'['";
    default:
      return std::string("'") + P::symbol_name(k) + "'";
  }
}

std::string token_text(const ParseDriver& d, const Token& t) {
  return std::string(d.file.slice(d.span(t)));
}

// A line break lies between the two offsets (inside brackets it is no token).
bool line_between(const ParseDriver& d, uint32_t a, uint32_t b) {
  return a <= b && d.file.text().find('\n', a) < b;
}

}  // namespace

void BisonParser::report_syntax_error(const context& ctx) const {
  ParseDriver& d = drv;
  if (d.diags.full()) return;
  const Kind la = ctx.token();
  if (la == K::S_LEXERROR) return;  // the lexer has said why

  Kind buf[64];
  const int n = ctx.expected_tokens(buf, 64);
  const std::vector<Kind> expected(buf, buf + n);
  auto expects = [&](Kind k) {
    return std::find(expected.begin(), expected.end(), k) != expected.end();
  };

  const Token& cur = d.cur;
  const Token& prev = d.prev;
  Span here = ctx.location();
  // At the end of a file that ends in a newline, point after the last line
  // rather than at an empty line past it.
  const std::string& text = d.file.text();
  if (here.begin == text.size() && !text.empty() && text.back() == '\n')
    here.begin = here.end = static_cast<uint32_t>(text.size() - 1);
  if (!is_end(la)) d.lexer.mark_line_error();
  const Span before = d.span(prev);
  const std::string what = describe(d, la, cur);

  // A bracket left open swallows the line breaks after it (lexer.hpp), so
  // the next line reads as more of the expression and fails there. When the
  // bracket is never closed, that is the mistake: report it where it opened,
  // and let newlines end statements again.
  if (const int64_t open = d.lexer.open_bracket();
      open >= 0 && line_between(d, static_cast<uint32_t>(open), cur.begin) &&
      !d.lexer.closed_later(static_cast<uint32_t>(open))) {
    const auto at = static_cast<uint32_t>(open);
    d.diags.error(d.span(at, at + 1), std::string("this '") + text[at] + "' is never closed");
    d.diags.note(here, "the expression cannot continue with " + what);
    d.lexer.forget_brackets();
    return;
  }

  if (is_keyword(la) && expects(K::S_NAME)) {
    std::string message = "'" + token_text(d, cur) + "' is a keyword and cannot be used as a name";
    // Σ(X, dim = 1), as PyTorch names it: the argument is axis.
    std::size_t after = cur.end;
    while (after < text.size() && text[after] == ' ') ++after;
    if (cur.kind == Tok::Dim && prev.kind == Tok::Comma && after < text.size() &&
        text[after] == '=')
      message += "; a reduction's axis is written axis = k (docs/language.md §9.2)";
    d.diags.error(here, message);
    return;
  }
  if (la == K::S_BUILTIN && expects(K::S_NAME) && !expects(K::S_BUILTIN)) {
    d.diags.error(
        here, "'" + token_text(d, cur) + "' is a built-in function and cannot be used as a name");
    return;
  }
  if (la == K::S_EQUALS && prev.kind >= Tok::Dim && prev.kind <= Tok::Train) {
    d.diags.error(before,
                  "'" + token_text(d, prev) + "' is a keyword and cannot be used as a name");
    return;
  }
  if (prev.kind == Tok::Builtin && expected.size() == 1 && expects(K::S_LPAREN)) {
    const std::string f = token_text(d, prev);
    d.diags.error(before,
                  "the built-in function '" + f + "' needs parentheses: write " + f + "(…)");
    return;
  }
  if (prev.kind == Tok::Equals && d.prev2.kind == Tok::Name &&
      (la == K::S_RPAREN || la == K::S_COMMA)) {
    const std::string key = canonical_name(token_text(d, d.prev2));
    d.diags.error(here, "the value of '" + key + "' is missing: write " + key + " = …");
    return;
  }
  if (la == K::S_EQUALS &&
      (text.compare(cur.end, 1, "=") == 0 || (prev.kind == Tok::Equals && prev.end == cur.begin))) {
    const bool second = prev.kind == Tok::Equals && prev.end == cur.begin;
    d.diags.error(second ? d.span(prev.begin, cur.end) : d.span(cur.begin, cur.end + 1),
                  "there is no '==' in eq: '=' defines a name; to test equality write "
                  "1 - (a ≠ b)");
    return;
  }
  if (prev.kind == Tok::LBracket && la == K::S_RBRACKET && expects(K::S_NAME)) {
    d.diags.error(here, "unexpected ']': a concatenation [a, b] needs at least one part");
    return;
  }
  if (prev.kind == Tok::LIndex && la == K::S_RBRACKET) {
    d.diags.error(here, "an index needs a position or a slice: write [i], [a:b] or [:]");
    return;
  }
  if (d.statement == Tok::Noise && expects(K::S_TILDE) && !expects(K::S_PLUS) &&
      !expects(K::S_NAME)) {
    d.diags.error(here, "unexpected " + what +
                            ": a noise needs a distribution: write ~ normal(0, 1) or "
                            "~ uniform(a, b)");
    return;
  }
  if (la == K::S_LINDEX && expects(K::S_COLON) && !expects(K::S_PLUS)) {
    const std::string name = canonical_name(token_text(d, prev));
    d.diags.error(here, "a shape follows ':': write " + name + " : […]");
    return;
  }
  if (expects(K::S_NAME) && expects(K::S_NUMBER) && wants_operand(prev.kind)) {
    const std::string op = token_text(d, prev);
    const char* thing =
        prev.kind == Tok::Equals || prev.kind == Tok::Tilde ? "value" : "expression";
    const char* article = thing[0] == 'v' ? "a " : "an ";
    if (is_end(la))
      d.diags.error(before,
                    "unexpected " + what + ": the " + thing + " after '" + op + "' is missing");
    else
      d.diags.error(
          here, std::string("expected ") + article + thing + " after '" + op + "', found " + what);
    return;
  }
  if ((prev.kind == Tok::Name || (prev.kind == Tok::Builtin && d.lexer.in_braces())) &&
      expects(K::S_EQUALS) && !expects(K::S_PLUS)) {
    const std::string key = canonical_name(token_text(d, prev));
    if (d.lexer.in_braces())
      d.diags.error(
          here, "the train key '" + key + "' must be followed by '=': write " + key + " = value");
    else if (d.prev2.kind == Tok::Const)
      d.diags.error(here, "a constant needs a value: write const " + key + " = …");
    else if (const std::string kw = misspelt_keyword(key);
             !kw.empty() && (la == K::S_NAME || (la == K::S_SEMI && cur.begin == cur.end)) &&
             (d.prev2.kind == Tok::Newline || d.prev2.kind == Tok::Semicolon))
      // `parm w : [4] ~ 0`, `nоise ε …` (a Cyrillic о), `dimm D = 3` (the
      // lexer's zero-width break before `D = 3`): a declaration's keyword.
      d.diags.error(d.span(prev.begin, prev.end), "'" + key + "' is not a keyword" + kw);
    else if (d.prev2.kind == Tok::Newline || d.prev2.kind == Tok::Semicolon)
      d.diags.error(here, "expected '=' after '" + key + "', found " + what +
                              ": an equation is written " + key + " = expression");
    else
      d.diags.error(here, "expected '=' after '" + key + "', found " + what);
    return;
  }
  if (is_end(la) && d.lexer.in_braces() && expects(K::S_RBRACE) && cur.begin >= text.size()) {
    const uint32_t b = d.lexer.open_brace();
    d.diags.error(d.span(b, b + 1), "this '{' is never closed");
    return;
  }
  if (expects(K::S_NORM) && !expects(K::S_NAME)) {
    const int64_t open = d.lexer.open_norm();
    if (open < 0) {
      d.diags.error(here, "unexpected " + what + ": the norm '‖' is not closed");
      return;
    }
    const auto at = static_cast<uint32_t>(open);
    d.diags.error(d.span(at, at + static_cast<uint32_t>(std::string_view("‖").size())),
                  "this '‖' is never closed");
    if (!is_end(la)) d.diags.note(here, "expected '‖' before " + what);
    return;
  }
  if ((la == K::S_RPAREN || la == K::S_RBRACKET) &&
      (expects(K::S_RPAREN) || expects(K::S_RBRACKET))) {
    const char* want = expects(K::S_RPAREN) ? "')'" : "']'";
    d.diags.error(here, std::string("expected ") + want + ", found " + what);
    return;
  }
  if (la == K::S_COLON && !expects(K::S_COLON) && d.lexer.in_index()) {
    d.diags.error(here, "unexpected ':': a slice is a:b, with no step");
    return;
  }
  if (la == K::S_COLON && !expects(K::S_COLON)) {
    d.diags.error(here,
                  "unexpected ':': a range 'a:b' can only be a call argument in the train block");
    return;
  }
  if (ends_expression(prev.kind) && starts_expression(cur.kind) && expects(K::S_PLUS)) {
    const std::string a = token_text(d, prev), b = token_text(d, cur);
    std::string msg = "missing operator between '" + a + "' and '" + b + "'";
    if ((prev.kind == Tok::Number || prev.kind == Tok::Pi) &&
        (cur.kind == Tok::Name || cur.kind == Tok::LParen))
      msg += ": write " + a + "*" + b + ", or " + a + b + " without a space";
    else if (cur.kind == Tok::LBracket && prev.kind != Tok::Number && prev.kind != Tok::String)
      msg += ": write " + a + "·[…] to multiply, or " + a + "[…] without a space to index";
    d.diags.error(here, msg);
    return;
  }
  if (expects(K::S_DIM)) {
    d.diags.error(here, "expected a declaration or an equation, found " + what);
    return;
  }
  if (d.lexer.in_braces() && expects(K::S_RBRACE) && expects(K::S_NAME)) {
    d.diags.error(here, "expected a train key such as 'epochs = 1', found " + what);
    return;
  }

  // Generic: name the expected tokens, folding every way to start an
  // expression into "an expression".
  std::vector<std::string> names;
  bool operators = false;
  const bool expression = expects(K::S_NAME) && expects(K::S_NUMBER);
  if (expression) names.push_back("an expression");
  for (Kind k : expected) {
    if (expression && (k == K::S_NAME || k == K::S_BUILTIN || k == K::S_NUMBER ||
                       k == K::S_NUMBER_ADJ || k == K::S_PI || k == K::S_PI_ADJ ||
                       k == K::S_STRING || k == K::S_LPAREN || k == K::S_LBRACKET ||
                       k == K::S_MINUS || k == K::S_PLUS || k == K::S_SQRT || k == K::S_NORM))
      continue;
    if (k == K::S_NUMBER_ADJ || k == K::S_PI_ADJ || k == K::S_SEMI) continue;
    if (is_operator(k)) {
      operators = true;
      continue;
    }
    names.push_back(expected_name(k));
  }
  if (operators) names.push_back("an operator");
  std::string msg = "unexpected " + what;
  if (!names.empty() && names.size() <= 4) {
    msg += ", expected ";
    for (std::size_t i = 0; i < names.size(); ++i) {
      if (i) msg += i + 1 == names.size() ? " or " : ", ";
      msg += names[i];
    }
  }
  d.diags.error(here, msg);
}

}  // namespace eq::grammar

namespace eq::grammar {

// Bison's own errors (not syntax errors, e.g. its stack running out).
void BisonParser::error(const location_type& where, const std::string& message) {
  drv.diags.error(where, message);
}

}  // namespace eq::grammar
