// The re2c lexer (UTF-8 mode); contract in lexer.hpp. One token per rule;
// actions set the token and stop. Helpers below handle the few tokens that
// need more than that (numbers, strings, brackets, errors).
#include <charconv>
#include <cstring>
#include <numbers>

#include "eq/grammar/builtins.hpp"
#include "eq/grammar/lexer.hpp"
#include "eq/grammar/utf8.hpp"

/*!include:re2c "unicode_categories.re" */

namespace eq {

Lexer::Lexer(const SourceFile& file, Diagnostics& diags)
    : file_(file),
      diags_(diags),
      base_(file.text().c_str()),
      cur_(base_),
      lim_(base_ + file.text().size()) {}

Token Lexer::next() {
  Token t;
  if (!pending_.empty()) {
    t = pending_.back();
    pending_.pop_back();
  } else {
    t = scan();
  }
  // A norm does not outlive its statement; cleared one token late so that the
  // parser, seeing the end of the line, can still ask where it opened.
  if (last_ == Tok::Newline || last_ == Tok::Semicolon) norms_.clear();
  if (t.kind == Tok::Newline) line_has_error_ = false;
  const bool closes = t.kind == Tok::Norm && after_operand();
  if (t.kind == Tok::Norm && closes && !norms_.empty()) norms_.pop_back();
  if (t.kind == Tok::Norm && !closes) norms_.push_back(t.begin);
  last_norm_closed_ = closes;
  last_ = t.kind;
  return t;
}

Token Lexer::scan() {
  for (;;) {
    tok_ = cur_;
    /*!re2c
      re2c:define:YYCTYPE = "unsigned char";
      re2c:define:YYCURSOR = "cur_";
      re2c:define:YYMARKER = "mar_";
      re2c:define:YYLIMIT = "lim_";
      re2c:yyfill:enable = 0;
      re2c:eof = 0;

      // Non-ASCII literals are written as \u escapes (re2c reads the .re
      // file byte by byte); the comment after each rule shows them.
      // docs/language.md §1. π is a number and ᵀ the transpose, not letters;
      // subscripts continue a name but never start one.
      sub_char   = [\u2080-\u208e\u2090-\u209c\u1d62-\u1d6a\u2c7c];
      prime      = [\u2032-\u2034\u2057];
      letter     = L \ [\u03c0\u1d40] \ sub_char;
      // Variation selectors and the combining grapheme joiner are marks
      // that show nothing: inside a name they would make "lo\ufe0fss" (looks
      // like loss) another name. They are unknown characters.
      mark       = (Mn | Mc | Me) \ [\ufe00-\ufe0f\u034f\U000e0100-\U000e01ef];
      ascii_sub  = "_" [a-zA-Z0-9]+ | "_{" ([a-zA-Z0-9+\-=()] | "\u2212")+ "}";  // − minus
      name       = letter (letter | mark | [0-9] | prime | sub_char | ascii_sub)*;
      digits     = [0-9]+;
      mantissa   = digits ("." digits?)? | "." digits;
      exponent   = [eE] [+-]? digits;
      str_char   = [^"\\\n] | "\\" [^\n];

      $                     { return end_of_input(); }
      [ \t\f\v]+            { continue; }
      "#" [^\n\r]*          { continue; }
      "\r"? "\n"            { Token t = newline(); if (t.kind != Tok::End) return t; continue; }
      "\r"                  { return lone_carriage_return(); }
      ";"                   { return make(Tok::Semicolon); }

      "dim"                 { return make(Tok::Dim); }
      "input"               { return make(Tok::Input); }
      "target"              { return make(Tok::Target); }
      "param"               { return make(Tok::Param); }
      "state"               { return make(Tok::State); }
      "const"               { return make(Tok::Const); }
      "output"              { return make(Tok::Output); }
      "noise"               { return make(Tok::Noise); }
      "train"               { return make(Tok::Train); }

      "\u03c3" | "sigmoid" | "tanh" | "relu" | "softplus" | "exp" | "log" | "ln"  // σ
        | "log1p" | "expm1" | "sqrt" | "abs" | "sin" | "cos" | "square"
        | "softmax" | "logsoftmax" | "\u03a3" | "sum" | "mean" | "max" | "min"  // Σ
        | "norm" | "transpose"
        | "where" | "clip" | "logsumexp" | "erf" | "gelu" | "elu" | "leaky_relu"
        | "sign" | "floor" | "dropout" | "vec"
                            { return make(Tok::Builtin); }

      name                  { return name(); }
      name "_"              { return error("'_' must be followed by a subscript: write x_i or x_{t-1}"); }
      "_"                   { return error("a name must start with a letter, not '_'"); }

      mantissa exponent?    { return number(); }
      mantissa [eE] [+-]?   { return bad_exponent(); }
      "\u00bd"                   { return fraction(0.5); }  // ½
      "\u00bc"                   { return fraction(0.25); }  // ¼
      "\u00be"                   { return fraction(0.75); }  // ¾
      "\u03c0"                   { return fraction(std::numbers::pi, true); }  // π

      "\"" str_char* "\""   { return string_literal(); }
      "\"" str_char*        { return unclosed_string(); }

      "("                   { return open(Tok::LParen); }
      "["                   { return open(Tok::LBracket); }
      ")"                   { return close(Tok::RParen, '('); }
      "]"                   { return close(Tok::RBracket, '['); }
      "{"                   { ++braces_; open_brace_ = static_cast<uint32_t>(tok_ - base_); return make(Tok::LBrace); }
      "}"                   { if (braces_ > 0) --braces_; return make(Tok::RBrace); }
      ","                   { return make(Tok::Comma); }
      ":"                   { return make(Tok::Colon); }
      "="                   { return make(Tok::Equals); }
      "~"                   { return make(Tok::Tilde); }
      "<"                   { return make(Tok::Less); }
      ">"                   { return make(Tok::Greater); }
      "<=" | "\u2264"            { return make(Tok::LessEq); }  // ≤
      ">=" | "\u2265"            { return make(Tok::GreaterEq); }  // ≥
      "!=" | "\u2260"            { return make(Tok::NotEq); }  // ≠

      "+"                   { return make(Tok::Plus); }
      "-" | "\u2212"             { return make(Tok::Minus); }  // −
      "*" | "\u2299" | "\u2218" | "\u00d7" { return make(Tok::Star); }  // ⊙ ∘ ×
      "/" | "\u00f7"             { return make(Tok::Slash); }  // ÷
      "\u00b7" | "\u22c5" | "\u2219" | "@" { return make(Tok::MatMul); }  // · ⋅ ∙
      "^"                   { return make(Tok::Caret); }
      "\u221a"                   { return make(Tok::Sqrt); }  // √
      "\u2016"                   { return make(Tok::Norm); }  // ‖
      "\u00b2"                   { return make(Tok::Square); }  // ²
      "\u00b3"                   { return make(Tok::Cube); }  // ³
      "\u1d40"                   { return make(Tok::Transpose); }  // ᵀ

      *                     { return unknown_character(); }
    */
  }
}

}  // namespace eq
