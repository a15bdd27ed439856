// The front end's UTF-8 helpers, on the one strict decoder of runtime/utf8.
#include "eq/grammar/utf8.hpp"

#include "eq/runtime/utf8.hpp"

namespace eq {

int decode_utf8(const char* p, const char* end, char32_t* cp) {
  char32_t value = 0;
  const int len = utf8::decode(std::string_view(p, static_cast<std::size_t>(end - p)), 0, value);
  if (len == 0) {
    *cp = kInvalidCodePoint;
    return 1;
  }
  *cp = value;
  return len;
}

void append_utf8(std::string& out, char32_t cp) { utf8::append(out, cp); }

std::size_t find_invalid_utf8(const std::string& text) { return utf8::find_invalid(text); }

}  // namespace eq
