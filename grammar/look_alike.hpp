// Look-alike characters, for "did you mean" (docs/language.md §1): a letter
// typed from another keyboard layout (Cyrillic у for Latin y), a fullwidth
// form (Ｗ for W) or a symbol that is not the one eq reads (∑ for Σ, – for -).
//
// Two characters look alike when ICU's confusable skeletons (uspoof, the
// data of Unicode TS #39) are equal once fullwidth, halfwidth and
// mathematical-font forms are folded to their plain character (NFKC: TS #39
// leaves them to it). For names the match is narrower: at least one of each
// pair must be suspect — from a script other than Latin and Greek, or one of
// those width/font forms — so that Greek letters, which models use on
// purpose (α, γ, ν), are never taken for the Latin letters they resemble.
#pragma once

#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

namespace eq {

// "U+0443 CYRILLIC SMALL LETTER U" (just "U+0443" when Unicode names none).
std::string code_point_text(char32_t cp);

// A known name that `name` is spelt like but for look-alike characters.
struct LookAlike {
  std::string known;  // the name meant
  // The first look-alike pair: the character written, the one in `known`.
  char32_t written = 0, meant = 0;
  bool written_suspect = false;  // the odd one out is `written` (else `meant`)
};
std::optional<LookAlike> look_alike_name(const std::string& name,
                                         const std::vector<std::string>& known);

// How a message names the odd character `cp` of `name`: " (U+0443 …)" when
// it is the whole name, else " (its 'у' is U+0443 …)".
std::string odd_character_note(const std::string& name, char32_t cp);

// The character `cp` stands for: the ASCII one for a fullwidth form (`＋`),
// else the first of `symbols` (each one code point) it looks like; or "".
std::string look_alike_symbol(char32_t cp, std::span<const std::string_view> symbols);

}  // namespace eq
