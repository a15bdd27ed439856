// `eqc check FILE…` (see commands.hpp): syntax first; a file that parses is
// lowered too, so unknown names, shapes, cycles and time errors show.
#include <cstdio>
#include <cstring>
#include <fstream>
#include <iostream>
#include <iterator>
#include <sstream>
#include <string>

#include "cli/commands.hpp"
#include "compiler/lower/model.hpp"
#include "grammar/parse.hpp"
#include "runtime/error.hpp"

namespace eq::cli {

namespace {

bool read_input(const std::string& path, std::string* out) {
  if (path == "-") {
    std::ostringstream s;
    s << std::cin.rdbuf();
    *out = s.str();
    return true;
  }
  std::ifstream in(path, std::ios::binary);
  if (!in) return false;
  out->assign(std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>());
  return !in.bad();
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
    if (!read_input(path, &bytes)) {
      std::fprintf(stderr, "eqc: cannot read '%s': %s\n", path.c_str(), std::strerror(errno));
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
        text += Model::from_source(name, bytes, options).warnings();
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
