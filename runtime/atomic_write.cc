// write_file_atomically: the rules of what it replaces are in file_io.hpp.
#include <dirent.h>
#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <atomic>
#include <cerrno>
#include <charconv>
#include <climits>
#include <csignal>
#include <mutex>
#include <set>
#include <string_view>
#include <tuple>

#include "eq/runtime/error.hpp"
#include "eq/runtime/file_io.hpp"
#include "eq/runtime/posix_file.hpp"

namespace eq {
namespace {

// Splits "dir/name" into ("dir", "name"); a bare name lives in ".".
std::pair<std::string, std::string> split_path(const std::string& path) {
  std::size_t slash = path.rfind('/');
  if (slash == std::string::npos) return {".", path};
  if (slash == 0) return {"/", path.substr(1)};
  return {path.substr(0, slash), path.substr(slash + 1)};
}

// The name a write to `path` lands on: `path` followed through symlinks.
// Stops at the first name that is not a link (or does not exist yet).
std::string resolve_links(const std::string& path) {
  std::string at = path;
  for (int hops = 0; hops < 40; ++hops) {  // Linux's own limit (MAXSYMLINKS)
    struct stat st {};
    if (::lstat(at.c_str(), &st) != 0 || !S_ISLNK(st.st_mode)) return at;
    std::string target(PATH_MAX, '\0');
    ssize_t n = ::readlink(at.c_str(), target.data(), target.size());
    if (n < 0) throw file_error(path, "cannot write", errno);
    target.resize(static_cast<std::size_t>(n));
    // A relative target is relative to the link's folder.
    std::size_t slash = at.rfind('/');
    if (target.empty() || target[0] == '/' || slash == std::string::npos)
      at = target;
    else
      at = at.substr(0, slash + 1) + target;
  }
  throw file_error(path, "cannot write", ELOOP);
}

bool all_digits(std::string_view s) {
  if (s.empty()) return false;
  for (char c : s)
    if (c < '0' || c > '9') return false;
  return true;
}

// Removes ".BASE.tmp-PID-N" files in `dir` whose process has exited: what a
// writer killed between creating its temporary and renaming it leaves. Once
// per process and file: a run saving a checkpoint every step scans once.
void remove_stale_temporaries(const std::string& dir, const std::string& base) {
  static std::mutex mutex;
  static std::set<std::string> done;
  {
    std::lock_guard<std::mutex> lock(mutex);
    if (!done.insert(dir + "/" + base).second) return;
  }
  DIR* d = ::opendir(dir.c_str());
  if (!d) return;  // the write itself will report why
  const std::string prefix = "." + base + ".tmp-";
  const pid_t self = ::getpid();
  while (const dirent* e = ::readdir(d)) {
    std::string_view rest = e->d_name;
    if (!rest.starts_with(prefix)) continue;
    rest.remove_prefix(prefix.size());
    const std::size_t dash = rest.find('-');
    if (dash == std::string_view::npos || !all_digits(rest.substr(0, dash)) ||
        !all_digits(rest.substr(dash + 1)))
      continue;
    long long pid = 0;
    auto [end, ec] = std::from_chars(rest.data(), rest.data() + dash, pid);
    if (ec != std::errc() || pid <= 0 || pid > INT_MAX || pid == self) continue;
    // ESRCH: no such process. EPERM means it exists (another user's): keep.
    if (::kill(static_cast<pid_t>(pid), 0) == 0 || errno != ESRCH) continue;
    ::unlinkat(::dirfd(d), e->d_name, 0);  // best effort: a failure leaves it for next time
  }
  ::closedir(d);
}

void write_all(int fd, const void* data, std::size_t size, const std::string& path) {
  const char* p = static_cast<const char*>(data);
  while (size > 0) {
    ssize_t n = ::write(fd, p, size);
    if (n < 0) {
      if (errno == EINTR) continue;
      throw file_error(path, "cannot write", errno);
    }
    p += n;
    size -= static_cast<std::size_t>(n);
  }
}

}  // namespace

namespace {

// Where `path` would be written, and what is there now, which decides
// whether it may be replaced and the mode and owner the new file gets.
// Throws the error a write would meet, before anything is written.
struct Target {
  std::string path, dir, base;
  struct stat old {};
  bool exists = false;
};

Target writable_target(const std::string& path) {
  Target t;
  t.path = resolve_links(path);
  std::tie(t.dir, t.base) = split_path(t.path);
  if (t.base.empty()) throw Error(path + ": cannot write: the path names a directory");
  t.exists = ::lstat(t.path.c_str(), &t.old) == 0;
  if (!t.exists && errno != ENOENT) throw file_error(path, "cannot write", errno);
  if (t.exists) {
    if (S_ISDIR(t.old.st_mode)) throw file_error(path, "cannot write", EISDIR);
    if (!S_ISREG(t.old.st_mode))
      throw Error(path +
                  ": cannot write: " + (t.path == path ? "" : "its target " + t.path + " is ") +
                  "not a regular file (" + file_kind(t.old.st_mode) + ")");
    if (::faccessat(AT_FDCWD, t.path.c_str(), W_OK, AT_EACCESS) != 0)
      throw file_error(path, "cannot write", errno);
    if (!(t.old.st_mode & S_IWUSR)) throw file_error(path, "cannot write", EACCES);
  }
  // The temporary is created in the folder: it must exist and take files.
  if (::faccessat(AT_FDCWD, t.dir.c_str(), W_OK | X_OK, AT_EACCESS) != 0)
    throw file_error(path, "cannot write", errno);
  return t;
}

}  // namespace

void check_writable(const std::string& path) { writable_target(path); }

void write_file_atomically(const std::string& path, std::span<const ByteChunk> chunks) {
  const Target t = writable_target(path);
  const std::string& target = t.path;
  const std::string& dir = t.dir;
  const std::string& base = t.base;
  const struct stat& old = t.old;
  const bool exists = t.exists;
  remove_stale_temporaries(dir, base);

  // A name no other writer uses: our pid plus a per-process counter. O_EXCL
  // makes a clash (a stale file from a crashed run with a reused pid) an
  // error we step over rather than a file we clobber.
  static std::atomic<unsigned> counter{0};
  std::string temp;
  FileDescriptor f;
  for (int attempt = 0; f.fd < 0; ++attempt) {
    temp = dir + "/." + base + ".tmp-" + std::to_string(::getpid()) + "-" +
           std::to_string(counter.fetch_add(1));
    f.fd = ::open(temp.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0666);
    if (f.fd < 0 && (errno != EEXIST || attempt > 100))
      throw file_error(path, "cannot write", errno);
  }

  // From here on, any failure removes the temporary before it propagates.
  try {
    for (const ByteChunk& c : chunks) write_all(f.fd, c.data, c.size, path);
    if (exists) {
      // Owner first: a change of owner may clear mode bits. Only root (or a
      // member of the file's group, for the group) may do this; otherwise
      // the file becomes ours, as any editor's save would make it.
      if ((old.st_uid != ::geteuid() || old.st_gid != ::getegid()) &&
          ::fchown(f.fd, old.st_uid, old.st_gid) != 0)
        (void)::fchown(f.fd, static_cast<uid_t>(-1), old.st_gid);
      if (::fchmod(f.fd, old.st_mode & 0777) != 0) throw file_error(path, "cannot write", errno);
    }
    if (::fsync(f.fd) != 0) throw file_error(path, "cannot write", errno);
    if (::close(f.release()) != 0) throw file_error(path, "cannot write", errno);
    if (::rename(temp.c_str(), target.c_str()) != 0) throw file_error(path, "cannot write", errno);
  } catch (...) {
    ::unlink(temp.c_str());
    throw;
  }

  // The new file is in place; make the directory entry durable too.
  FileDescriptor d(::open(dir.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC));
  if (d.fd < 0 || ::fsync(d.fd) != 0)
    throw file_error(path, "written, but cannot sync its directory", errno);
}

void write_file_atomically(const std::string& path, std::string_view bytes) {
  const ByteChunk chunk{bytes.data(), bytes.size()};
  write_file_atomically(path, std::span<const ByteChunk>(&chunk, 1));
}

}  // namespace eq
