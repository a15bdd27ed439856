// Small POSIX helpers shared by the file readers and writers (file_io.cc,
// atomic_write.cc, output.cc): one error form, the name of a file's kind,
// and a descriptor closed on scope exit.
#pragma once

#include <sys/types.h>
#include <unistd.h>

#include <string>

#include "eq/runtime/error.hpp"

namespace eq {

// eq::Error "`path`: `what`: <strerror(err)>", e.g. "W: cannot write: File too large";
// "cannot write" into a directory that does not exist says "the directory D does not exist".
Error file_error(const std::string& path, const std::string& what, int err);

// "a character device", "a FIFO", "a directory", ... for an st_mode.
std::string file_kind(mode_t mode);

// Closes the descriptor on scope exit unless released first.
struct FileDescriptor {
  int fd = -1;
  FileDescriptor() = default;
  explicit FileDescriptor(int f) : fd(f) {}
  FileDescriptor(const FileDescriptor&) = delete;
  FileDescriptor& operator=(const FileDescriptor&) = delete;
  ~FileDescriptor() {
    if (fd >= 0) ::close(fd);
  }
  int release() {
    int f = fd;
    fd = -1;
    return f;
  }
};

}  // namespace eq
