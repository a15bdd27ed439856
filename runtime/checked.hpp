// Overflow-checked size arithmetic. Every count of elements or bytes in eq is
// an int64; one computed from a user's dims or a file's header goes through
// checked_mul / checked_add, so a size past what the machine can address
// becomes an eq::Error stating the figure instead of a wrapped-around number
// that a buffer is then sized by:
//   "4611686018427387904 × 2 bytes is larger than this machine can address"
// Sizes are non-negative by construction (Shape refuses negative axes); the
// helpers are exact for any int64 operands all the same.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

#include "eq/runtime/error.hpp"

namespace eq {

// "<figure> is larger than this machine can address", as an eq::Error.
[[noreturn]] void throw_too_large(std::string_view figure);

// a × b, or the error "a × b <unit> is larger than this machine can address".
inline std::int64_t checked_mul(std::int64_t a, std::int64_t b, std::string_view unit = "bytes") {
  std::int64_t out;
  if (__builtin_mul_overflow(a, b, &out))
    throw_too_large(std::to_string(a) + " × " + std::to_string(b) + " " + std::string(unit));
  return out;
}

// a + b, or the error "a + b <unit> is larger than this machine can address".
inline std::int64_t checked_add(std::int64_t a, std::int64_t b, std::string_view unit = "bytes") {
  std::int64_t out;
  if (__builtin_add_overflow(a, b, &out))
    throw_too_large(std::to_string(a) + " + " + std::to_string(b) + " " + std::string(unit));
  return out;
}

}  // namespace eq
