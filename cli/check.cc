// `eqc check FILE…` (see commands.hpp): syntax first; a file that parses is
// lowered too, so unknown names, shapes, cycles and time errors show.
#include <unistd.h>

#include <cstdio>
#include <string>

#include "cli/commands.hpp"
#include "cli/run_options.hpp"
#include "compiler/lower/model.hpp"
#include "grammar/parse.hpp"
#include "runtime/error.hpp"
#include "runtime/file_io.hpp"

namespace eq::cli {

namespace {

// Standard input may be a pipe that never ends; a model is a few kilobytes.
constexpr std::size_t kMaxStdin = std::size_t{64} << 20;

// The bytes of `path` (`-`: standard input). Throws eq::Error
// "PATH: cannot read: REASON" (file_io.hpp: regular files only).
std::string read_input(const std::string& path) {
  if (path == "-") return read_stream(STDIN_FILENO, "<stdin>", kMaxStdin);
  return read_file(path);
}

}  // namespace

int run_check(int argc, char** argv) {
  if (argc < 1) {
    std::fprintf(stderr, "usage: eqc check FILE...   (- reads standard input)\n");
    return kUsage;
  }
  int status = kOk;
  for (int i = 0; i < argc; ++i) {
    const std::string path = argv[i];
    std::string bytes;
    try {
      bytes = read_input(path);
    } catch (const Error& e) {
      fail(e);
      status = kUserError;
      continue;
    }
    const std::string name = path == "-" ? "<stdin>" : path;
    SourceFile file(name, bytes);
    Diagnostics diags;
    const Module module = parse_module(file, diags);
    std::string text = diags.render();
    // A file that parses is also lowered, so names, shapes and time are
    // checked too. Dims the data would set get a placeholder size (odd, so
    // that it broadcasts with nothing by accident).
    if (!diags.has_errors()) {
      try {
        ModelOptions options;
        options.open_dim_placeholder = 7;
        Model::from_source(name, bytes, options);
      } catch (const Error& e) {
        text += e.what();
        status = kUserError;
        std::string open;
        for (const Stmt& st : module.statements)
          if (st.kind == StmtKind::Dim && !st.value)
            for (const ExprPtr& n : st.names) open += (open.empty() ? "" : ", ") + n->name.text;
        if (!open.empty())
          text += "note: the data sets " + open + "; eqc check used 7 in its place\n";
      }
    }
    std::fwrite(text.data(), 1, text.size(), stderr);
    if (diags.has_errors()) status = kUserError;
  }
  return status;
}

}  // namespace eq::cli
