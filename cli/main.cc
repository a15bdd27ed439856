// eqc: the command-line front of eq. Subcommands are rows of one table; an
// unknown one gets "did you mean …". Exit codes: commands.hpp. No exception
// leaves main (run_command).
#include <algorithm>
#include <cstdio>
#include <cstring>
#include <exception>
#include <new>
#include <string>
#include <string_view>
#include <vector>

#include "cli/commands.hpp"
#include "compiler/lower/expr.hpp"
#include "runtime/error.hpp"
#include "runtime/output.hpp"

namespace {

struct Command {
  const char* name;
  int (*run)(int argc, char** argv);  // arguments after the command name
  const char* help;
};

const Command kCommands[] = {
    {"check", eq::cli::run_check, "parse and lower .eq files; report every error"},
    {"train", eq::cli::run_train, "train a model with its train block; save the weights"},
    {"eval", eq::cli::run_eval, "loss and accuracy of saved weights on data"},
    {"predict", eq::cli::run_predict, "one prediction per example of data, as CSV"},
    {"run", eq::cli::run_run, "predict with a saved weights file alone (no .eq needed)"},
    {"sample", eq::cli::run_sample, "generate text from a trained time model"},
    {"ir", eq::cli::run_ir, "print a model's graph IR, one node a line"},
    {"tape", eq::cli::run_tape, "print a model's compiled tape and memory plan"},
    {"graph", eq::cli::run_graph, "print a model's graph as Graphviz dot"},
};

void usage(std::FILE* out) {
  std::fprintf(out, "usage: eqc COMMAND [ARGS...]\n\ncommands:\n");
  for (const Command& c : kCommands) std::fprintf(out, "  %-10s %s\n", c.name, c.help);
}

// A message as it is, NUL bytes included, ended by a newline.
void print_error(std::string_view message) {
  std::fwrite(message.data(), 1, message.size(), stderr);
  if (message.empty() || message.back() != '\n') std::fputc('\n', stderr);
}

// Runs a command so that eqc never ends with "terminate called": whatever
// it throws becomes a message and exit code 1 — a user error (eq::Error) as
// its diagnostic, anything else as one line naming the command. Standard
// output is flushed and checked last, so a full disk or a closed pipe under
// `eqc predict > out.csv` is an error too, not a silent success.
int run_command(const char* name, int (*run)(int, char**), int argc, char** argv) {
  int rc = eq::cli::kUserError;
  try {
    rc = run(argc, argv);
  } catch (const eq::Error& e) {
    print_error(e.what());
  } catch (const eq::InternalError& e) {
    print_error(e.what());  // already says where, and that it is a bug of eq's
  } catch (const std::bad_alloc&) {
    std::fprintf(stderr, "eqc %s: out of memory while running (the system refused an "
                         "allocation); a smaller model, batch or data set needs less\n", name);
  } catch (const std::exception& e) {
    std::fprintf(stderr, "eqc %s: internal error: %s\n", name, e.what());
  } catch (...) {
    std::fprintf(stderr, "eqc %s: internal error: an unknown exception\n", name);
  }
  try {
    eq::finish_stdout();
  } catch (const eq::Error& e) {
    print_error(e.what());
    if (rc == eq::cli::kOk) rc = eq::cli::kUserError;
  }
  return rc;
}

int help(int, char**) {
  usage(stdout);
  return eq::cli::kOk;
}

}  // namespace

int main(int argc, char** argv) {
  if (argc < 2) {
    usage(stderr);
    return eq::cli::kUsage;
  }
  const std::string_view name = argv[1];
  if (name == "--help" || name == "-h" || name == "help") return run_command("help", help, 0, argv);
  for (const Command& c : kCommands)
    if (name == c.name) return run_command(c.name, c.run, argc - 2, argv + 2);

  std::vector<std::string> names;
  for (const Command& c : kCommands) names.emplace_back(c.name);
  // Command names are short: allow two edits (a swapped pair of letters).
  const std::string near = eq::lower::nearest_name(std::string(name), names, 2);
  std::fprintf(stderr, "eqc: unknown command '%s'", argv[1]);
  if (!near.empty()) std::fprintf(stderr, "; did you mean '%s'?", near.c_str());
  std::fprintf(stderr, "\n(run 'eqc --help' for the list)\n");
  return eq::cli::kUsage;
}
