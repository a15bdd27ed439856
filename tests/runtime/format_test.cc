// runtime/format: one written form for numbers — shortest round trips for
// doubles and floats, and %g rounding — with .eq's exponents.
#include "eq/runtime/format.hpp"

#include <catch2/catch.hpp>
#include <cmath>
#include <cstdlib>

using eq::format_float;
using eq::format_number;

TEST_CASE("numbers are written shortest, with tidy exponents", "[format]") {
  CHECK(format_number(0.01) == "0.01");
  CHECK(format_number(1e-8) == "1e-8");
  CHECK(format_number(1e20) == "1e20");
  CHECK(format_number(-2.5) == "-2.5");
  CHECK(format_number(0.1 + 0.2) == "0.30000000000000004");
  // Every double and float reads back exactly.
  for (double v : {1.0 / 3, 6.02214076e23, -1.7976931348623157e308, 5e-324})
    CHECK(std::strtod(format_number(v).c_str(), nullptr) == v);
  CHECK(format_float(0.1f) == "0.1");  // not 0.10000000149011612, the double of 0.1f
  CHECK(format_float(1.0f / 3) == "0.33333334");
  CHECK(std::strtof(format_float(1e-40f).c_str(), nullptr) == 1e-40f);
}

TEST_CASE("numbers rounded to significant digits read as %g, with tidy exponents", "[format]") {
  CHECK(format_number(0.000012345678, 6) == "1.23457e-5");
  CHECK(format_number(0.781488123, 6) == "0.781488");
  CHECK(format_number(123456789.0, 6) == "1.23457e8");
  CHECK(format_number(42.0, 6) == "42");
  CHECK(format_number(std::nan(""), 6) == "nan");
  CHECK(format_number(-INFINITY, 6) == "-inf");
}
