// The one Catch2 main shared by every test executable. It starts as eqc
// does: when OpenBLAS's kernels are older than the CPU allows, it runs again
// with OPENBLAS_CORETYPE set (runtime/blas_core.hpp), so the kernel tests run
// on the kernels eq chooses. A user's OPENBLAS_CORETYPE wins, as for eqc.
#define CATCH_CONFIG_RUNNER
#include <catch2/catch.hpp>

#include "eq/runtime/blas_core.hpp"

int main(int argc, char** argv) {
  eq::blas::reexec_for_cpu(argv);
  return Catch::Session().run(argc, argv);
}
