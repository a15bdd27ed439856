// What every libFuzzer target here shares: the contract that a reader given
// arbitrary bytes either returns or throws eq::Error. Anything else — a
// crash, a sanitizer report, another exception (which escapes and aborts),
// or an internal-check failure (eq::InternalError, a bug of ours) — is a
// finding. Build and run: README.md, section "Fuzzing".
#pragma once

#include <cstddef>
#include <cstdint>
#include <string_view>

#include "eq/runtime/error.hpp"

namespace eq::fuzz {

inline std::string_view bytes(const std::uint8_t* data, std::size_t size) {
  return {reinterpret_cast<const char*>(data), size};
}

// Runs f(); an eq::Error is the expected way to refuse bad input.
template <class F>
void expect_only_user_errors(F&& f) {
  try {
    f();
  } catch (const eq::Error&) {
  }
}

}  // namespace eq::fuzz
