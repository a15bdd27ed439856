// `eqc check FILE…` (see commands.hpp).
#include <cstdio>
#include <cstring>
#include <fstream>
#include <iostream>
#include <iterator>
#include <sstream>
#include <string>

#include "cli/commands.hpp"
#include "grammar/parse.hpp"

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
    SourceFile file(path == "-" ? "<stdin>" : path, std::move(bytes));
    Diagnostics diags;
    parse_module(file, diags);
    const std::string text = diags.render();
    std::fwrite(text.data(), 1, text.size(), stderr);
    if (diags.has_errors()) status = kUserError;
  }
  return status;
}

}  // namespace eq::cli
