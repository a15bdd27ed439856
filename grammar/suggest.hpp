// "Did you mean …": the known name nearest to an unknown one, for the
// diagnostics of every stage (unknown names in equations, train keys,
// optimizer arguments, eqc's commands and options).
#pragma once

#include <cstddef>
#include <string>
#include <vector>

namespace eq {

// The known name closest to `name` (edit distance on characters), or "".
// A name is close when at most `limit` characters are edited — by default a
// third of the name's length (at least one) — and something is left in common.
std::string nearest_name(const std::string& name, const std::vector<std::string>& known,
                         std::size_t limit = 0);

// The message for a name nothing declares: "unknown name 'у'", then the
// known name it is spelt like but for look-alike characters (look_alike.hpp),
// with the odd character's code point — "unknown name 'у' (U+0443 CYRILLIC
// SMALL LETTER U); did you mean 'y'?" — else the nearest known name.
std::string unknown_name_message(const std::string& name, const std::vector<std::string>& known);

}  // namespace eq
