#include "eq/train/vocabulary.hpp"

#include "eq/runtime/data.hpp"
#include "eq/runtime/error.hpp"
#include "eq/runtime/utf8.hpp"

namespace eq {

std::vector<std::string> vocabulary_symbols(std::string_view vocabulary, const std::string& where,
                                            std::int64_t classes) {
  std::vector<std::string> out;
  char32_t last = 0;
  for (std::size_t i = 0; i < vocabulary.size();) {
    char32_t cp = 0;
    const int len = utf8::decode(vocabulary, i, cp);
    if (len == 0) throw Error(where + ": the saved vocabulary is not valid UTF-8");
    if (!out.empty() && cp <= last)
      throw Error(where +
                  ": the saved vocabulary is not in code-point order (the file is damaged "
                  "or was not written by eq)");
    out.push_back(utf8::encode(cp));
    last = cp;
    i += static_cast<std::size_t>(len);
  }
  if (classes >= 0 && static_cast<std::int64_t>(out.size()) != classes)
    throw Error(where + ": the saved vocabulary has " + std::to_string(out.size()) +
                " symbols but the model's input takes " + std::to_string(classes));
  return out;
}

Tensor encode_text(std::string_view text, std::string_view vocabulary, const std::string& where,
                   const std::string& what) {
  vocabulary_symbols(vocabulary, where);  // text_to_symbols assumes a sorted vocabulary
  if (text.starts_with("\xEF\xBB\xBF")) text.remove_prefix(3);
  if (text.empty()) throw Error(what + ": the file is empty");
  return text_to_symbols(text, vocabulary, what);
}

}  // namespace eq
