#include "eq/compiler/lower/call_hints.hpp"

#include "eq/grammar/builtins.hpp"

namespace eq::lower {

namespace {

// Names of other frameworks (lower case, no underscores, separated by
// spaces) and how eq writes the same thing. Only names a user of PyTorch,
// NumPy or JAX reaches for when writing the models of §9.
struct Foreign {
  std::string_view names;
  std::string_view hint;
};
constexpr Foreign kForeign[] = {
    {"concat concatenate cat hstack",
     "join values along their last axis with [a, b] (docs/language.md §9.3)"},
    {"layernorm",
     "write the normalisation out: μ = mean(x, axis = -1), then "
     "(x - μ)/√(mean((x - μ)², axis = -1) + ε) (docs/language.md §9.2)"},
    {"batchnorm",
     "nothing in eq mixes the examples of a batch (§5); normalise within one "
     "example with mean(…, axis = k) (docs/language.md §9.2)"},
    {"maskedfill mask masked",
     "choose elementwise with where(mask, x, value) (docs/language.md §9.4)"},
    {"matmul mm bmm dot", "write the product a·b (docs/language.md §3)"},
    {"reshape flatten view ravel",
     "vec(X) lays a matrix out row after row as one vector (docs/language.md §9.3)"},
    {"attention selfattention", "write it as printed: softmax(Q·Kᵀ/√d)·V (docs/language.md §9.1)"},
    {"randn rand normal gaussian uniform",
     "noise is declared, not called: noise ε : [n] ~ normal(0, 1), then use ε (docs/language.md "
     "§9.6)"},
    {"pow power", "write x^k"},
    {"argmax argmin", "eq has no argmax; `eqc predict` writes each example's likeliest class"},
};

// `name` folded for matching: ASCII letters in lower case, underscores dropped.
std::string folded(std::string_view name) {
  std::string out;
  for (char c : name) {
    if (c == '_') continue;
    out += (c >= 'A' && c <= 'Z') ? static_cast<char>(c - 'A' + 'a') : c;
  }
  return out;
}

bool listed(std::string_view names, std::string_view word) {
  while (!names.empty()) {
    const std::size_t space = names.find(' ');
    if (names.substr(0, space) == word) return true;
    names = space == std::string_view::npos ? "" : names.substr(space + 1);
  }
  return false;
}

}  // namespace

std::string foreign_function_hint(std::string_view name) {
  const std::string word = folded(name);
  for (const Foreign& f : kForeign)
    if (listed(f.names, word)) return std::string(f.hint);
  return "";
}

std::string builtin_in_other_case(std::string_view name) {
  const std::string word = folded(name);
  for (const BuiltinSpelling& b : kBuiltins)
    if (b.is_name && b.spelling != name && folded(b.spelling) == word)
      return std::string(b.spelling);
  return "";
}

std::string keyword_hint(std::string_view function, std::string_view keyword,
                         std::string_view written, const std::vector<std::string>& positional,
                         const std::vector<std::string>& values) {
  auto call = [&](bool with_values) {
    std::string out = std::string(written) + "(";
    std::vector<std::string> all = positional;
    if (with_values) all.insert(all.end(), values.begin(), values.end());
    for (std::size_t i = 0; i < all.size(); ++i) out += (i ? ", " : "") + all[i];
    return out + ")";
  };
  if ((function == "softmax" || function == "logsoftmax") && keyword == "axis")
    return "it always works along the last axis, one row at a time: write " + call(false);
  if (function == "dropout" || function == "clip" || function == "where")
    return "its arguments are given in order, without names: write " + call(true);
  return "";
}

}  // namespace eq::lower
