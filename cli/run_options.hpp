// Options of the commands that run a model (train, eval, predict, run):
// short spellings and the check that every --KEY is one the command knows.
#pragma once

#include <optional>
#include <string>
#include <vector>

#include "cli/options.hpp"
#include "runtime/error.hpp"

namespace eq::cli {

// Parses argv like parse_options, after turning `-o FILE` into
// `--output FILE`, `-w FILE` into `--weights FILE` and `-n N` into `--count N`. Then every --KEY must
// be in `keys` (an unknown one gets "did you mean"). Prints and returns
// nullopt on a bad command line.
std::optional<Options> parse_run_options(int argc, char** argv, const std::vector<std::string>& keys,
                                         const std::vector<std::string>& flags, const char* usage);

// A whole number option ≥ min, or prints an error and returns nullopt.
std::optional<long long> whole_option(const Options& o, const std::string& key, long long fallback,
                                      long long min);

// Prints a user error's diagnostic to standard error (ending in a newline)
// and returns the exit code for it.
int fail(const Error& e);

// The file name without folders and without its last extension: "models/mlp.eq" → "mlp".
std::string stem(const std::string& path);

}  // namespace eq::cli
