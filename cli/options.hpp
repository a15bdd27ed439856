// Command-line options shared by eqc's model commands: the model file,
// `-D NAME=VALUE` dim overrides and `--KEY VALUE` pairs, parsed once.
#pragma once

#include <map>
#include <optional>
#include <string>
#include <vector>

#include "compiler/lower/model.hpp"

namespace eq::cli {

struct Options {
  std::vector<std::string> files;             // positional arguments
  std::map<std::string, std::int64_t> dims;   // -D NAME=VALUE
  std::map<std::string, std::string> keys;   // --key value
  std::vector<std::string> flags;             // --flag (no value)
  int opt_level = 1;                          // -O0 / -O1

  bool flag(const std::string& name) const;
  std::optional<std::string> key(const std::string& name) const;
};

// Parses argv. `flag_names` are the options that take no value. Prints a
// usage error and returns nullopt on a malformed command line.
std::optional<Options> parse_options(int argc, char** argv, const std::vector<std::string>& flag_names,
                                     const char* usage);

// Loads the model named by the first positional argument with the -D dims;
// prints the diagnostics and returns nullopt on errors.
std::optional<Model> load_model(const Options& options);

}  // namespace eq::cli
