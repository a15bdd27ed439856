// What to write instead, for the calls a newcomer from another framework
// writes: a function eq spells another way (`concat(a, b)` is `[a, b]`,
// `layer_norm(x)` is written out with `mean(…, axis = -1)`), and a keyword
// argument a built-in does not take (`softmax(x, axis = -1)`,
// `dropout(x, p = 0.5)`). The text completes the diagnostics of
// lower/expr.cc; docs/language.md §2 and §9 are what it points to.
#pragma once

#include <string>
#include <string_view>
#include <vector>

namespace eq::lower {

// How eq writes what `name` does in other frameworks, or "" when `name` is
// not one of those. Matched without regard to case or underscores, so
// LayerNorm, layer_norm and layernorm get the same hint.
std::string foreign_function_hint(std::string_view name);

// The built-in spelling that differs from `name` only in case (Gelu → gelu,
// SoftMax → softmax), or "".
std::string builtin_in_other_case(std::string_view name);

// What to write instead of the keyword argument `keyword` that the built-in
// `function` (its canonical name: "softmax", "dropout") does not take, or ""
// when there is nothing to add to "has no argument named …". `written` is
// the callee as written, `positional` the texts of the positional arguments
// and `values` those of the keyword arguments, in order: dropout(x, p = 0.5)
// is to be written dropout(x, 0.5), softmax(x, axis = -1) softmax(x).
std::string keyword_hint(std::string_view function, std::string_view keyword,
                         std::string_view written, const std::vector<std::string>& positional,
                         const std::vector<std::string>& values);

}  // namespace eq::lower
