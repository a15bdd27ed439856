#include "runtime/format.hpp"

#include <charconv>

#include "runtime/error.hpp"

namespace eq {

std::string format_number(double x) {
  char buf[32];
  auto [end, ec] = std::to_chars(buf, buf + sizeof buf, x);
  EQ_ASSERT(ec == std::errc(), "to_chars failed");
  std::string s(buf, end);
  const std::size_t e = s.find('e');
  if (e != std::string::npos) {
    std::size_t digits = e + 1;
    if (digits < s.size() && (s[digits] == '-' || s[digits] == '+')) ++digits;
    if (s[e + 1] == '+') s.erase(e + 1, 1), --digits;
    while (digits + 1 < s.size() && s[digits] == '0') s.erase(digits, 1);
  }
  return s;
}

}  // namespace eq
