// The number of C++ heap allocations so far in a test executable that links
// tests/support/alloc_counter.cc (which replaces the global operator new).
#pragma once

namespace eq::testing {
long allocations();
}  // namespace eq::testing
