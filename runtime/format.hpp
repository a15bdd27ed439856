// Numbers as the .eq language writes them, for messages, describe(), eqc's
// reports and its CSV output. One written form everywhere: no '+' and no
// leading zeros in an exponent ("1e-5", not "1e-05").
#pragma once

#include <string>

namespace eq {

// The shortest text that reads back as the same double, with the exponent
// written as in .eq sources: "0.01", "1e-8" (std::to_chars says "1e-08").
std::string format_number(double x);

// The shortest text that reads back as the same float (an f32 value).
std::string format_float(float x);

// `x` rounded to `significant` digits, as printf's %.*g rounds it, in the
// same written form: format_number(0.000012345678, 6) is "1.23457e-5".
std::string format_number(double x, int significant);

}  // namespace eq
