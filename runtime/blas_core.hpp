// Which OpenBLAS kernels fit this CPU, and what to do when OpenBLAS chose
// worse ones.
//
// A DYNAMIC_ARCH OpenBLAS (Debian's) picks its kernels ("core") once, when
// it is loaded, from the CPU's vendor, family and model. A CPU newer than the
// library falls back to an older core: OpenBLAS 0.3.21 runs Prescott (SSE3)
// kernels on an AVX-512 Xeon of family 6 model 207, and sgemm is then about
// 2.5× slower than with its SkylakeX kernels. The only remedy is the variable
// OPENBLAS_CORETYPE, read when the library loads, so it must be in the
// environment before the process starts:
//   - eqc re-executes itself once with the variable set (reexec_for_cpu);
//   - a program embedding eq cannot re-exec its host, so check_blas_core()
//     warns once on stderr, naming the variable and the value to set.
// A user's own OPENBLAS_CORETYPE always wins. The decision is one pure
// function, advise_core(), so that every case is tested without the CPU.
#pragma once

#include <optional>
#include <string>
#include <string_view>

namespace eq::blas {

// What the CPU offers (cpuid and the OS's saved-state mask on x86-64;
// all false elsewhere).
struct CpuFeatures {
  bool avx2 = false, fma = false;
  bool avx512f = false, avx512bw = false, avx512dq = false, avx512vl = false;
  bool avx512() const { return avx512f && avx512bw && avx512dq && avx512vl; }
};
CpuFeatures cpu_features();

// Everything the decision looks at.
struct BlasFacts {
  CpuFeatures cpu;
  std::string picked;        // openblas_get_corename(): the core in use
  bool dynamic_arch = true;  // OpenBLAS reads OPENBLAS_CORETYPE (built with DYNAMIC_ARCH)
  std::optional<std::string> coretype_env;  // OPENBLAS_CORETYPE, when set and not empty
  std::optional<std::string> reexec_env;    // kReexecMarker, when set
};
// The facts of this process.
BlasFacts blas_facts();

// Set by reexec_for_cpu() in the re-executed process, holding the core
// OpenBLAS had picked by itself; it stops a second re-exec in any case.
inline constexpr const char* kReexecMarker = "EQ_BLAS_REEXEC";
inline constexpr const char* kCoretypeVariable = "OPENBLAS_CORETYPE";

struct CoreAdvice {
  enum class Action { keep, reexec };
  Action action = Action::keep;
  std::string core;  // reexec: the OPENBLAS_CORETYPE value to set
  std::string why;   // one line: why this core is in use, or why it should change
};

// The core that fits a CPU: "SkylakeX" with AVX-512 F/BW/DQ/VL, "Haswell"
// with AVX2 and FMA, "" when the CPU has neither (nothing to gain).
std::string core_for(const CpuFeatures& cpu);

// Pure. reexec when the user has not set OPENBLAS_CORETYPE, no re-exec has
// happened yet, OpenBLAS reads the variable, and the picked core is of an
// older instruction set than core_for(cpu) (an unknown core name is left
// alone); keep otherwise.
CoreAdvice advise_core(const BlasFacts& facts);

// eqc's start-up: reexec_as_advised(advise_core(blas_facts()), …).
void reexec_for_cpu(char** argv);

// When `advice` says reexec: sets OPENBLAS_CORETYPE to advice.core and
// kReexecMarker to `picked`, and execv's /proc/self/exe with argv. Returns
// only when nothing was to be done or the exec failed (then it warns as
// check_blas_core() does and the run goes on with the kernels it has). The
// re-executed process sees OPENBLAS_CORETYPE set, so advise_core keeps.
void reexec_as_advised(const CoreAdvice& advice, const std::string& picked, char** argv);

// For a program embedding eq: when OpenBLAS's kernels are older than the CPU
// allows, prints one warning to stderr (the first call only) naming
// OPENBLAS_CORETYPE and the value to set before the program starts.
// Returns the advice either way.
CoreAdvice check_blas_core();

// OpenBLAS's own description, e.g. "OpenBLAS 0.3.21 NO_LAPACKE DYNAMIC_ARCH
// NO_AFFINITY SkylakeX MAX_THREADS=64".
std::string blas_config();

}  // namespace eq::blas
