#include "eq/runtime/format.hpp"

#include <charconv>
#include <cstdio>

#include "eq/runtime/error.hpp"

namespace eq {
namespace {

// "1e-08" → "1e-8", "1e+20" → "1e20".
std::string tidy_exponent(std::string s) {
  const std::size_t e = s.find('e');
  if (e != std::string::npos) {
    std::size_t digits = e + 1;
    if (digits < s.size() && (s[digits] == '-' || s[digits] == '+')) ++digits;
    if (s[e + 1] == '+') s.erase(e + 1, 1), --digits;
    while (digits + 1 < s.size() && s[digits] == '0') s.erase(digits, 1);
  }
  return s;
}

template <class T>
std::string shortest(T x) {
  char buf[32];
  auto [end, ec] = std::to_chars(buf, buf + sizeof buf, x);
  EQ_ASSERT(ec == std::errc(), "to_chars failed");
  return tidy_exponent(std::string(buf, end));
}

}  // namespace

std::string format_number(double x) { return shortest(x); }

std::string format_float(float x) { return shortest(x); }

std::string format_number(double x, int significant) {
  char buf[48];
  std::snprintf(buf, sizeof buf, "%.*g", significant, x);
  return tidy_exponent(buf);
}

}  // namespace eq
