#include "eq/report/graphviz.hpp"

#include <fcntl.h>
#include <spawn.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cerrno>
#include <cstdio>
#include <cstdlib>
#include <filesystem>

#include "eq/runtime/error.hpp"
#include "eq/runtime/file_io.hpp"

extern char** environ;

namespace eq::report {
namespace {

// A temporary file removed when this goes out of scope.
struct TempFile {
  std::string path;
  explicit TempFile(const char* suffix) {
    std::string pattern =
        (std::filesystem::temp_directory_path() / "eq-report-XXXXXX").string() + suffix;
    const int fd = mkstemps(pattern.data(), static_cast<int>(std::string(suffix).size()));
    if (fd >= 0) close(fd), path = pattern;
  }
  ~TempFile() {
    if (!path.empty()) std::remove(path.c_str());
  }
};

constexpr const char* kNoDot =
    "Graphviz's dot was not found, so there is no picture here: install Graphviz, "
    "or draw it with `eqc graph MODEL.eq | dot -Tsvg > graph.svg`.";

}  // namespace

GraphPicture render_dot(const std::string& dot_text) {
  TempFile in(".dot"), out(".svg");
  if (in.path.empty() || out.path.empty()) return {"", "No temporary file for Graphviz's input."};
  try {
    const ByteChunk chunk{dot_text.data(), dot_text.size()};
    write_file_atomically(in.path, {&chunk, 1});
  } catch (const Error& e) {
    return {"", e.what()};
  }
  std::string tsvg = "-Tsvg", o = "-o";
  char* argv[] = {const_cast<char*>("dot"), tsvg.data(), in.path.data(), o.data(),
                  out.path.data(),          nullptr};
  // dot's own messages (warnings about a large graph) would interleave with
  // the progress lines: send them to /dev/null.
  posix_spawn_file_actions_t actions;
  posix_spawn_file_actions_init(&actions);
  posix_spawn_file_actions_addopen(&actions, STDOUT_FILENO, "/dev/null", O_WRONLY, 0);
  posix_spawn_file_actions_addopen(&actions, STDERR_FILENO, "/dev/null", O_WRONLY, 0);
  pid_t pid = 0;
  const int spawned = posix_spawnp(&pid, "dot", &actions, nullptr, argv, environ);
  posix_spawn_file_actions_destroy(&actions);
  if (spawned != 0) return {"", kNoDot};
  int status = 0;
  while (waitpid(pid, &status, 0) < 0 && errno == EINTR) {
  }
  if (!WIFEXITED(status) || WEXITSTATUS(status) != 0)
    return {"", "Graphviz's dot failed on this graph."};
  std::string svg;
  try {
    svg = read_file(out.path);
  } catch (const Error& e) {
    return {"", e.what()};
  }
  // Inline in HTML: from <svg to the end, without the XML prolog and doctype.
  const std::size_t at = svg.find("<svg");
  if (at == std::string::npos) return {"", "Graphviz's dot wrote no SVG."};
  return {svg.substr(at), ""};
}

}  // namespace eq::report
