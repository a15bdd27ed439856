// The parts of the lexer that are more than "set the token": numbers,
// strings, brackets, end of input and error messages (lexer.hpp).
#include <charconv>
#include <cstdio>
#include <cstring>

#include "eq/grammar/builtins.hpp"
#include "eq/grammar/lexer.hpp"
#include "eq/grammar/look_alike.hpp"
#include "eq/grammar/utf8.hpp"

namespace eq {

Token Lexer::error(const std::string& message) {
  if (!line_has_error_)
    diags_.error(file_.span(make(Tok::Error).begin, make(Tok::Error).end), message);
  line_has_error_ = true;
  return make(Tok::Error);
}

bool Lexer::adjacent() const {
  if (cur_ >= lim_) return false;
  const unsigned char c = static_cast<unsigned char>(*cur_);
  return c == '(' || c >= 0x80 || (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z');
}

Token Lexer::number() {
  Token t = make(Tok::Number);
  const auto r = std::from_chars(tok_, cur_, t.number);
  if (r.ec == std::errc::result_out_of_range || r.ptr != cur_)
    return error("the number '" + std::string(tok_, cur_) + "' is out of range");
  if (adjacent()) t.kind = Tok::NumberAdj;
  return t;
}

Token Lexer::name() {
  const Token t = make(Tok::Name);
  if (!brackets_.empty() || !after_operand()) return t;
  const char* p = cur_;
  while (p < lim_ && (*p == ' ' || *p == '\t')) ++p;
  if (p == lim_ || *p != '=' || (p + 1 < lim_ && p[1] == '=')) return t;
  pending_.push_back(t);
  return {Tok::Semicolon, t.begin, t.begin, 0};
}

// `1e`, `1e-`: an exponent without digits. `2exp(x)` and `2e` before a name
// are a number times a name, so a bare e followed by a letter backs off.
// A bare `2E` stays an error (`2E3` is 2000, so `2E` reading 2·E would hang
// on the next character), but it is most often a product by a dim or const
// named E: the message offers `2*E` first.
Token Lexer::bad_exponent() {
  const char last = cur_[-1];
  if ((last == 'e' || last == 'E') && adjacent()) {
    --cur_;
    return number();
  }
  const char* e = cur_ - 1;
  while (*e != 'e' && *e != 'E') --e;
  const std::string text(tok_, cur_);
  const std::string mantissa(tok_, e);
  const std::string suffix(e, cur_);
  const std::string product =
      e + 1 == cur_ ? mantissa + "*" + suffix + " to multiply by " + suffix + ", or " : "";
  return error("a number cannot end in '" + suffix + "': write " + product + text + "3 or " +
               mantissa);
}

Token Lexer::fraction(double value, bool pi) {
  Token t = make(pi ? Tok::Pi : Tok::Number);
  t.number = value;
  if (adjacent()) t.kind = pi ? Tok::PiAdj : Tok::NumberAdj;
  return t;
}

Token Lexer::string_literal() {
  for (const char* p = tok_ + 1; p < cur_ - 1; ++p) {
    if (*p != '\\') continue;
    ++p;
    if (*p != '"' && *p != '\\') {
      char32_t cp;
      const int len = decode_utf8(p, lim_, &cp);
      return error("unknown escape '\\" + std::string(p, static_cast<std::size_t>(len)) +
                   "' in a string: only \\\" and \\\\ are allowed");
    }
  }
  return make(Tok::String);
}

Token Lexer::unclosed_string() {
  // The string stopped at something that is not a code point: report that.
  if (cur_ < lim_ && *cur_ != '\n' && *cur_ != '\r' && *cur_ != '\\') {
    tok_ = cur_;
    return unknown_character();
  }
  return error("this string is not closed: a '\"' is missing before the end of the line");
}

// The characters of the language other than letters and digits, each one
// code point: what an unknown character may be a look-alike of (∑ for Σ,
// – for -, “ for "). ASCII first, so that – suggests '-' rather than '−'.
constexpr std::string_view kSymbols[] = {
    "(", ")", "[", "]", "{", "}",  ",", ":", ";", "=", "~", "<", ">", "+", "-",
    "*", "/", "^", "@", "#", "\"", "_", "≤", "≥", "≠", "−", "×", "⊙", "∘", "÷",
    "·", "⋅", "∙", "√", "‖", "²",  "³", "ᵀ", "½", "¼", "¾", "π", "Σ", "′", "″"};

Token Lexer::unknown_character() {
  char32_t cp;
  const int len = decode_utf8(tok_, lim_, &cp);
  cur_ = tok_ + len;
  char buf[64];
  if (cp == kInvalidCodePoint) {
    std::snprintf(buf, sizeof buf, "invalid UTF-8 byte 0x%02X",
                  static_cast<unsigned>(static_cast<unsigned char>(*tok_)));
    return error(buf);
  }
  std::snprintf(buf, sizeof buf, "U+%04X", static_cast<unsigned>(cp));
  const std::string shown = "unknown character '" + std::string(tok_, cur_) + "' (" + buf + ")";
  if (cp == '\'') return error(shown + ": a prime is written \u2032");
  if (cp == '|') return error(shown + ": the norm is written \u2016x\u2016");
  // X⊤ (LaTeX's \top) and NumPy's X.T: the transpose, which eq writes Xᵀ.
  if (cp == 0x22A4 || (cp == '.' && cur_ < lim_ && *cur_ == 'T'))
    return error(shown +
                 ": the transpose is written \u1D40 (U+1D40), as in X\u1D40, or transpose(X)");
  if (cp < 0x20 || (cp >= 0x7F && cp < 0xA0) || display_width(cp) == 0)
    return error(std::string("unknown character ") + buf +
                 ", invisible in most editors (copied text may have brought it); delete it");
  const std::string meant = look_alike_symbol(cp, kSymbols);
  if (meant.empty()) return error(shown);
  // A look-alike: both characters by name, as they cannot be told apart.
  std::string message = "unknown character '" + std::string(tok_, cur_) + "' (" +
                        code_point_text(cp) + "); did you mean '" + meant + "'";
  char32_t m;
  decode_utf8(meant.data(), meant.data() + meant.size(), &m);
  if (m >= 0x80) message += " (" + code_point_text(m) + ")";
  for (const BuiltinSpelling& b : kBuiltins)
    if (b.spelling == meant && b.function != meant)
      message += " or '" + std::string(b.function) + "'";
  return error(message + "?");
}

Token Lexer::lone_carriage_return() {
  return error(
      "a carriage return (CR) without a line feed: lines end in LF or CR LF; save the "
      "file with those line ends");
}

bool Lexer::after_operand() const {
  switch (last_) {
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
    case Tok::Norm:
      return last_norm_closed_;
    default:
      return false;
  }
}

Token Lexer::open(Tok kind) {
  // `h[0]` indexes; `2[…]` and `h [0]` do not (see lexer.hpp).
  const bool number = last_ == Tok::Number || last_ == Tok::NumberAdj || last_ == Tok::Pi ||
                      last_ == Tok::PiAdj || last_ == Tok::String;
  if (kind == Tok::LBracket && tok_ > base_ && after_operand() && !number &&
      std::strchr(" \t\r\n", tok_[-1]) == nullptr)
    kind = Tok::LIndex;
  brackets_.push_back({static_cast<uint32_t>(tok_ - base_), kind});
  return make(kind);
}

bool Lexer::closed_later(uint32_t offset) const {
  int depth = 0;
  for (const char* p = base_ + offset; p < lim_; ++p) {
    switch (*p) {
      case '(':
      case '[':
        ++depth;
        break;
      case ')':
      case ']':
        if (--depth == 0) return true;
        break;
      case '#':
        while (p + 1 < lim_ && p[1] != '\n') ++p;
        break;
      case '"':
        for (++p; p < lim_ && *p != '"' && *p != '\n'; ++p)
          if (*p == '\\' && p + 1 < lim_) ++p;
        if (p == lim_) return false;
        break;
      default:
        break;
    }
  }
  return false;
}

Token Lexer::close(Tok kind, char want) {
  if (brackets_.empty()) {
    const char c = kind == Tok::RParen ? ')' : ']';
    return error(std::string("unmatched '") + c + "': there is no '" + want + "' before it");
  }
  brackets_.pop_back();  // a mismatched pair is reported by the parser
  return make(kind);
}

Token Lexer::unclosed_bracket() {
  const uint32_t open_at = brackets_.back().at;
  brackets_.clear();
  const char c = base_[open_at];
  if (!line_has_error_)
    diags_.error(file_.span(open_at, open_at + 1), std::string("this '") + c + "' is never closed");
  line_has_error_ = true;
  Token t = make(Tok::Error);
  t.kind = Tok::Error;
  return t;
}

Token Lexer::newline() {
  if (brackets_.empty()) return make(Tok::Newline);
  // A statement keyword at the start of the next line cannot continue a
  // bracketed expression: the bracket was left open. Saying so here keeps
  // the rest of the file parsing statement by statement.
  for (std::string_view k : kKeywords) {
    if (static_cast<std::size_t>(lim_ - cur_) > k.size() &&
        std::memcmp(cur_, k.data(), k.size()) == 0 &&
        (cur_[k.size()] == ' ' || cur_[k.size()] == '\t')) {
      pending_.push_back(make(Tok::Newline));
      return unclosed_bracket();
    }
  }
  return make(Tok::End);  // no token: the newline is inside brackets
}

Token Lexer::end_of_input() {
  const Token end = make(Tok::End);
  if (!brackets_.empty()) {
    pending_.push_back(end);
    pending_.push_back({Tok::Newline, end.begin, end.end, 0});
    return unclosed_bracket();
  }
  if (last_ != Tok::Newline) {
    pending_.push_back(end);
    return {Tok::Newline, end.begin, end.end, 0};
  }
  return end;
}

std::string unescape_string(std::string_view text) {
  std::string out;
  for (std::size_t i = 1; i + 1 < text.size(); ++i) {
    if (text[i] == '\\') ++i;
    out += text[i];
  }
  return out;
}

}  // namespace eq
