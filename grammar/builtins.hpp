// Reserved words of the language, in one place (docs/language.md §1, §2, §9).
//
// kBuiltins lists every spelling of a built-in function with the function it
// names; the compiler's op table maps the function names to ops. Spellings
// that are operators rather than names (`√`, `‖·‖`, `ᵀ`) are listed with
// is_name = false. The lexer (lexer.re) spells the same names as rules; a
// test checks that both lists agree.
#pragma once

#include <string_view>

namespace eq {

struct BuiltinSpelling {
  std::string_view spelling;  // as written, NFC
  std::string_view function;  // the function's ASCII name
  bool is_name;               // false for operator spellings
};

inline constexpr BuiltinSpelling kBuiltins[] = {
    {"σ", "sigmoid", true},
    {"sigmoid", "sigmoid", true},
    {"tanh", "tanh", true},
    {"relu", "relu", true},
    {"softplus", "softplus", true},
    {"exp", "exp", true},
    {"log", "log", true},
    {"ln", "log", true},
    {"log1p", "log1p", true},
    {"expm1", "expm1", true},
    {"sqrt", "sqrt", true},
    {"√", "sqrt", false},
    {"abs", "abs", true},
    {"sin", "sin", true},
    {"cos", "cos", true},
    {"square", "square", true},
    {"softmax", "softmax", true},
    {"logsoftmax", "logsoftmax", true},
    {"Σ", "sum", true},
    {"sum", "sum", true},
    {"mean", "mean", true},
    {"max", "max", true},
    {"min", "min", true},
    {"norm", "norm", true},
    {"‖·‖", "norm", false},
    {"transpose", "transpose", true},
    {"ᵀ", "transpose", false},
    // docs/language.md §9
    {"where", "where", true},
    {"clip", "clip", true},
    {"logsumexp", "logsumexp", true},
    {"erf", "erf", true},
    {"gelu", "gelu", true},
    {"elu", "elu", true},
    {"leaky_relu", "leaky_relu", true},
    {"sign", "sign", true},
    {"floor", "floor", true},
    {"dropout", "dropout", true},
    {"vec", "vec", true},
};

// Statement keywords; `onehot` is not reserved (it is recognised only before
// `[` in a type).
inline constexpr std::string_view kKeywords[] = {"dim",   "input",  "target", "param", "state",
                                                 "const", "output", "noise",  "train"};

// The entry for a name spelling (is_name only), or nullptr.
inline const BuiltinSpelling* find_builtin(std::string_view spelling) {
  for (const BuiltinSpelling& b : kBuiltins)
    if (b.is_name && b.spelling == spelling) return &b;
  return nullptr;
}

inline bool is_keyword(std::string_view word) {
  for (std::string_view k : kKeywords)
    if (k == word) return true;
  return false;
}

}  // namespace eq
