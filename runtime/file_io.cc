#include "runtime/file_io.hpp"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <atomic>
#include <cerrno>
#include <cstring>

#include "runtime/error.hpp"

namespace eq {
namespace {

std::string reason(int err) { return std::strerror(err); }

[[noreturn]] void fail(const std::string& path, const std::string& what, int err) {
  throw Error(path + ": " + what + ": " + reason(err));
}

// Closes a descriptor on scope exit unless released.
struct Fd {
  int fd = -1;
  ~Fd() {
    if (fd >= 0) ::close(fd);
  }
};

// Splits "dir/name" into ("dir", "name"); a bare name lives in ".".
std::pair<std::string, std::string> split_path(const std::string& path) {
  std::size_t slash = path.rfind('/');
  if (slash == std::string::npos) return {".", path};
  if (slash == 0) return {"/", path.substr(1)};
  return {path.substr(0, slash), path.substr(slash + 1)};
}

void write_all(int fd, const void* data, std::size_t size, const std::string& path) {
  const char* p = static_cast<const char*>(data);
  while (size > 0) {
    ssize_t n = ::write(fd, p, size);
    if (n < 0) {
      if (errno == EINTR) continue;
      fail(path, "cannot write", errno);
    }
    p += n;
    size -= static_cast<std::size_t>(n);
  }
}

}  // namespace

std::string read_file(const std::string& path) {
  Fd f;
  f.fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
  if (f.fd < 0) fail(path, "cannot read", errno);
  struct stat st {};
  if (::fstat(f.fd, &st) != 0) fail(path, "cannot read", errno);
  if (S_ISDIR(st.st_mode)) fail(path, "cannot read", EISDIR);
  std::string bytes;
  if (S_ISREG(st.st_mode)) bytes.reserve(static_cast<std::size_t>(st.st_size));
  char buffer[1 << 16];
  for (;;) {
    ssize_t n = ::read(f.fd, buffer, sizeof buffer);
    if (n < 0) {
      if (errno == EINTR) continue;
      fail(path, "cannot read", errno);
    }
    if (n == 0) break;
    bytes.append(buffer, static_cast<std::size_t>(n));
  }
  return bytes;
}

void write_file_atomically(const std::string& path, std::span<const ByteChunk> chunks) {
  auto [dir, base] = split_path(path);
  if (base.empty()) throw Error(path + ": cannot write: the path names a directory");

  // A name no other writer uses: our pid plus a per-process counter. O_EXCL
  // makes a clash (a stale file from a crashed run with a reused pid) an
  // error we step over rather than a file we clobber.
  static std::atomic<unsigned> counter{0};
  std::string temp;
  Fd f;
  for (int attempt = 0; f.fd < 0; ++attempt) {
    temp = dir + "/." + base + ".tmp-" + std::to_string(::getpid()) + "-" +
           std::to_string(counter.fetch_add(1));
    f.fd = ::open(temp.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0666);
    if (f.fd < 0 && (errno != EEXIST || attempt > 100)) fail(path, "cannot write", errno);
  }

  // From here on, any failure removes the temporary before it propagates.
  try {
    for (const ByteChunk& c : chunks) write_all(f.fd, c.data, c.size, path);
    if (::fsync(f.fd) != 0) fail(path, "cannot write", errno);
    int fd = f.fd;
    f.fd = -1;
    if (::close(fd) != 0) fail(path, "cannot write", errno);
    if (::rename(temp.c_str(), path.c_str()) != 0) fail(path, "cannot write", errno);
  } catch (...) {
    ::unlink(temp.c_str());
    throw;
  }

  // The new file is in place; make the directory entry durable too.
  Fd d;
  d.fd = ::open(dir.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
  if (d.fd < 0 || ::fsync(d.fd) != 0) fail(path, "written, but cannot sync its directory", errno);
}

}  // namespace eq
