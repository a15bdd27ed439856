#include "cli/interrupt.hpp"

#include <unistd.h>

#include <atomic>
#include <csignal>
#include <utility>

namespace eq::cli {
namespace {

std::atomic<int> g_caught{0};
std::atomic<bool> g_announce{true};
struct sigaction g_old_int, g_old_term;

extern "C" void on_signal(int signo) {
  int none = 0;
  if (g_caught.compare_exchange_strong(none, signo)) {
    if (!g_announce) return;
    // Said at once: a step of a large model can take a while.
    static const char first[] =
        "\neqc: stopping after the step in progress to save the run; interrupt again to exit at "
        "once without saving\n";
    [[maybe_unused]] const ssize_t n = write(STDERR_FILENO, first, sizeof first - 1);
    return;
  }
  // The second signal: no save, no clean-up beyond the kernel's.
  static const char message[] = "\neqc: interrupted again: exiting without saving\n";
  [[maybe_unused]] const ssize_t n = write(STDERR_FILENO, message, sizeof message - 1);
  _exit(kInterrupted);
}

}  // namespace

InterruptGuard::InterruptGuard(bool announce) {
  g_caught = 0;
  g_announce = announce;
  struct sigaction sa {};
  sa.sa_handler = on_signal;
  sigemptyset(&sa.sa_mask);
  sa.sa_flags = SA_RESTART;  // a write or read in progress goes on
  // A signal the parent ignores stays ignored (`eqc train … &` in a script:
  // the shell's Ctrl-C is not meant for it).
  for (auto [signo, old] : {std::pair{SIGINT, &g_old_int}, std::pair{SIGTERM, &g_old_term}}) {
    sigaction(signo, nullptr, old);
    if (old->sa_handler != SIG_IGN) sigaction(signo, &sa, nullptr);
  }
}

InterruptGuard::~InterruptGuard() {
  sigaction(SIGINT, &g_old_int, nullptr);
  sigaction(SIGTERM, &g_old_term, nullptr);
}

const char* InterruptGuard::caught() {
  switch (g_caught.load()) {
    case SIGINT:
      return "SIGINT";
    case SIGTERM:
      return "SIGTERM";
    default:
      return nullptr;
  }
}

}  // namespace eq::cli
