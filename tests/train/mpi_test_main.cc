// The Catch2 main of tests that run under mpirun (mpi_train_test.cc): every
// rank runs the same test cases, whose collectives meet; the program fails
// on every rank when a check failed on any.
#define CATCH_CONFIG_RUNNER
#include <catch2/catch.hpp>

#include "eq/train/mpi_communicator.hpp"

namespace eq::testing {
Communicator* world = nullptr;
}

int main(int argc, char** argv) {
  eq::MpiCommunicator world;
  eq::testing::world = &world;
  std::int64_t failed = Catch::Session().run(argc, argv) != 0;
  world.allreduce_sum(std::span(&failed, 1));
  return failed ? 1 : 0;
}
