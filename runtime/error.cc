#include "eq/runtime/error.hpp"

#include "eq/runtime/checked.hpp"

namespace eq {

void internal_failure(const char* file, int line, const char* condition,
                      const std::string& message) {
  throw InternalError(std::string("internal error at ") + file + ":" + std::to_string(line) +
                      ": check `" + condition + "` failed" +
                      (message.empty() ? std::string() : ": " + message) +
                      "\nThis is a bug in eq, not in your model; please report it.");
}

void throw_too_large(std::string_view figure) {
  throw Error(std::string(figure) + " is larger than this machine can address");
}

}  // namespace eq
