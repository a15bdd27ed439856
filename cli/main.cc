// eqc: the command-line front of eq. Subcommands are rows of one table; an
// unknown one gets "did you mean …". Exit codes: commands.hpp. No exception
// leaves a command (run_command, options.hpp).
#include <algorithm>
#include <cstdio>
#include <cstring>
#include <string>
#include <string_view>
#include <vector>

#include "cli/commands.hpp"
#include "cli/options.hpp"
#include "eq/grammar/nesting.hpp"
#include "eq/grammar/suggest.hpp"
#include "eq/runtime/blas_core.hpp"

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
    {"export", eq::cli::run_export, "write the prediction program as an ONNX model"},
    {"report", eq::cli::run_report, "draw the curves of a --log file as an HTML page"},
    {"sample", eq::cli::run_sample, "generate text from a trained time model"},
    {"ir", eq::cli::run_ir, "print a model's graph IR, one node a line"},
    {"tape", eq::cli::run_tape, "print a model's compiled tape and memory plan"},
    {"graph", eq::cli::run_graph, "print a model's graph as Graphviz dot"},
};

void usage(std::FILE* out) {
  std::fprintf(out, "usage: eqc COMMAND [ARGS...]\n\ncommands:\n");
  for (const Command& c : kCommands) std::fprintf(out, "  %-10s %s\n", c.name, c.help);
  std::fprintf(out, "\n  --version  eq's version, the BLAS and the kernels in use\n");
}

}  // namespace

int main(int argc, char** argv) {
  // Before anything else: with OpenBLAS's kernels older than the CPU allows,
  // start again once with OPENBLAS_CORETYPE set (runtime/blas_core.hpp).
  eq::blas::reexec_for_cpu(argv);
  if (argc < 2) {
    usage(stderr);
    return eq::cli::kUsage;
  }
  const std::string_view name = argv[1];
  if (name == "--help" || name == "-h" || name == "help") {
    usage(stdout);
    return eq::cli::finish_output(eq::cli::kOk);
  }
  if (name == "--version") return eq::cli::finish_output(eq::cli::run_version(argc - 2, argv + 2));
  // Each command runs on a thread whose stack holds the deepest expression
  // the parser lets through (grammar/nesting.hpp).
  for (const Command& c : kCommands)
    if (name == c.name) return eq::with_nesting_stack([&] { return c.run(argc - 2, argv + 2); });

  std::vector<std::string> names;
  for (const Command& c : kCommands) names.emplace_back(c.name);
  // Command names are short: allow two edits (a swapped pair of letters).
  const std::string near = eq::nearest_name(std::string(name), names, 2);
  return eq::cli::fail(eq::cli::UsageError("eqc: unknown command '" + std::string(name) + "'" +
                                           (near.empty() ? "" : "; did you mean '" + near + "'?") +
                                           "\n(run 'eqc --help' for the list)"));
}
