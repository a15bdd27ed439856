// pass_tests' operator new, counting every heap allocation while
// `counting` is set (in its own file, so no caller's delete is inlined
// next to it).
#include <atomic>
#include <cstdlib>
#include <new>

namespace eq::testing {
std::atomic<long> allocations{0};
std::atomic<bool> counting{false};
}  // namespace eq::testing

void* operator new(std::size_t size) {
  if (eq::testing::counting) ++eq::testing::allocations;
  if (void* p = std::malloc(size ? size : 1)) return p;
  throw std::bad_alloc();
}
void operator delete(void* p) noexcept { std::free(p); }
void operator delete(void* p, std::size_t) noexcept { std::free(p); }
