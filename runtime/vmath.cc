// The block functions of vmath.hpp: one loop per function and type over the
// one-element forms. The loops vectorise with the kernel flags of
// runtime/CMakeLists.txt (SSE2 on the generic x86-64 baseline). On x86-64
// each loop is also cloned for AVX2 and picked at load time (ifunc): twice
// the lanes, and the same bits, since AVX2 alone brings no FMA.
#include "eq/runtime/vmath.hpp"

#include "eq/runtime/vmath_core.hpp"
#include "eq/runtime/vmath_erf.hpp"

#if defined(__x86_64__) && defined(__GNUC__) && !defined(__clang__)
#define EQ_VMATH_CLONES __attribute__((target_clones("avx2", "default")))
#else
#define EQ_VMATH_CLONES
#endif

namespace eq::vmath {

#define EQ_X(name)                                                        \
  EQ_VMATH_CLONES void name(const float* x, float* y, std::int64_t n) {   \
    for (std::int64_t i = 0; i < n; ++i) y[i] = name##_one(x[i]);         \
  }                                                                       \
  EQ_VMATH_CLONES void name(const double* x, double* y, std::int64_t n) { \
    for (std::int64_t i = 0; i < n; ++i) y[i] = name##_one(x[i]);         \
  }
EQ_VMATH_FUNCTIONS(EQ_X)
#undef EQ_X

// The clones' resolver picks "avx2" when the CPU supports it (GCC's
// target_clones asks __builtin_cpu_supports, as here).
const char* path() {
#if defined(__x86_64__) && defined(__GNUC__) && !defined(__clang__)
  __builtin_cpu_init();
  return __builtin_cpu_supports("avx2") ? "avx2" : "default";
#else
  return "default";
#endif
}

}  // namespace eq::vmath
