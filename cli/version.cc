// `eqc --version`: eq's version and what its products run on — the BLAS, the
// kernels ("core") it uses and why, its threads, and which clone of eq's own
// vector math this CPU runs. One `key: value` line each, for bug reports.
#include <cstdio>
#include <string>

#include "cli/commands.hpp"
#include "eq/runtime/blas.hpp"
#include "eq/runtime/blas_core.hpp"
#include "eq/runtime/vmath.hpp"

namespace eq::cli {

namespace {

std::string cpu_line(const blas::CpuFeatures& c) {
  std::string s;
  auto add = [&](bool has, const char* name) {
    if (!has) return;
    if (!s.empty()) s += " ";
    s += name;
  };
  add(c.avx2, "avx2");
  add(c.fma, "fma");
  add(c.avx512f, "avx512f");
  add(c.avx512bw, "avx512bw");
  add(c.avx512dq, "avx512dq");
  add(c.avx512vl, "avx512vl");
  return s.empty() ? "(none of avx2 fma avx512f/bw/dq/vl)" : s;
}

}  // namespace

int run_version(int argc, char** argv) {
  (void)argv;
  if (argc > 0) {
    std::fprintf(stderr, "eqc --version takes no arguments\n");
    return kUsage;
  }
  const blas::BlasFacts facts = blas::blas_facts();
  const blas::CoreAdvice advice = blas::advise_core(facts);
  std::printf("eqc %s\n", EQ_VERSION);
  std::printf("blas: %s\n", blas::blas_config().c_str());
  std::printf("core: %s (%s", facts.picked.c_str(), advice.why.c_str());
  if (advice.action == blas::CoreAdvice::Action::reexec)
    std::printf("; %s=%s would fit", blas::kCoretypeVariable, advice.core.c_str());
  std::printf(")\n");
  std::printf("threads: %d\n", blas::threads());
  std::printf("vmath: %s\n", vmath::path());
  std::printf("cpu: %s\n", cpu_line(facts.cpu).c_str());
  return kOk;
}

}  // namespace eq::cli
