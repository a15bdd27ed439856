// A program that starts as eqc does, for blas_reexec_test.sh. Every start
// prints one line `start CORETYPE MARKER ADVICE` ("-" for an unset
// variable), then the program re-executes as advised and finally prints
// `core NAME`, the kernels OpenBLAS runs. With --pretend-prescott the CPU is
// taken to have AVX-512 and OpenBLAS to have picked Prescott, so the re-exec
// path runs on any machine; the environment is always the real one, so the
// loop guard is the one eqc relies on.
#include <cblas.h>

#include <cstdio>
#include <cstdlib>
#include <cstring>

#include "eq/runtime/blas_core.hpp"

namespace {
const char* env_or_dash(const char* name) {
  const char* v = std::getenv(name);
  return v && *v ? v : "-";
}
}  // namespace

int main(int argc, char** argv) {
  eq::blas::BlasFacts facts = eq::blas::blas_facts();
  if (argc > 1 && std::strcmp(argv[1], "--pretend-prescott") == 0) {
    facts.cpu = {true, true, true, true, true, true};
    facts.picked = "Prescott";
  }
  const eq::blas::CoreAdvice advice = eq::blas::advise_core(facts);
  std::printf("start %s %s %s\n", env_or_dash(eq::blas::kCoretypeVariable),
              env_or_dash(eq::blas::kReexecMarker),
              advice.action == eq::blas::CoreAdvice::Action::reexec ? advice.core.c_str() : "keep");
  eq::blas::reexec_as_advised(advice, facts.picked, argv);
  std::printf("core %s\n", openblas_get_corename());
  return 0;
}
