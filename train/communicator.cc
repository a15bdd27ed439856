#include "eq/train/communicator.hpp"

#include <cstdio>
#include <cstdlib>

#ifdef EQ_HAVE_MPI
#include "eq/train/mpi_communicator.hpp"
#endif

namespace eq {
namespace {

// The number of processes a launcher says it started, or 0 when none did.
long launched_processes() {
  for (const char* var : {"OMPI_COMM_WORLD_SIZE", "PMI_SIZE", "SLURM_NTASKS"})
    if (const char* v = std::getenv(var)) return std::strtol(v, nullptr, 10);
  return std::getenv("PMIX_RANK") || std::getenv("PMI_RANK") ? 1 : 0;
}

std::string without_final_newline(std::string s) {
  while (!s.empty() && s.back() == '\n') s.pop_back();
  return s;
}

}  // namespace

void SingleProcess::abort(const std::string& message) {
  std::fprintf(stderr, "%s\n", without_final_newline(message).c_str());
  std::fflush(stderr);
  std::exit(1);
}

Communicator& single_process() {
  static SingleProcess one;
  return one;
}

bool built_with_mpi() {
#ifdef EQ_HAVE_MPI
  return true;
#else
  return false;
#endif
}

std::unique_ptr<Communicator> world_communicator() {
  const long n = launched_processes();
#ifdef EQ_HAVE_MPI
  if (n > 0) return std::make_unique<MpiCommunicator>();
#else
  if (n > 1)
    throw Error("this build of eq has no MPI, but it was started as one of " + std::to_string(n) +
                " processes: each would train alone; build eq with Open MPI (libopenmpi-dev) to "
                "train on several processes");
#endif
  return std::make_unique<SingleProcess>();
}

void broadcast(Communicator& comm, std::string& text) {
  std::int64_t size = static_cast<std::int64_t>(text.size());
  comm.broadcast(std::as_writable_bytes(std::span(&size, 1)));
  text.resize(static_cast<std::size_t>(size));
  comm.broadcast(std::as_writable_bytes(std::span(text.data(), text.size())));
}

void fail_together(Communicator& comm, const std::optional<std::string>& error) {
  // Each rank's block: "1" and its message, or "0".
  const std::vector<std::string> blocks = comm.gather(error ? "1" + *error : std::string("0"));
  std::string message;
  if (comm.rank() == 0) {
    bool all_same = true;
    for (const std::string& b : blocks) all_same = all_same && b[0] == '1' && b == blocks[0];
    if (all_same) {
      message = without_final_newline(blocks[0].substr(1));
    } else {
      for (std::size_t r = 0; r < blocks.size(); ++r) {
        if (blocks[r][0] != '1') continue;
        if (!message.empty()) message += '\n';
        message += std::string(comm.rank_noun()) + " " + std::to_string(r) + ": " +
                   without_final_newline(blocks[r].substr(1));
      }
    }
    message += '\n';
  }
  broadcast(comm, message);
  throw CollectiveError(message);
}

void run_together(Communicator& comm, const std::function<void()>& body) {
  std::optional<std::string> error;
  try {
    body();
  } catch (const CollectiveError&) {
    throw;  // every rank already throws it
  } catch (const Error& e) {
    if (comm.size() == 1) throw;
    error = e.what();
  } catch (const InternalError& e) {
    // Anything else still reaches the other ranks, which would otherwise
    // wait in the sum below forever: an eq::InternalError says what it is,
    if (comm.size() == 1) throw;
    error = e.what();
  } catch (const std::exception& e) {
    // ... another exception (a std::bad_alloc) is named as internal,
    if (comm.size() == 1) throw;
    error = std::string("internal error: ") + e.what();
  } catch (...) {
    // ... and one of no std::exception type too.
    if (comm.size() == 1) throw;
    error = "internal error: an exception of unknown type";
  }
  std::int64_t failed = error ? 1 : 0;
  comm.allreduce_sum(std::span(&failed, 1));
  if (failed > 0) fail_together(comm, error);
}

}  // namespace eq
