// eqc's command lines: one parser for every command, against the options
// the command declares (ninja's tools, with their flags, are the model).
//
// A command declares its `--KEY VALUE` options and `--FLAG`s (with a short
// spelling such as -o, and spellings people try that should suggest it),
// whether it takes `-D NAME=VALUE` and `-O0`, and how many files. Anything
// else is a usage error with "did you mean"; `--help` (or -h) anywhere
// prints the command's usage and succeeds.
//
// Errors print one way: fail(). A command's body throws eq::Error for a
// user's mistake (exit 1) or UsageError for a bad command line (exit 2);
// run_command prints either.
#pragma once

#include <climits>
#include <functional>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include "eq/compiler/lower/model.hpp"
#include "eq/runtime/error.hpp"

namespace eq::cli {

struct OptionSpec {
  std::string name;                     // without the dashes: "batch"
  bool takes_value = true;              // --name VALUE, or a flag --name
  std::string short_name = {};          // "-o"
  std::vector<std::string> hints = {};  // spellings that get "did you mean --name"
};

struct CommandSpec {
  std::string name;   // "train"
  std::string usage;  // ends in '\n'
  std::vector<OptionSpec> options;
  bool dims = false;       // takes -D NAME=VALUE
  bool opt_level = false;  // takes -O0 / -O1
  int min_files = 1;
  int max_files = 1;  // -1: any number
};

struct Options {
  std::vector<std::string> files;            // positional arguments
  std::map<std::string, std::int64_t> dims;  // -D NAME=VALUE
  std::map<std::string, std::string> keys;   // --key value
  std::vector<std::string> flags;            // --flag (no value)
  int opt_level = 1;                         // -O0 / -O1
  std::map<std::string, std::string> typed;  // key → the spelling given: "-n" for count

  // How the user wrote option `name` ("-n", "--count"); "--name" when not given.
  std::string spelling(const std::string& name) const;

  bool flag(const std::string& name) const;
  std::optional<std::string> key(const std::string& name) const;
};

// A bad command line: printed by fail() with exit code 2 (kUsage).
class UsageError : public Error {
 public:
  explicit UsageError(const std::string& message) : Error(message) {}
};

// A command run without an option it needs: "eqc: predict needs -w
// W.safetensors" above the command's usage (exit code kUsage).
UsageError missing_option(const std::string& command, const std::string& option, const char* usage);

// Prints an error's message to standard error, ending in a newline, and
// returns its exit code: kUsage for a UsageError, else kUserError.
int fail(const Error& e);

// Parses argv (the arguments after the command's name) against `command`.
// Throws UsageError on a bad command line; returns nullopt after --help,
// having printed the usage to standard output.
std::optional<Options> parse_options(int argc, char** argv, const CommandSpec& command);

// Parses, then runs `body`; prints whatever either throws (fail()) and
// returns the exit code. No exception leaves it: one that is not an
// eq::Error (a bug, memory running out) is a message naming the command and
// exit 1. Ends with finish_output.
int run_command(const CommandSpec& command, int argc, char** argv,
                const std::function<int(const Options&)>& body);

// Flushes standard output and checks every write made to it (output.hpp), so
// that a full disk or a closed pipe under `eqc predict > out.csv` is an error,
// not a silent success: prints it (fail()) and returns kUserError in place of
// a `code` of kOk; else returns `code`.
int finish_output(int code);

// A whole number option from min to max, or `fallback` when absent;
// UsageError when it is not one — a value past `max` (or past what a long long
// holds) included, which would otherwise wrap when narrowed:
//   "eqc: --threads takes a whole number from 1 to 1024; got '2147483648'"
long long whole_option(const Options& o, const std::string& key, long long fallback, long long min,
                       long long max = LLONG_MAX);

// The most BLAS threads --threads takes: more than any machine here has cores.
inline constexpr long long kMaxThreads = 1024;

// Runs `body`; an allocation that fails in it (std::bad_alloc, past the
// memory estimate of memory_plan.hpp) becomes the eq::Error
// "out of memory while DOING; …".
int out_of_memory_while(const std::string& doing, const std::function<int()>& body);

// Loads the model named by the first file with the -D dims (and --dtype).
Model load_model(const Options& options);

// The file name without folders and without its last extension: "models/mlp.eq" → "mlp".
std::string stem(const std::string& path);

}  // namespace eq::cli
