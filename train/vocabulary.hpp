// The text vocabulary saved with a time model's weights (checkpoint.hpp,
// eq.vocabulary): one UTF-8 string of the symbols in code-point order,
// symbol i being its i-th character. It comes from a file, so it is checked
// before use — valid UTF-8, sorted, no character twice — and a damaged one
// is an eq::Error naming the file, not a broken invariant.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "eq/runtime/tensor.hpp"

namespace eq {

// Each symbol's UTF-8 text, in order. `where` names the weights file;
// `classes` (when ≥ 0) is how many symbols the model's input takes.
std::vector<std::string> vocabulary_symbols(std::string_view vocabulary, const std::string& where,
                                            std::int64_t classes = -1);

// `text` (a leading BOM skipped) as i32 symbols of the vocabulary; a
// character outside it is an error naming `what` (the text's file).
Tensor encode_text(std::string_view text, std::string_view vocabulary, const std::string& where,
                   const std::string& what);

}  // namespace eq
