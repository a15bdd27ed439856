// Issue 17, items 5, 10, 11 and 12: what read_file accepts, what an atomic
// write replaces (and what it refuses), the temporaries a killed writer left
// behind, and OutputFile's checked writes.
#include "eq/runtime/file_io.hpp"

#include <sys/resource.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <catch2/catch.hpp>
#include <csignal>
#include <filesystem>

#include "eq/runtime/error.hpp"
#include "eq/runtime/output.hpp"
#include "io_test_util.hpp"

using namespace eq::test;

namespace {

// The id of a process that has exited and been reaped: no process has it
// (until the kernel hands it out again, which takes a full cycle of ids).
pid_t dead_pid() {
  pid_t pid = ::fork();
  if (pid == 0) ::_exit(0);
  REQUIRE(pid > 0);
  int status = 0;
  REQUIRE(::waitpid(pid, &status, 0) == pid);
  return pid;
}

void save(const std::string& path, const std::string& text) {
  eq::write_file_atomically(path, std::string_view(text));
}

mode_t mode_of(const std::string& path) {
  struct stat st {};
  REQUIRE(::lstat(path.c_str(), &st) == 0);
  return st.st_mode;
}

// Runs `body` with the file size limit at `bytes` and SIGXFSZ ignored, so a
// write past the limit fails with EFBIG instead of killing the test.
template <class F>
void with_file_size_limit(rlim_t bytes, F body) {
  auto previous_handler = std::signal(SIGXFSZ, SIG_IGN);
  rlimit saved{};
  REQUIRE(::getrlimit(RLIMIT_FSIZE, &saved) == 0);
  rlimit low = saved;
  low.rlim_cur = bytes;
  REQUIRE(::setrlimit(RLIMIT_FSIZE, &low) == 0);
  try {
    body();
  } catch (...) {
    ::setrlimit(RLIMIT_FSIZE, &saved);
    std::signal(SIGXFSZ, previous_handler);
    throw;
  }
  ::setrlimit(RLIMIT_FSIZE, &saved);
  std::signal(SIGXFSZ, previous_handler);
}

}  // namespace

// ---- item 5: reading ----------------------------------------------------------

TEST_CASE("read_file refuses what is not a regular file instead of reading without end",
          "[file_io]") {
  ScratchDir dir;
  CHECK_THROWS_WITH(eq::read_file("/dev/zero"),
                    "/dev/zero: cannot read: not a regular file (a character device)");
  CHECK_THROWS_WITH(eq::read_file(dir.path()), dir.path() + ": cannot read: Is a directory");
  // A FIFO with no writer: opening it must not wait for one.
  const std::string fifo = dir.file("pipe");
  REQUIRE(::mkfifo(fifo.c_str(), 0600) == 0);
  CHECK_THROWS_WITH(eq::read_file(fifo), fifo + ": cannot read: not a regular file (a FIFO)");
  // Through a symlink, the target decides.
  std::filesystem::create_symlink("/dev/zero", dir.file("zero"));
  CHECK_THROWS_WITH(eq::read_file(dir.file("zero")),
                    dir.file("zero") + ": cannot read: not a regular file (a character device)");
  write_bytes(dir.file("ok"), std::string("a\0b", 3));
  CHECK(eq::read_file(dir.file("ok")) == std::string("a\0b", 3));
}

TEST_CASE("read_stream reads standard input up to a limit it names", "[file_io]") {
  int fds[2];
  REQUIRE(::pipe(fds) == 0);
  REQUIRE(::write(fds[1], "0123456789", 10) == 10);
  ::close(fds[1]);
  CHECK_THROWS_WITH(eq::read_stream(fds[0], "<stdin>", 4),
                    "<stdin>: cannot read: more than 4 bytes");
  ::close(fds[0]);
  REQUIRE(::pipe(fds) == 0);
  REQUIRE(::write(fds[1], "0123", 4) == 4);
  ::close(fds[1]);
  CHECK(eq::read_stream(fds[0], "<stdin>", 4) == "0123");
  ::close(fds[0]);
}

// ---- item 10: temporaries of killed writers ------------------------------------

TEST_CASE("a save removes the temporaries that dead writers left for the same path", "[file_io]") {
  ScratchDir dir;
  const std::string path = dir.file("W.safetensors");
  const std::string dead = std::to_string(dead_pid());
  const std::string alive = std::to_string(::getpid());
  const std::vector<std::string> stale = {".W.safetensors.tmp-" + dead + "-0",
                                          ".W.safetensors.tmp-" + dead + "-17"};
  const std::vector<std::string> kept = {
      ".W.safetensors.tmp-" + alive + "-99999",  // a writer that is still running
      ".W.safetensors.tmp-1-0",                  // pid 1 is always alive
      ".other.tmp-" + dead + "-0",               // another path's temporary
      ".W.safetensors.tmp-" + dead,              // not our pattern
      ".W.safetensors.tmp-" + dead + "-x",       // not our pattern
      "W.safetensors.tmp-" + dead + "-0",        // not hidden: not ours
  };
  for (const std::string& name : stale) write_bytes(dir.file(name), std::string(1000, 'x'));
  for (const std::string& name : kept) write_bytes(dir.file(name), "keep");
  save(path, "new");
  CHECK(read_bytes(path) == "new");
  std::vector<std::string> want = kept;
  want.push_back("W.safetensors");
  std::sort(want.begin(), want.end());
  CHECK(dir.entries() == want);
}

// ---- item 11: what an atomic write replaces -------------------------------------

TEST_CASE("an atomic write through a symlink replaces the target, not the link", "[file_io]") {
  ScratchDir dir;
  std::filesystem::create_directory(dir.file("real"));
  save(dir.file("real/W"), "old");
  std::filesystem::create_symlink("real/W", dir.file("link"));           // relative
  std::filesystem::create_symlink(dir.file("link"), dir.file("chain"));  // absolute, to a link
  save(dir.file("link"), "one");
  CHECK(std::filesystem::is_symlink(dir.file("link")));
  CHECK(std::filesystem::read_symlink(dir.file("link")) == "real/W");
  CHECK(read_bytes(dir.file("real/W")) == "one");
  save(dir.file("chain"), "two");
  CHECK(std::filesystem::is_symlink(dir.file("chain")));
  CHECK(std::filesystem::is_symlink(dir.file("link")));
  CHECK(read_bytes(dir.file("real/W")) == "two");
  // A dangling link: the file it names is created.
  std::filesystem::create_symlink("real/new", dir.file("dangling"));
  save(dir.file("dangling"), "three");
  CHECK(std::filesystem::is_symlink(dir.file("dangling")));
  CHECK(read_bytes(dir.file("real/new")) == "three");
  // No temporary is left in either directory.
  CHECK(dir.entries() == std::vector<std::string>{"chain", "dangling", "link", "real"});
  std::vector<std::string> in_real;
  for (const auto& e : std::filesystem::directory_iterator(dir.file("real")))
    in_real.push_back(e.path().filename().string());
  std::sort(in_real.begin(), in_real.end());
  CHECK(in_real == std::vector<std::string>{"W", "new"});
}

TEST_CASE("an atomic write refuses to replace what is not a regular file", "[file_io]") {
  ScratchDir dir;
  const std::string fifo = dir.file("pipe");
  REQUIRE(::mkfifo(fifo.c_str(), 0600) == 0);
  CHECK_THROWS_WITH(save(fifo, "x"), fifo + ": cannot write: not a regular file (a FIFO)");
  CHECK(S_ISFIFO(mode_of(fifo)));
  // A link to a device: the device is neither replaced nor written.
  std::filesystem::create_symlink("/dev/null", dir.file("null"));
  CHECK_THROWS_WITH(save(dir.file("null"), "x"),
                    dir.file("null") +
                        ": cannot write: its target /dev/null is not a regular file (a character "
                        "device)");
  CHECK(std::filesystem::is_symlink(dir.file("null")));
  CHECK(S_ISCHR(mode_of("/dev/null")));
  std::filesystem::create_directory(dir.file("sub"));
  CHECK_THROWS_WITH(save(dir.file("sub"), "x"), dir.file("sub") + ": cannot write: Is a directory");
  CHECK(dir.entries() == std::vector<std::string>{"null", "pipe", "sub"});
}

TEST_CASE("an atomic write keeps the file's mode and refuses a file the user could not write",
          "[file_io]") {
  ScratchDir dir;
  const std::string path = dir.file("W");
  save(path, "old");
  REQUIRE(::chmod(path.c_str(), 0600) == 0);
  save(path, "new");
  CHECK((mode_of(path) & 07777) == 0600);
  REQUIRE(::chmod(path.c_str(), 0640) == 0);
  save(path, "newer");
  CHECK((mode_of(path) & 07777) == 0640);
  CHECK(read_bytes(path) == "newer");

  // Read-only for its owner: refused, even for root (who could write it
  // in place) — the rule is "what the owner could not write, eqc does not
  // replace".
  REQUIRE(::chmod(path.c_str(), 0444) == 0);
  CHECK_THROWS_WITH(save(path, "x"), path + ": cannot write: Permission denied");
  CHECK(read_bytes(path) == "newer");
  CHECK((mode_of(path) & 07777) == 0444);
  CHECK(dir.entries() == std::vector<std::string>{"W"});
}

TEST_CASE("as root, an atomic write keeps another user's file theirs", "[file_io]") {
  if (::geteuid() != 0) {
    WARN("not root: changing a file's owner needs root; skipped");
    return;
  }
  ScratchDir dir;
  const std::string path = dir.file("W");
  save(path, "old");
  REQUIRE(::chown(path.c_str(), 65534, 65534) == 0);
  REQUIRE(::chmod(path.c_str(), 0644) == 0);
  save(path, "new");
  struct stat st {};
  REQUIRE(::stat(path.c_str(), &st) == 0);
  CHECK(st.st_uid == 65534);
  CHECK(st.st_gid == 65534);
  CHECK((st.st_mode & 07777) == 0644);
  CHECK(read_bytes(path) == "new");
  // Theirs and read-only: refused, unchanged.
  REQUIRE(::chmod(path.c_str(), 0444) == 0);
  CHECK_THROWS_WITH(save(path, "x"), path + ": cannot write: Permission denied");
  REQUIRE(::stat(path.c_str(), &st) == 0);
  CHECK(st.st_uid == 65534);
  CHECK(read_bytes(path) == "new");
}

// ---- item 12: checked writes -----------------------------------------------------

TEST_CASE("OutputFile reports the first write that fails, and its reason", "[file_io]") {
  eq::OutputFile full("/dev/full");
  CHECK_THROWS_WITH(full.write("epoch,loss\n"), "/dev/full: cannot write: No space left on device");

  ScratchDir dir;
  const std::string path = dir.file("log.csv");
  {
    eq::OutputFile log(path);
    log.write("a,b\n");
    log.write("1,2\n");
    log.close();
  }
  CHECK(read_bytes(path) == "a,b\n1,2\n");
  {
    eq::OutputFile log(path);  // truncates
    log.write("c\n");
  }  // closed by the destructor
  CHECK(read_bytes(path) == "c\n");

  bool threw = false;
  with_file_size_limit(8, [&] {
    eq::OutputFile log(path);
    log.write("12345");
    try {
      log.write("67890");
    } catch (const eq::Error& e) {
      threw = true;
      CHECK(std::string(e.what()) == path + ": cannot write: File too large");
    }
  });
  CHECK(threw);
  CHECK_THROWS_WITH(eq::OutputFile(dir.file("no/such/log.csv")),
                    dir.file("no/such/log.csv") + ": cannot write: the directory " +
                        dir.file("no/such") + " does not exist");
}

TEST_CASE("an atomic write that fails leaves the old file whole", "[file_io]") {
  ScratchDir dir;
  const std::string path = dir.file("p.csv");
  save(path, "old\n");
  std::string big(4096, 'x');
  bool threw = false;
  with_file_size_limit(1024, [&] {
    try {
      save(path, big);
    } catch (const eq::Error& e) {
      threw = true;
      CHECK(std::string(e.what()) == path + ": cannot write: File too large");
    }
  });
  CHECK(threw);
  CHECK(read_bytes(path) == "old\n");
  CHECK(dir.entries() == std::vector<std::string>{"p.csv"});
}
