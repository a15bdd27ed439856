// UTF-8 decoding shared by the source file, the lexer's error paths and the
// diagnostic renderer. Decoding is strict (RFC 3629): overlong forms,
// surrogates and code points above U+10FFFF are invalid.
#pragma once

#include <cstddef>
#include <string>

namespace eq {

// Marks a byte that does not start a valid UTF-8 sequence.
inline constexpr char32_t kInvalidCodePoint = 0xFFFFFFFF;

// Decodes the code point starting at p (p < end). Returns its length in bytes
// (1..4) and stores it in *cp; an invalid byte gives length 1 and
// kInvalidCodePoint, so a caller that steps by the returned length always
// advances.
int decode_utf8(const char* p, const char* end, char32_t* cp);

// Appends the UTF-8 encoding of cp (a valid scalar value) to out.
void append_utf8(std::string& out, char32_t cp);

// Byte offset of the first invalid sequence in text, or std::string::npos.
std::size_t find_invalid_utf8(const std::string& text);

}  // namespace eq
