// eqc: the command-line front of eq. Subcommands are rows of one table.
#include <cstdio>
#include <cstring>
#include <string_view>

int main(int argc, char** argv) {
  if (argc < 2 || std::strcmp(argv[1], "--help") == 0) {
    std::fprintf(stderr, "usage: eqc COMMAND [ARGS...]\n");
    return argc < 2 ? 2 : 0;
  }
  std::fprintf(stderr, "eqc: unknown command '%s'\n", argv[1]);
  return 2;
}
