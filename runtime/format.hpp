// Numbers as the .eq language writes them, for messages and describe().
#pragma once

#include <string>

namespace eq {

// The shortest text that reads back as the same double, with the exponent
// written as in .eq sources: "0.01", "1e-8" (std::to_chars says "1e-08").
std::string format_number(double x);

}  // namespace eq
