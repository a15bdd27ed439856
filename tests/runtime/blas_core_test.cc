// Which OpenBLAS core eq asks for: advise_core() over every case (CPU
// features × the core OpenBLAS picked × the environment), and this
// machine's CPU features against /proc/cpuinfo, an independent reader.
// The re-exec itself is tested end to end by blas_reexec_test.sh.
#include "eq/runtime/blas_core.hpp"

#include <catch2/catch.hpp>
#include <fstream>
#include <set>
#include <sstream>
#include <string>

using eq::blas::BlasFacts;
using eq::blas::CoreAdvice;
using eq::blas::CpuFeatures;

namespace {

CpuFeatures avx512() { return {true, true, true, true, true, true}; }
CpuFeatures avx2() { return {true, true, false, false, false, false}; }
CpuFeatures sse_only() { return {}; }

BlasFacts facts(CpuFeatures cpu, std::string picked) {
  BlasFacts f;
  f.cpu = cpu;
  f.picked = std::move(picked);
  return f;
}

bool reexec_to(const CoreAdvice& a, const std::string& core) {
  return a.action == CoreAdvice::Action::reexec && a.core == core;
}
bool keeps(const CoreAdvice& a) { return a.action == CoreAdvice::Action::keep && a.core.empty(); }

}  // namespace

TEST_CASE("core_for: SkylakeX needs all four AVX-512 parts, Haswell AVX2 and FMA",
          "[runtime][blas_core]") {
  CHECK(eq::blas::core_for(avx512()) == "SkylakeX");
  CHECK(eq::blas::core_for(avx2()) == "Haswell");
  CHECK(eq::blas::core_for(sse_only()).empty());
  CpuFeatures knl = avx512();  // AVX-512F without BW/DQ/VL (Knights Landing)
  knl.avx512bw = knl.avx512dq = knl.avx512vl = false;
  CHECK(eq::blas::core_for(knl) == "Haswell");
  CpuFeatures no_fma = avx2();
  no_fma.fma = false;
  CHECK(eq::blas::core_for(no_fma).empty());
}

TEST_CASE("advise_core re-executes when OpenBLAS fell back to older kernels",
          "[runtime][blas_core]") {
  // The case of issue 15: a Xeon that OpenBLAS 0.3.21 does not know.
  CoreAdvice a = eq::blas::advise_core(facts(avx512(), "Prescott"));
  CHECK(reexec_to(a, "SkylakeX"));
  CHECK(a.why == "OpenBLAS chose its Prescott (pre-AVX2) kernels on a CPU with AVX-512");
  // AVX2 kernels where AVX-512 ones would run.
  a = eq::blas::advise_core(facts(avx512(), "Haswell"));
  CHECK(reexec_to(a, "SkylakeX"));
  CHECK(a.why == "OpenBLAS chose its Haswell (AVX2) kernels on a CPU with AVX-512");
  CHECK(reexec_to(eq::blas::advise_core(facts(avx512(), "Zen")), "SkylakeX"));
  CHECK(reexec_to(eq::blas::advise_core(facts(avx2(), "Prescott")), "Haswell"));
  CHECK(reexec_to(eq::blas::advise_core(facts(avx2(), "Sandybridge")), "Haswell"));
  CHECK(reexec_to(eq::blas::advise_core(facts(avx2(), "Excavator")), "Haswell"));
  CHECK(reexec_to(eq::blas::advise_core(facts(avx2(), "Core2")), "Haswell"));
}

TEST_CASE("advise_core keeps kernels that already fit", "[runtime][blas_core]") {
  CoreAdvice a = eq::blas::advise_core(facts(avx512(), "SkylakeX"));
  CHECK(keeps(a));
  CHECK(a.why == "chosen by OpenBLAS; fits the CPU (AVX-512)");
  CHECK(keeps(eq::blas::advise_core(facts(avx512(), "Cooperlake"))));
  CHECK(keeps(eq::blas::advise_core(facts(avx512(), "SapphireRapids"))));
  CHECK(keeps(eq::blas::advise_core(facts(avx2(), "Haswell"))));
  CHECK(keeps(eq::blas::advise_core(facts(avx2(), "Zen"))));
  // Newer kernels than the CPU's best are OpenBLAS's business, not ours.
  CHECK(keeps(eq::blas::advise_core(facts(avx2(), "SkylakeX"))));
  // Nothing to gain on a CPU without AVX2, whatever OpenBLAS picked.
  a = eq::blas::advise_core(facts(sse_only(), "Prescott"));
  CHECK(keeps(a));
  CHECK(a.why == "chosen by OpenBLAS; the CPU has neither AVX2+FMA nor AVX-512");
  // A core name from a newer OpenBLAS is not guessed at.
  a = eq::blas::advise_core(facts(avx512(), "Emeraldrapids"));
  CHECK(keeps(a));
  CHECK(a.why == "chosen by OpenBLAS; a core eq does not know, left alone");
}

TEST_CASE("advise_core: the user's OPENBLAS_CORETYPE always wins", "[runtime][blas_core]") {
  BlasFacts f = facts(avx512(), "Prescott");
  f.coretype_env = "Prescott";  // OpenBLAS honoured it: the picked core is the user's
  CoreAdvice a = eq::blas::advise_core(f);
  CHECK(keeps(a));
  CHECK(a.why == "OPENBLAS_CORETYPE set by the user");
}

TEST_CASE("advise_core never re-executes twice", "[runtime][blas_core]") {
  // After eq's own re-exec: the variable and the marker are set.
  BlasFacts f = facts(avx512(), "SkylakeX");
  f.coretype_env = "SkylakeX";
  f.reexec_env = "Haswell";
  CoreAdvice a = eq::blas::advise_core(f);
  CHECK(keeps(a));
  CHECK(a.why == "set by eq at start-up; OpenBLAS alone picked Haswell");
  // Even if something removed OPENBLAS_CORETYPE, or OpenBLAS ignored it.
  f = facts(avx512(), "Prescott");
  f.reexec_env = "Prescott";
  a = eq::blas::advise_core(f);
  CHECK(keeps(a));
  CHECK(a.why ==
        "EQ_BLAS_REEXEC is set but OPENBLAS_CORETYPE is not: already re-executed once, "
        "not again");
}

TEST_CASE("advise_core keeps an OpenBLAS built for one core", "[runtime][blas_core]") {
  BlasFacts f = facts(avx512(), "Prescott");
  f.dynamic_arch = false;
  CoreAdvice a = eq::blas::advise_core(f);
  CHECK(keeps(a));
  CHECK(a.why ==
        "OpenBLAS is built for one core (no DYNAMIC_ARCH): OPENBLAS_CORETYPE would not be read");
}

TEST_CASE("cpu_features agrees with /proc/cpuinfo", "[runtime][blas_core]") {
  std::ifstream in("/proc/cpuinfo");
  std::string line, flags_line;
  while (std::getline(in, line))
    if (line.rfind("flags", 0) == 0) {
      flags_line = line;
      break;
    }
  if (flags_line.empty()) {
    WARN("no x86 flags line in /proc/cpuinfo: not checked");
    return;
  }
  std::set<std::string> flags;
  std::istringstream words(flags_line.substr(flags_line.find(':') + 1));
  for (std::string w; words >> w;) flags.insert(w);
  const CpuFeatures c = eq::blas::cpu_features();
  CHECK(c.avx2 == (flags.count("avx2") == 1));
  CHECK(c.fma == (flags.count("fma") == 1));
  CHECK(c.avx512f == (flags.count("avx512f") == 1));
  CHECK(c.avx512bw == (flags.count("avx512bw") == 1));
  CHECK(c.avx512dq == (flags.count("avx512dq") == 1));
  CHECK(c.avx512vl == (flags.count("avx512vl") == 1));
}

TEST_CASE("blas_facts reads OpenBLAS and the environment", "[runtime][blas_core]") {
  const BlasFacts f = eq::blas::blas_facts();
  CHECK_FALSE(f.picked.empty());
  const std::string config = eq::blas::blas_config();
  CHECK(config.rfind("OpenBLAS ", 0) == 0);
  CHECK(f.dynamic_arch == (config.find("DYNAMIC_ARCH") != std::string::npos));
  // The test main re-executes like eqc, so the process runs on the core eq
  // advises: what it runs on now must need no further change.
  CHECK(eq::blas::advise_core(f).action == CoreAdvice::Action::keep);
}
