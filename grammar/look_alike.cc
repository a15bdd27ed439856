#include "eq/grammar/look_alike.hpp"

#include <unicode/normalizer2.h>
#include <unicode/uchar.h>
#include <unicode/unistr.h>
#include <unicode/uscript.h>
#include <unicode/uspoof.h>

#include <cstdio>

#include "eq/grammar/utf8.hpp"

namespace eq {
namespace {

std::u32string decode(std::string_view s) {
  std::u32string out;
  for (const char* p = s.data(); p < s.data() + s.size();) {
    char32_t cp;
    p += decode_utf8(p, s.data() + s.size(), &cp);
    out += cp;
  }
  return out;
}

std::string encode(char32_t cp) {
  std::string out;
  append_utf8(out, cp);
  return out;
}

// Fullwidth, halfwidth and mathematical-font forms (Ｗ, ｱ, 𝑥, ℯ), and the
// compatibility forms of one letter (µ MICRO SIGN for μ, ſ for s): TS #39
// folds them by NFKC, not in its table of confusables.
bool width_or_font_form(char32_t cp) {
  const auto type = u_getIntPropertyValue(static_cast<UChar32>(cp), UCHAR_DECOMPOSITION_TYPE);
  if (type == U_DT_WIDE || type == U_DT_NARROW || type == U_DT_FONT) return true;
  if (type != U_DT_COMPAT) return false;
  UErrorCode err = U_ZERO_ERROR;
  const icu::Normalizer2* nfkc = icu::Normalizer2::getNFKCInstance(err);
  if (U_FAILURE(err)) return false;
  const icu::UnicodeString folded =
      nfkc->normalize(icu::UnicodeString(static_cast<UChar32>(cp)), err);
  return U_SUCCESS(err) && folded.countChar32() == 1 && u_isalpha(folded.char32At(0));
}

// A character that is probably not the one meant when it looks like another:
// see the header for why Latin and Greek are trusted.
bool suspect(char32_t cp) {
  if (width_or_font_form(cp)) return true;
  UErrorCode err = U_ZERO_ERROR;
  const UScriptCode script = uscript_getScript(static_cast<UChar32>(cp), &err);
  return U_SUCCESS(err) && script != USCRIPT_LATIN && script != USCRIPT_GREEK &&
         script != USCRIPT_COMMON && script != USCRIPT_INHERITED;
}

// ICU's checker, opened once; its skeleton function is const and thread-safe.
// Null if ICU's data cannot be loaded: then nothing looks alike.
const USpoofChecker* checker() {
  static const USpoofChecker* const sc = [] {
    UErrorCode err = U_ZERO_ERROR;
    USpoofChecker* c = uspoof_open(&err);
    return U_SUCCESS(err) ? c : nullptr;
  }();
  return sc;
}

// `cp` with a width or font form folded to its plain character.
icu::UnicodeString plain(char32_t cp) {
  icu::UnicodeString s(static_cast<UChar32>(cp));
  if (!width_or_font_form(cp)) return s;
  UErrorCode err = U_ZERO_ERROR;
  const icu::Normalizer2* nfkc = icu::Normalizer2::getNFKCInstance(err);
  icu::UnicodeString folded = U_SUCCESS(err) ? nfkc->normalize(s, err) : s;
  return U_SUCCESS(err) ? folded : s;
}

// What `cp` looks like: equal skeletons, equal looks (TS #39).
icu::UnicodeString skeleton(char32_t cp) {
  const icu::UnicodeString s = plain(cp);
  const USpoofChecker* sc = checker();
  if (!sc) return s;
  UErrorCode err = U_ZERO_ERROR;
  icu::UnicodeString out;
  uspoof_getSkeletonUnicodeString(sc, 0, s, out, &err);
  return U_SUCCESS(err) ? out : s;
}

}  // namespace

std::string code_point_text(char32_t cp) {
  char buf[16];
  std::snprintf(buf, sizeof buf, "U+%04X", static_cast<unsigned>(cp));
  char name[128];
  UErrorCode err = U_ZERO_ERROR;
  const int32_t n =
      u_charName(static_cast<UChar32>(cp), U_UNICODE_CHAR_NAME, name, sizeof name, &err);
  if (U_FAILURE(err) || n <= 0) return buf;
  return std::string(buf) + " " + std::string(name, static_cast<std::size_t>(n));
}

std::optional<LookAlike> look_alike_name(const std::string& name,
                                         const std::vector<std::string>& known) {
  const std::u32string written = decode(name);
  for (const std::string& k : known) {
    const std::u32string meant = decode(k);
    if (meant.size() != written.size() || meant == written) continue;
    std::optional<LookAlike> first;
    bool alike = true;
    for (std::size_t i = 0; i < written.size() && alike; ++i) {
      const char32_t a = written[i], b = meant[i];
      if (a == b) continue;
      const bool odd_written = suspect(a);
      alike = (odd_written || suspect(b)) && skeleton(a) == skeleton(b);
      if (alike && !first) first = LookAlike{k, a, b, odd_written};
    }
    if (alike && first) return first;
  }
  return std::nullopt;
}

std::string odd_character_note(const std::string& name, char32_t cp) {
  if (decode(name) == std::u32string(1, cp)) return " (" + code_point_text(cp) + ")";
  return " (its '" + encode(cp) + "' is " + code_point_text(cp) + ")";
}

std::string look_alike_symbol(char32_t cp, std::span<const std::string_view> symbols) {
  // A fullwidth `＋` or `１` is the ASCII character, whatever eq reads.
  if (const icu::UnicodeString p = plain(cp);
      width_or_font_form(cp) && p.length() == 1 && p[0] > 0x20 && p[0] < 0x7F)
    return std::string(1, static_cast<char>(p[0]));
  const icu::UnicodeString look = skeleton(cp);
  for (std::string_view s : symbols) {
    const std::u32string sym = decode(s);
    if (sym.size() == 1 && sym[0] != cp && skeleton(sym[0]) == look) return std::string(s);
  }
  return "";
}

}  // namespace eq
