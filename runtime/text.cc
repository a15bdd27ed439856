// Text as a sequence of character symbols (data.hpp). The vocabulary is the
// sorted set of the text's code points, so it depends only on which
// characters occur — the same text always gives the same numbering.
#include <algorithm>
#include <cstdio>

#include "eq/runtime/data.hpp"
#include "eq/runtime/error.hpp"
#include "eq/runtime/file_io.hpp"
#include "eq/runtime/utf8.hpp"

namespace eq {
namespace {

std::string invalid_byte_message(std::string_view bytes, std::size_t at) {
  char hex[8];
  std::snprintf(hex, sizeof hex, "0x%02x", static_cast<unsigned char>(bytes[at]));
  return std::string("invalid UTF-8 (byte ") + hex + ")";
}

// The code points of valid UTF-8.
std::u32string decode_all(std::string_view bytes) {
  std::u32string out;
  out.reserve(bytes.size());
  char32_t cp;
  for (std::size_t i = 0; i < bytes.size();) {
    int n = utf8::decode(bytes, i, cp);
    EQ_ASSERT(n > 0, "decode_all on invalid UTF-8");
    out.push_back(cp);
    i += static_cast<std::size_t>(n);
  }
  return out;
}

std::string describe(char32_t cp) {
  char code[16];
  std::snprintf(code, sizeof code, "U+%04X", static_cast<unsigned>(cp));
  if (cp < 0x20 || cp == 0x7F) return code;  // a control character would not print
  return "'" + utf8::encode(cp) + "' (" + code + ")";
}

}  // namespace

std::string TextData::vocabulary_utf8() const {
  std::string out;
  for (char32_t cp : vocabulary) utf8::append(out, cp);
  return out;
}

TextData parse_text(std::string_view bytes, const std::string& path) {
  if (bytes.starts_with("\xEF\xBB\xBF")) bytes.remove_prefix(3);
  if (std::size_t bad = utf8::find_invalid(bytes); bad != std::string_view::npos)
    throw Error(located_error(path, bytes, bad, 1, invalid_byte_message(bytes, bad)));
  if (bytes.empty()) throw Error(path + ": the file is empty");

  std::u32string points = decode_all(bytes);
  TextData out;
  out.path = path;
  out.vocabulary.assign(points.begin(), points.end());
  std::sort(out.vocabulary.begin(), out.vocabulary.end());
  out.vocabulary.erase(std::unique(out.vocabulary.begin(), out.vocabulary.end()),
                       out.vocabulary.end());

  out.symbols = Tensor(DType::i32, Shape{static_cast<std::int64_t>(points.size())});
  std::int32_t* sym = out.symbols.data<std::int32_t>();
  for (std::size_t i = 0; i < points.size(); ++i)
    sym[i] = static_cast<std::int32_t>(
        std::lower_bound(out.vocabulary.begin(), out.vocabulary.end(), points[i]) -
        out.vocabulary.begin());
  return out;
}

TextData load_text(const std::string& path) { return parse_text(read_file(path), path); }

Tensor text_to_symbols(std::string_view text, std::string_view vocabulary_utf8,
                       std::string_view what) {
  if (std::size_t bad = utf8::find_invalid(vocabulary_utf8); bad != std::string_view::npos)
    throw Error(std::string(what) + ": the vocabulary is not valid UTF-8");
  if (std::size_t bad = utf8::find_invalid(text); bad != std::string_view::npos)
    throw Error(located_error(what, text, bad, 1, invalid_byte_message(text, bad)));
  std::u32string vocab = decode_all(vocabulary_utf8);
  EQ_ASSERT(std::is_sorted(vocab.begin(), vocab.end()), "a vocabulary is sorted");
  std::vector<std::int32_t> symbols;
  symbols.reserve(text.size());
  char32_t cp;
  for (std::size_t i = 0; i < text.size();) {
    const int n = utf8::decode(text, i, cp);
    EQ_ASSERT(n > 0, "text_to_symbols on invalid UTF-8");
    auto it = std::lower_bound(vocab.begin(), vocab.end(), cp);
    if (it == vocab.end() || *it != cp)
      throw Error(located_error(what, text, i, static_cast<std::size_t>(n),
                                "character " + describe(cp) + " is not in the model's vocabulary"));
    symbols.push_back(static_cast<std::int32_t>(it - vocab.begin()));
    i += static_cast<std::size_t>(n);
  }
  Tensor out(DType::i32, Shape{static_cast<std::int64_t>(symbols.size())});
  std::copy(symbols.begin(), symbols.end(), out.data<std::int32_t>());
  return out;
}

}  // namespace eq
