#include "cli/ranks.hpp"

#include <sched.h>
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <sstream>

#include "eq/runtime/error.hpp"

namespace eq::cli {
namespace {

// The cores this process may run on (its affinity, which containers and
// mpirun's binding narrow), at least 1.
int usable_cores() {
  cpu_set_t set;
  CPU_ZERO(&set);
  if (sched_getaffinity(0, sizeof set, &set) == 0) return std::max(1, CPU_COUNT(&set));
  return std::max(1L, sysconf(_SC_NPROCESSORS_ONLN));
}

// `name` on PATH, or "".
std::string on_path(const std::string& name) {
  const char* path = std::getenv("PATH");
  std::stringstream dirs(path ? path : "/usr/bin:/bin");
  for (std::string dir; std::getline(dirs, dir, ':');) {
    const std::string candidate = (dir.empty() ? "." : dir) + "/" + name;
    if (access(candidate.c_str(), X_OK) == 0) return candidate;
  }
  return "";
}

std::string this_program() {
  char buf[4096];
  const ssize_t n = readlink("/proc/self/exe", buf, sizeof buf - 1);
  if (n <= 0)
    throw Error("eqc: cannot find its own program (/proc/self/exe): " +
                std::string(std::strerror(errno)));
  return std::string(buf, static_cast<std::size_t>(n));
}

// Seconds mpirun gives the ranks between its SIGTERM and SIGKILL when it
// stops a job (Open MPI's odls_base_sigkill_timeout, 1 by default): time to
// finish the step in progress and save, as one process does on Ctrl-C.
// Short enough that a job whose rank was killed still ends within seconds
// (the others wait for the dead rank until SIGKILL).
constexpr int kSaveSeconds = 3;

// mpirun, while eqc waits for it.
volatile sig_atomic_t g_mpirun = 0;
volatile sig_atomic_t g_signalled = 0;

// SIGINT, SIGTERM or SIGHUP to eqc while mpirun runs, passed on to mpirun
// once: it stops the ranks with SIGTERM, and they save the run. mpirun runs
// in a process group of its own, so that no signal reaches it twice — from
// the terminal (Ctrl-C goes to the foreground group) or from a scheduler or
// `kill -- -PGID` signalling eqc's group: a second signal makes mpirun kill
// the ranks at once, before they save.
void pass_on(int sig, siginfo_t*, void*) {
  g_signalled = sig;
  if (g_mpirun > 0) kill(static_cast<pid_t>(g_mpirun), sig);
}

}  // namespace

bool started_by_mpi_launcher() {
  for (const char* var : {"OMPI_COMM_WORLD_SIZE", "PMIX_RANK", "PMI_RANK"})
    if (std::getenv(var)) return true;
  return false;
}

int run_on_ranks(int ranks, const std::vector<std::string>& args) {
  const std::string mpirun = on_path("mpirun");
  if (mpirun.empty())
    throw Error("eqc: --ranks " + std::to_string(ranks) +
                " starts the processes with mpirun, which is not on PATH (Debian: apt-get install "
                "openmpi-bin), or start them yourself: mpirun -np " +
                std::to_string(ranks) + " eqc train …");
  // --quiet: mpirun's banners repeat what the ranks' messages say; when a
  // process dies without one, the status says it below.
  // --stdin none: in a process group of its own, mpirun must not read the
  // terminal (a background read stops it); eqc train reads no standard input.
  std::vector<std::string> argv{mpirun, "--quiet", "--stdin", "none", "-np", std::to_string(ranks)};
  if (ranks > usable_cores()) argv.push_back("--oversubscribe");
  // Each rank takes cores / ranks BLAS threads (threads_per_rank); binding
  // each to one core, mpirun's default for 2 ranks, would crowd them.
  argv.insert(argv.end(), {"--bind-to", "none", "--mca", "odls_base_sigkill_timeout",
                           std::to_string(kSaveSeconds), this_program(), "train"});
  argv.insert(argv.end(), args.begin(), args.end());

  // Signals are caught before the fork, so none that comes before the
  // handler knows mpirun's pid ends eqc and leaves mpirun running alone.
  struct sigaction caught {
  }, before[3];
  caught.sa_sigaction = pass_on;
  caught.sa_flags = SA_SIGINFO | SA_RESTART;
  sigemptyset(&caught.sa_mask);
  const int signals[3] = {SIGINT, SIGTERM, SIGHUP};
  for (int i = 0; i < 3; ++i) sigaction(signals[i], &caught, &before[i]);
  std::fflush(nullptr);
  const pid_t child = fork();
  if (child < 0) throw Error("eqc: cannot start mpirun: " + std::string(std::strerror(errno)));
  if (child == 0) {
    setpgid(0, 0);
    for (int i = 0; i < 3; ++i) sigaction(signals[i], &before[i], nullptr);
    // Open MPI refuses to run as root without consent: given here, for this
    // run alone, since a user who types --ranks did not choose MPI's rules.
    if (geteuid() == 0) {
      setenv("OMPI_ALLOW_RUN_AS_ROOT", "1", 1);
      setenv("OMPI_ALLOW_RUN_AS_ROOT_CONFIRM", "1", 1);
    }
    std::vector<char*> cargv;
    for (std::string& a : argv) cargv.push_back(a.data());
    cargv.push_back(nullptr);
    execv(mpirun.c_str(), cargv.data());
    std::fprintf(stderr, "eqc: cannot run %s: %s\n", mpirun.c_str(), std::strerror(errno));
    _exit(127);
  }
  setpgid(child, child);  // as the child does: whichever runs first
  g_mpirun = child;
  int status = 0;
  while (waitpid(child, &status, 0) < 0)
    if (errno != EINTR)
      throw Error("eqc: waiting for mpirun: " + std::string(std::strerror(errno)));
  g_mpirun = 0;
  for (int i = 0; i < 3; ++i) sigaction(signals[i], &before[i], nullptr);
  // mpirun passes on a killed process's signal as 128 + its number.
  const int code = WIFSIGNALED(status) ? 128 + WTERMSIG(status) : WEXITSTATUS(status);
  // Stopped by a signal to eqc or mpirun: the ranks have said what they
  // saved; mpirun exits 1 whatever they did, eqc as one process would.
  if (g_signalled != 0) return 130;
  // A signal to the ranks themselves (SIGINT, SIGTERM, SIGHUP): they saved
  // and said so, and exited 130, which mpirun reports as if by signal.
  if (code == 128 + SIGINT || code == 128 + SIGTERM || code == 128 + SIGHUP) return 130;
  if (code > 128)
    std::fprintf(stderr,
                 "eqc: a process of the %d ended by signal %d (%s); the others were stopped\n",
                 ranks, code - 128, strsignal(code - 128));
  else if (code > 2)  // 1 and 2: the ranks have said why
    std::fprintf(stderr, "eqc: mpirun ended with status %d\n", code);
  return code;
}

int threads_per_rank(int ranks) {
  // When a launcher bound each rank to cores of its own, this undercounts
  // (4 cores each, 2 ranks: 2 threads), which is the safe side: more
  // threads than cores slow every rank down.
  int local = ranks;
  if (const char* v = std::getenv("OMPI_COMM_WORLD_LOCAL_SIZE")) local = std::max(1, std::atoi(v));
  return std::max(1, usable_cores() / local);
}

}  // namespace eq::cli
