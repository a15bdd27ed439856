#include "eq/compiler/export/onnx_names.hpp"

#include <cstdio>
#include <string_view>

#include "eq/runtime/utf8.hpp"

namespace eq::onnx_export {
namespace {

// A subscript's ASCII character, or 0.
char subscript(char32_t cp) {
  if (cp >= U'₀' && cp <= U'₉') return static_cast<char>('0' + (cp - U'₀'));
  switch (cp) {
    case U'₋':
      return 'm';  // hₜ₋₁ → h_tm1, the spelling of h_{t-1} common in ML code
    case U'₊':
      return 'p';
    case U'ₜ':
      return 't';
    case U'ₐ':
      return 'a';
    case U'ₑ':
      return 'e';
    case U'ₒ':
      return 'o';
    case U'ₓ':
      return 'x';
    case U'ₕ':
      return 'h';
    case U'ₖ':
      return 'k';
    case U'ₗ':
      return 'l';
    case U'ₘ':
      return 'm';
    case U'ₙ':
      return 'n';
    case U'ₚ':
      return 'p';
    case U'ₛ':
      return 's';
    case U'ᵢ':
      return 'i';
    case U'ⱼ':
      return 'j';
    case U'ᵣ':
      return 'r';
    case U'ᵤ':
      return 'u';
    case U'ᵥ':
      return 'v';
    default:
      return 0;
  }
}

// Precomposed hatted letters: ŷ → y (plus "_hat").
char hatted(char32_t cp) {
  switch (cp) {
    case U'ŷ':
      return 'y';
    case U'Ŷ':
      return 'Y';
    case U'ĉ':
      return 'c';
    case U'Ĉ':
      return 'C';
    case U'ĝ':
      return 'g';
    case U'ĥ':
      return 'h';
    case U'ŝ':
      return 's';
    case U'ŵ':
      return 'w';
    case U'â':
      return 'a';
    case U'ê':
      return 'e';
    case U'î':
      return 'i';
    case U'ô':
      return 'o';
    case U'û':
      return 'u';
    case U'ẑ':
      return 'z';
    default:
      return 0;
  }
}

std::string_view greek(char32_t cp) {
  static constexpr std::string_view kLower[] = {
      "alpha", "beta",   "gamma",   "delta", "epsilon", "zeta",    "eta",  "theta", "iota",
      "kappa", "lambda", "mu",      "nu",    "xi",      "omicron", "pi",   "rho",   "sigma_f",
      "sigma", "tau",    "upsilon", "phi",   "chi",     "psi",     "omega"};
  if (cp >= U'α' && cp <= U'ω') return kLower[cp - U'α'];
  if (cp >= U'Α' && cp <= U'Ω' && cp != 0x3A2) {
    static constexpr std::string_view kUpper[] = {
        "Alpha", "Beta",   "Gamma",   "Delta", "Epsilon", "Zeta",    "Eta",  "Theta", "Iota",
        "Kappa", "Lambda", "Mu",      "Nu",    "Xi",      "Omicron", "Pi",   "Rho",   "",
        "Sigma", "Tau",    "Upsilon", "Phi",   "Chi",     "Psi",     "Omega"};
    return kUpper[cp - U'Α'];
  }
  return {};
}

bool ascii_word(char c) {
  return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '_';
}

}  // namespace

std::string ascii_name(const std::string& name) {
  std::string out;
  bool in_subscript = false;  // the last character written was part of a subscript
  for (std::size_t i = 0; i < name.size();) {
    char32_t cp = 0;
    int len = utf8::decode(name, i, cp);
    if (len == 0) cp = static_cast<unsigned char>(name[i]), len = 1;
    i += static_cast<std::size_t>(len);
    if (char s = subscript(cp)) {
      if (!in_subscript) out += '_';
      out += s;
      in_subscript = true;
      continue;
    }
    in_subscript = false;
    if (cp < 0x80 && ascii_word(static_cast<char>(cp))) {
      out += static_cast<char>(cp);
    } else if (char h = hatted(cp)) {
      out += h;
      out += "_hat";
    } else if (cp == 0x302) {  // a combining circumflex after its letter: y + ̂
      out += "_hat";
    } else if (cp == U'ᵀ') {
      out += 'T';
    } else if (std::string_view g = greek(cp); !g.empty()) {
      out += g;
    } else {
      char hex[16];
      std::snprintf(hex, sizeof hex, "u%04X", static_cast<unsigned>(cp));
      out += hex;
    }
  }
  if (out.empty() || (out[0] >= '0' && out[0] <= '9')) out.insert(0, "_");
  return out;
}

std::string unique_ascii_name(const std::string& name, std::set<std::string>& taken) {
  const std::string base = ascii_name(name);
  std::string candidate = base;
  for (int k = 2; taken.count(candidate); ++k) candidate = base + "_" + std::to_string(k);
  taken.insert(candidate);
  return candidate;
}

}  // namespace eq::onnx_export
