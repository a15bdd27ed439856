// Errors. Two kinds, kept apart on purpose (a user is shown a diagnostic, a bug
// is reported as ours):
//  - eq::Error: a user's mistake (bad input, bad shape, bad file). Its what()
//    is the whole diagnostic, ready to print.
//  - EQ_ASSERT: a broken invariant inside eq, i.e. a bug of ours. It throws
//    eq::InternalError naming the source file and line of the check.
#pragma once

#include <stdexcept>
#include <string>

namespace eq {

class Error : public std::runtime_error {
 public:
  explicit Error(const std::string& message) : std::runtime_error(message) {}
};

class InternalError : public std::logic_error {
 public:
  explicit InternalError(const std::string& message) : std::logic_error(message) {}
};

[[noreturn]] void internal_failure(const char* file, int line, const char* condition,
                                   const std::string& message);

}  // namespace eq

#define EQ_ASSERT(cond, message)                                               \
  do {                                                                         \
    if (!(cond)) ::eq::internal_failure(__FILE__, __LINE__, #cond, (message)); \
  } while (0)
