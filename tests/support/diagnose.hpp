// The diagnostic a model's source gets when it is lowered, for the tests of
// error messages: the whole text of the eq::Error, or "no error".
#pragma once

#include <string>

#include "eq/compiler/lower/model.hpp"
#include "eq/runtime/error.hpp"

namespace eq::testing {

inline std::string diagnose(const std::string& source) {
  try {
    Model::from_source("m.eq", source);
  } catch (const Error& e) {
    return e.what();
  }
  return "no error";
}

}  // namespace eq::testing
