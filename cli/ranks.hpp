// Processes for `eqc train`: `--ranks N` starts the run on N processes of
// this machine through Open MPI's mpirun, for users who do not know MPI;
// and the BLAS threads each process takes when nobody said.
#pragma once

#include <string>
#include <vector>

namespace eq::cli {

// Whether an MPI launcher (mpirun, srun, …) started this process.
bool started_by_mpi_launcher();

// Runs `mpirun -np ranks … <this eqc> train ARGS` and returns its exit
// status (128 + the signal if a process was killed, which it reports).
// `args` are train's arguments
// without --ranks. mpirun is found on PATH; --oversubscribe is added when
// `ranks` exceeds the cores this process may use; processes are not bound
// to cores (each takes cores / ranks BLAS threads). As root, Open MPI's
// consent variables (OMPI_ALLOW_RUN_AS_ROOT, …_CONFIRM) are set for mpirun
// alone. Throws eq::Error when mpirun cannot be found or started.
int run_on_ranks(int ranks, const std::vector<std::string>& args);

// BLAS threads for one of `ranks` processes when neither --threads nor
// OPENBLAS_NUM_THREADS says: the cores this process may run on, divided
// among the ranks on this machine (OMPI_COMM_WORLD_LOCAL_SIZE, else all).
int threads_per_rank(int ranks);

}  // namespace eq::cli
