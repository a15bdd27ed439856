#include "eq/grammar/suggest.hpp"

#include <algorithm>

#include "eq/grammar/look_alike.hpp"
#include "eq/grammar/utf8.hpp"

namespace eq {
namespace {

std::u32string decode(const std::string& s) {
  std::u32string out;
  const char* p = s.data();
  const char* end = p + s.size();
  while (p < end) {
    char32_t cp;
    p += decode_utf8(p, end, &cp);
    out += cp;
  }
  return out;
}

std::size_t edit_distance(const std::u32string& a, const std::u32string& b) {
  std::vector<std::size_t> row(b.size() + 1);
  for (std::size_t j = 0; j <= b.size(); ++j) row[j] = j;
  for (std::size_t i = 1; i <= a.size(); ++i) {
    std::size_t diag = row[0];
    row[0] = i;
    for (std::size_t j = 1; j <= b.size(); ++j) {
      std::size_t up = row[j];
      row[j] = std::min({row[j] + 1, row[j - 1] + 1, diag + (a[i - 1] == b[j - 1] ? 0 : 1)});
      diag = up;
    }
  }
  return row[b.size()];
}

}  // namespace

std::string nearest_name(const std::string& name, const std::vector<std::string>& known,
                         std::size_t limit) {
  // Close enough to be a typo: at most a third of the characters (at least
  // one) edited, and something left in common. Ties go to a name with the
  // same first character, then to the alphabetically first.
  std::u32string target = decode(name);
  if (limit == 0) limit = std::max<std::size_t>(1, target.size() / 3);
  std::string best;
  std::size_t best_distance = limit + 1;
  bool best_same_start = false;
  for (const std::string& k : known) {
    if (k == name) continue;
    std::u32string candidate = decode(k);
    std::size_t d = edit_distance(target, candidate);
    if (d >= std::max(target.size(), candidate.size())) continue;
    bool same_start = !candidate.empty() && !target.empty() && candidate[0] == target[0];
    bool better = d < best_distance || (d == best_distance && same_start && !best_same_start) ||
                  (d == best_distance && same_start == best_same_start && k < best);
    if (better) {
      best = k;
      best_distance = d;
      best_same_start = same_start;
    }
  }
  return best;
}

std::string unknown_name_message(const std::string& name, const std::vector<std::string>& known) {
  std::string message = "unknown name '" + name + "'";
  // hₜ₋1: a step whose digits were typed on the line, not as subscripts; the
  // name meant is hₜ₋₁, an earlier (or later) step of a known hₜ.
  std::size_t digits = name.size();
  while (digits > 0 && name[digits - 1] >= '0' && name[digits - 1] <= '9') --digits;
  for (const std::string sign : {"₋", "₊"}) {
    const std::string mark = "ₜ" + sign;
    if (digits == name.size() || digits < mark.size() ||
        name.compare(digits - mark.size(), mark.size(), mark) != 0)
      continue;
    const std::string now = name.substr(0, digits - sign.size());
    if (std::find(known.begin(), known.end(), now) == known.end()) continue;
    std::string meant = name.substr(0, digits);
    for (std::size_t i = digits; i < name.size(); ++i)
      append_utf8(meant, static_cast<char32_t>(U'\u2080' + (name[i] - '0')));
    return message + "; did you mean '" + meant + "' (the step's digits as subscripts too)?";
  }
  if (const auto alike = look_alike_name(name, known)) {
    if (alike->written_suspect)
      return message + odd_character_note(name, alike->written) + "; did you mean '" +
             alike->known + "'?";
    return message + "; did you mean '" + alike->known + "'" +
           odd_character_note(alike->known, alike->meant) + "?";
  }
  const std::string near = nearest_name(name, known);
  if (!near.empty()) message += "; did you mean '" + near + "'?";
  return message;
}

}  // namespace eq
