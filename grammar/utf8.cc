// Strict UTF-8 decoding; see utf8.hpp.
#include "grammar/utf8.hpp"

namespace eq {

int decode_utf8(const char* p, const char* end, char32_t* cp) {
  const auto* s = reinterpret_cast<const unsigned char*>(p);
  const std::ptrdiff_t avail = end - p;
  const unsigned char b0 = s[0];
  *cp = kInvalidCodePoint;
  if (b0 < 0x80) {
    *cp = b0;
    return 1;
  }
  int len;
  char32_t min, value;
  if (b0 >= 0xC2 && b0 <= 0xDF) {
    len = 2, min = 0x80, value = b0 & 0x1F;
  } else if (b0 >= 0xE0 && b0 <= 0xEF) {
    len = 3, min = 0x800, value = b0 & 0x0F;
  } else if (b0 >= 0xF0 && b0 <= 0xF4) {
    len = 4, min = 0x10000, value = b0 & 0x07;
  } else {
    return 1;
  }
  if (avail < len) return 1;
  for (int i = 1; i < len; ++i) {
    if ((s[i] & 0xC0) != 0x80) return 1;
    value = (value << 6) | (s[i] & 0x3F);
  }
  // Overlong forms, UTF-16 surrogates and values past U+10FFFF are not text.
  if (value < min || value > 0x10FFFF || (value >= 0xD800 && value <= 0xDFFF)) return 1;
  *cp = value;
  return len;
}

void append_utf8(std::string& out, char32_t cp) {
  if (cp < 0x80) {
    out += static_cast<char>(cp);
  } else if (cp < 0x800) {
    out += static_cast<char>(0xC0 | (cp >> 6));
    out += static_cast<char>(0x80 | (cp & 0x3F));
  } else if (cp < 0x10000) {
    out += static_cast<char>(0xE0 | (cp >> 12));
    out += static_cast<char>(0x80 | ((cp >> 6) & 0x3F));
    out += static_cast<char>(0x80 | (cp & 0x3F));
  } else {
    out += static_cast<char>(0xF0 | (cp >> 18));
    out += static_cast<char>(0x80 | ((cp >> 12) & 0x3F));
    out += static_cast<char>(0x80 | ((cp >> 6) & 0x3F));
    out += static_cast<char>(0x80 | (cp & 0x3F));
  }
}

std::size_t find_invalid_utf8(const std::string& text) {
  const char* begin = text.data();
  const char* end = begin + text.size();
  for (const char* p = begin; p < end;) {
    if (static_cast<unsigned char>(*p) < 0x80) {
      ++p;
      continue;
    }
    char32_t cp;
    const int len = decode_utf8(p, end, &cp);
    if (cp == kInvalidCodePoint) return static_cast<std::size_t>(p - begin);
    p += len;
  }
  return std::string::npos;
}

}  // namespace eq
