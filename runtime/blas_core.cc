#include "eq/runtime/blas_core.hpp"

#include <cblas.h>
#include <strings.h>
#include <unistd.h>

#include <cstdio>
#include <cstdlib>
#include <mutex>

namespace eq::blas {

namespace {

// Instruction-set level of a core's kernels, in order.
enum class Level { older, avx2, avx512, unknown };

// OpenBLAS's core names (driver/others/dynamic.c, 0.3.21) by the widest
// instructions their kernels use. Excavator and the AVX cores (Sandybridge,
// Bulldozer…) are "older": their sgemm kernels predate AVX2+FMA.
Level level_of(std::string_view core) {
  static constexpr std::string_view kAvx512[] = {"SkylakeX", "Cooperlake", "SapphireRapids"};
  static constexpr std::string_view kAvx2[] = {"Haswell", "Zen"};
  static constexpr std::string_view kOlder[] = {
      "Prescott",     "Katmai",      "Coppermine", "Northwood",   "Banias", "Atom",
      "Core2",        "Penryn",      "Dunnington", "Nehalem",     "Athlon", "Opteron",
      "Opteron_SSE3", "Barcelona",   "Nano",       "Sandybridge", "Bobcat", "Bulldozer",
      "Piledriver",   "Steamroller", "Excavator",  "Generic",     "Unknown"};
  auto same = [&](std::string_view a) {
    return a.size() == core.size() && strncasecmp(a.data(), core.data(), a.size()) == 0;
  };
  for (std::string_view c : kAvx512)
    if (same(c)) return Level::avx512;
  for (std::string_view c : kAvx2)
    if (same(c)) return Level::avx2;
  for (std::string_view c : kOlder)
    if (same(c)) return Level::older;
  return Level::unknown;
}

std::string what_cpu_has(const CpuFeatures& cpu) {
  return cpu.avx512() ? "AVX-512" : "AVX2 and FMA";
}

std::string level_name(Level level) {
  switch (level) {
    case Level::avx512:
      return "AVX-512";
    case Level::avx2:
      return "AVX2";
    case Level::older:
      return "pre-AVX2";
    case Level::unknown:
      break;
  }
  return "unknown";
}

std::optional<std::string> env(const char* name) {
  const char* v = std::getenv(name);
  if (!v || !*v) return std::nullopt;
  return std::string(v);
}

void warn(const CoreAdvice& advice) {
  std::fprintf(stderr,
               "eq: warning: %s; set %s=%s in the environment before the program starts "
               "for faster matrix products\n",
               advice.why.c_str(), kCoretypeVariable, advice.core.c_str());
}

}  // namespace

CpuFeatures cpu_features() {
  CpuFeatures f;
#if defined(__x86_64__) && defined(__GNUC__)
  // __builtin_cpu_supports also checks that the OS saves the AVX / AVX-512
  // registers (XCR0), not only the cpuid bits.
  __builtin_cpu_init();
  f.avx2 = __builtin_cpu_supports("avx2");
  f.fma = __builtin_cpu_supports("fma");
  f.avx512f = __builtin_cpu_supports("avx512f");
  f.avx512bw = __builtin_cpu_supports("avx512bw");
  f.avx512dq = __builtin_cpu_supports("avx512dq");
  f.avx512vl = __builtin_cpu_supports("avx512vl");
#endif
  return f;
}

std::string blas_config() { return openblas_get_config(); }

BlasFacts blas_facts() {
  BlasFacts facts;
  facts.cpu = cpu_features();
  facts.picked = openblas_get_corename();
  facts.dynamic_arch = blas_config().find("DYNAMIC_ARCH") != std::string::npos;
  facts.coretype_env = env(kCoretypeVariable);
  facts.reexec_env = env(kReexecMarker);
  return facts;
}

std::string core_for(const CpuFeatures& cpu) {
  if (cpu.avx512()) return "SkylakeX";
  if (cpu.avx2 && cpu.fma) return "Haswell";
  return "";
}

CoreAdvice advise_core(const BlasFacts& f) {
  CoreAdvice keep;
  if (f.coretype_env) {
    keep.why = f.reexec_env ? "set by eq at start-up; OpenBLAS alone picked " + *f.reexec_env
                            : std::string(kCoretypeVariable) + " set by the user";
    return keep;
  }
  if (f.reexec_env) {
    keep.why = std::string(kReexecMarker) + " is set but " + kCoretypeVariable +
               " is not: already re-executed once, not again";
    return keep;
  }
  if (!f.dynamic_arch) {
    keep.why = std::string("OpenBLAS is built for one core (no DYNAMIC_ARCH): ") +
               kCoretypeVariable + " would not be read";
    return keep;
  }
  const std::string want = core_for(f.cpu);
  if (want.empty()) {
    keep.why = "chosen by OpenBLAS; the CPU has neither AVX2+FMA nor AVX-512";
    return keep;
  }
  const Level picked = level_of(f.picked);
  if (picked == Level::unknown) {
    keep.why = "chosen by OpenBLAS; a core eq does not know, left alone";
    return keep;
  }
  if (picked >= level_of(want)) {
    keep.why = "chosen by OpenBLAS; fits the CPU (" + what_cpu_has(f.cpu) + ")";
    return keep;
  }
  CoreAdvice change;
  change.action = CoreAdvice::Action::reexec;
  change.core = want;
  change.why = "OpenBLAS chose its " + f.picked + " (" + level_name(picked) +
               ") kernels on a CPU with " + what_cpu_has(f.cpu);
  return change;
}

void reexec_for_cpu(char** argv) {
  const BlasFacts facts = blas_facts();
  reexec_as_advised(advise_core(facts), facts.picked, argv);
}

void reexec_as_advised(const CoreAdvice& advice, const std::string& picked, char** argv) {
  if (advice.action != CoreAdvice::Action::reexec) return;
  if (setenv(kCoretypeVariable, advice.core.c_str(), 1) == 0 &&
      setenv(kReexecMarker, picked.c_str(), 1) == 0) {
    std::fflush(nullptr);  // nothing buffered may be printed twice
    execv("/proc/self/exe", argv);
  }
  // No /proc, or the binary is gone: run on with the kernels we have.
  unsetenv(kCoretypeVariable);
  unsetenv(kReexecMarker);
  warn(advice);
}

CoreAdvice check_blas_core() {
  const CoreAdvice advice = advise_core(blas_facts());
  static std::once_flag once;
  if (advice.action == CoreAdvice::Action::reexec) std::call_once(once, [&] { warn(advice); });
  return advice;
}

}  // namespace eq::blas
