// `eqc check FILE…` (see commands.hpp): syntax first; a file that parses is
// lowered too, so unknown names, shapes, cycles and time errors show; and
// its train block is read and its data loaded as `eqc train` would, up to
// the first step, so everything train would reject before it shows too.
#include <unistd.h>

#include <cstdio>
#include <map>
#include <string>

#include "cli/commands.hpp"
#include "cli/options.hpp"
#include "eq/runtime/error.hpp"
#include "eq/runtime/file_io.hpp"
#include "eq/train/trainer.hpp"

namespace eq::cli {

namespace {

constexpr const char* kCheckUsage =
    "usage: eqc check [-D NAME=VALUE]... [--no-data] FILE...   (- reads standard input)\n"
    "  reports every error of each model and its train block; the block's data is read and\n"
    "  checked as `eqc train` would (--no-data skips it: dims it sets take a placeholder);\n"
    "  -D sets a dim as `eqc train -D` does\n";

// Standard input may be a pipe that never ends; a model is a few kilobytes.
constexpr std::size_t kMaxStdin = std::size_t{64} << 20;

// The bytes of `path` (`-`: standard input). Throws eq::Error
// "PATH: cannot read: REASON" (file_io.hpp: regular files only).
std::string read_input(const std::string& path) {
  if (path == "-") return read_stream(STDIN_FILENO, "<stdin>", kMaxStdin);
  return read_model_source(path);
}

// What checking one file found: its errors (then `failed`) or its
// warnings, as diagnostic text ("" when it is clean).
struct Checked {
  std::string text;
  bool failed = false;
};

Checked check_file(const std::string& path, const std::string& bytes, bool read_data,
                   const std::map<std::string, std::int64_t>& dims) {
  SetupOptions so;
  so.dims = dims;
  so.check = true;
  so.load_data = read_data;
  // The same set-up as `eqc train` — one parse, the train block, the data,
  // the lowering — in checking mode, which reports them all together.
  Setup setup;
  try {
    setup = setup_source(path == "-" ? "<stdin>" : path, bytes, path == "-" ? "" : parent_dir(path),
                         so);
  } catch (const Error& e) {
    return {e.what(), true};
  }
  const std::string warnings = setup.model->warnings();
  if (!read_data || setup.config.data.kind == DataSpec::Kind::none) return {warnings};
  // What train builds before its first step: the split, the compiled
  // programs and their memory estimate.
  try {
    training_data(setup);
  } catch (const Error& e) {
    return {warnings + at_train_block(setup.model->train(), "", e.what()), true};
  }
  return {warnings};
}

int check(const Options& o) {
  int status = kOk;
  for (const std::string& path : o.files) {
    std::string bytes;
    try {
      bytes = read_input(path);
    } catch (const Error& e) {
      status = fail(e);
      continue;
    }
    Checked checked;
    try {
      out_of_memory_while("checking " + path, [&] {
        checked = check_file(path, bytes, !o.flag("no-data"), o.dims);
        return kOk;
      });
    } catch (const Error& e) {
      checked = {e.what(), true};
    }
    // Errors fail the file; warnings alone are printed and it passes.
    if (checked.failed)
      status = fail(Error(checked.text));
    else
      std::fputs(checked.text.c_str(), stderr);
  }
  return status;
}

}  // namespace

int run_check(int argc, char** argv) {
  return run_command({"check", kCheckUsage, {{"no-data", false}}, true, false, 1, -1}, argc, argv,
                     check);
}

}  // namespace eq::cli
