// Canonical names; see names.hpp.
#include "eq/grammar/names.hpp"

#include <cctype>
#include <vector>

#include "eq/grammar/utf8.hpp"

namespace eq {

namespace {

struct SubscriptPair {
  char ascii;
  char32_t sub;
};

// docs/language.md §1: the digits, signs, brackets and the subscript letters.
constexpr SubscriptPair kSubscripts[] = {
    {'0', 0x2080}, {'1', 0x2081}, {'2', 0x2082}, {'3', 0x2083}, {'4', 0x2084}, {'5', 0x2085},
    {'6', 0x2086}, {'7', 0x2087}, {'8', 0x2088}, {'9', 0x2089}, {'+', 0x208A}, {'-', 0x208B},
    {'=', 0x208C}, {'(', 0x208D}, {')', 0x208E}, {'a', 0x2090}, {'e', 0x2091}, {'o', 0x2092},
    {'x', 0x2093}, {'h', 0x2095}, {'k', 0x2096}, {'l', 0x2097}, {'m', 0x2098}, {'n', 0x2099},
    {'p', 0x209A}, {'s', 0x209B}, {'t', 0x209C}, {'i', 0x1D62}, {'j', 0x2C7C}, {'r', 0x1D63},
    {'u', 0x1D64}, {'v', 0x1D65},
};

bool is_ascii_alnum(char c) { return std::isalnum(static_cast<unsigned char>(c)) != 0; }

// One piece of a name: plain text, or a run of subscript characters kept in
// ASCII form until it is written out.
struct Piece {
  bool subscript;
  std::string text;
};

std::vector<Piece> split(std::string_view name) {
  std::vector<Piece> pieces;
  auto add = [&](bool sub, std::string_view s) {
    if (pieces.empty() || pieces.back().subscript != sub) pieces.push_back({sub, ""});
    pieces.back().text.append(s);
  };
  const char* p = name.data();
  const char* end = p + name.size();
  while (p < end) {
    if (*p == '_' && p + 1 < end && p[1] == '{') {
      const char* close = p + 2;
      while (close < end && *close != '}') ++close;
      // U+2212 MINUS SIGN is a minus here too (docs/language.md §2): t−1 is t-1.
      std::string run(p + 2, static_cast<std::size_t>(close - p - 2));
      for (std::size_t at; (at = run.find("\u2212")) != std::string::npos;) run.replace(at, 3, "-");
      add(true, run);
      p = close < end ? close + 1 : end;
      continue;
    }
    if (*p == '_' && p + 1 < end && is_ascii_alnum(p[1])) {
      const char* q = p + 1;
      while (q < end && is_ascii_alnum(*q)) ++q;
      add(true, std::string_view(p + 1, static_cast<std::size_t>(q - p - 1)));
      p = q;
      continue;
    }
    char32_t cp;
    const int len = decode_utf8(p, end, &cp);
    const char ascii = ascii_of_subscript(cp);
    if (ascii != 0)
      add(true, std::string_view(&ascii, 1));
    else
      add(false, std::string_view(p, static_cast<std::size_t>(len)));
    p += len;
  }
  return pieces;
}

// Writes a subscript run; `next` is the first byte that follows it (0 at the end).
std::string write_subscript(const std::string& run, char next) {
  if (run.empty()) return "";
  std::string out;
  bool all = true;
  for (char c : run) all = all && subscript_of(c) != 0;
  if (all) {
    for (char c : run) append_utf8(out, subscript_of(c));
    return out;
  }
  bool alnum = true;
  for (char c : run) alnum = alnum && is_ascii_alnum(c);
  if (alnum && !is_ascii_alnum(next)) return "_" + run;
  return "_{" + run + "}";
}

// If `run` ends in a time index (t, t-k, t+k), sets *prefix and *offset.
bool split_time(const std::string& run, std::string* prefix, int* offset) {
  const std::size_t t = run.rfind('t');
  if (t == std::string::npos) return false;
  const std::string tail = run.substr(t + 1);
  if (tail.empty()) {
    *offset = 0;
  } else {
    if (tail.size() < 2 || tail.size() > 7 || (tail[0] != '-' && tail[0] != '+')) return false;
    int k = 0;
    for (std::size_t i = 1; i < tail.size(); ++i) {
      if (!std::isdigit(static_cast<unsigned char>(tail[i]))) return false;
      k = k * 10 + (tail[i] - '0');
    }
    *offset = tail[0] == '-' ? -k : k;
  }
  *prefix = run.substr(0, t);
  return true;
}

}  // namespace

char32_t subscript_of(char ascii) {
  for (const SubscriptPair& s : kSubscripts)
    if (s.ascii == ascii) return s.sub;
  return 0;
}

char ascii_of_subscript(char32_t cp) {
  for (const SubscriptPair& s : kSubscripts)
    if (s.sub == cp) return s.ascii;
  return 0;
}

NameParts analyze_name(std::string_view name) {
  const std::vector<Piece> pieces = split(name);
  NameParts parts;
  for (std::size_t i = 0; i < pieces.size(); ++i) {
    const char next = i + 1 < pieces.size() ? pieces[i + 1].text[0] : '\0';
    parts.text += pieces[i].subscript ? write_subscript(pieces[i].text, next) : pieces[i].text;
  }
  if (!pieces.empty() && !pieces[0].subscript) parts.stem = pieces[0].text;
  parts.base = parts.text;

  std::string prefix;
  if (pieces.size() >= 2 && pieces.back().subscript &&
      split_time(pieces.back().text, &prefix, &parts.offset)) {
    parts.timed = true;
    parts.subscript = write_subscript(prefix, '\0');
    parts.base.clear();
    for (std::size_t i = 0; i + 1 < pieces.size(); ++i) {
      const char next =
          i + 2 < pieces.size() ? pieces[i + 1].text[0] : (prefix.empty() ? '\0' : prefix[0]);
      parts.base += pieces[i].subscript ? write_subscript(pieces[i].text, next) : pieces[i].text;
    }
    parts.base += parts.subscript;
  } else if (pieces.size() >= 2 && pieces[1].subscript) {
    parts.subscript = write_subscript(pieces[1].text, pieces.size() > 2 ? pieces[2].text[0] : '\0');
  }
  return parts;
}

std::string canonical_name(std::string_view name) { return analyze_name(name).text; }

}  // namespace eq
