// Canonical names (docs/language.md §1) and their time index (§6).
//
// A name has one canonical spelling: a subscript — Unicode subscript
// characters, `_abc`, or `_{…}` — whose characters all have Unicode subscript
// forms is written with them; any other subscript keeps an ASCII form.
//   W_i, W_{i}, Wᵢ  → Wᵢ          h_{t-1}, hₜ₋₁ → hₜ₋₁
//   W_hh            → Wₕₕ         W_f           → W_f   (not Wf)
//   x_{ab}c         → x_{ab}c     (braces kept when a letter follows)
// A name whose last subscript ends in `t`, `t-k` or `t+k` is time-indexed:
//   hₜ₋₁ → base h, offset −1;  h₁ₜ → base h₁, subscript ₁, offset 0.
#pragma once

#include <string>
#include <string_view>

namespace eq {

struct NameParts {
  std::string text;       // canonical spelling of the whole name
  std::string base;       // canonical name without its time index (== text if untimed)
  std::string stem;       // the part before any subscript: `h` for h₁ₜ
  std::string subscript;  // canonical subscript text before the time index (`₁`), may be empty
  bool timed = false;     // the name carries a time index
  int offset = 0;         // k in tₖ: 0 for hₜ, −1 for hₜ₋₁, +1 for hₜ₊₁
};

// Splits and canonicalises a name given in any spelling (NFC text). The input
// is assumed to be a lexically valid name; other text passes through unchanged.
NameParts analyze_name(std::string_view name);

// The canonical spelling of a name, e.g. for names given to Parser::set("W_i").
std::string canonical_name(std::string_view name);

// The Unicode subscript form of an ASCII character, or 0 when there is none.
char32_t subscript_of(char ascii);
// The ASCII character a Unicode subscript character stands for, or 0.
char ascii_of_subscript(char32_t cp);

}  // namespace eq
