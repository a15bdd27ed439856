// `eqc check FILE…` (see commands.hpp): syntax first; a file that parses is
// lowered too, so unknown names, shapes, cycles and time errors show.
#include <iostream>
#include <sstream>
#include <string>

#include "cli/commands.hpp"
#include "cli/options.hpp"
#include "compiler/lower/model.hpp"
#include "grammar/parse.hpp"
#include "runtime/error.hpp"
#include "runtime/file_io.hpp"

namespace eq::cli {

namespace {

constexpr const char* kCheckUsage = "usage: eqc check FILE...   (- reads standard input)\n";

std::string read_input(const std::string& path) {
  if (path != "-") return read_file(path);
  std::ostringstream s;
  s << std::cin.rdbuf();
  return s.str();
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
    const std::string name = path == "-" ? "<stdin>" : path;
    auto file = std::make_shared<SourceFile>(name, bytes);
    Diagnostics diags;
    Module module = parse_module(*file, diags);
    std::string text = diags.render();
    // A file that parses is also lowered — the same module, not a second
    // parse — so names, shapes and time are checked too. Dims the data would
    // set get a placeholder size (odd, so that it broadcasts with nothing by
    // accident).
    bool failed = diags.has_errors();
    if (!failed) {
      std::string open;
      for (const Stmt& st : module.statements)
        if (st.kind == StmtKind::Dim && !st.value)
          for (const ExprPtr& n : st.names) open += (open.empty() ? "" : ", ") + n->name.text;
      try {
        ModelOptions options;
        options.open_dim_placeholder = 7;
        text += Model::from_module(file, std::move(module), options).warnings();
      } catch (const Error& e) {
        failed = true;
        text += e.what();
        if (!open.empty())
          text += "note: the data sets " + open + "; eqc check used 7 in its place\n";
      }
    }
    // Errors fail the file; warnings alone are printed and it passes.
    if (failed) status = fail(Error(text));
    else std::fputs(text.c_str(), stderr);
  }
  return status;
}

}  // namespace

int run_check(int argc, char** argv) {
  return run_command({"check", kCheckUsage, {}, false, false, 1, -1}, argc, argv, check);
}

}  // namespace eq::cli
