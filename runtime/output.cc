#include "eq/runtime/output.hpp"

#include <fcntl.h>
#include <unistd.h>

#include <cerrno>
#include <cstdio>
#include <utility>

#include "eq/runtime/error.hpp"
#include "eq/runtime/posix_file.hpp"

namespace eq {

OutputFile::OutputFile(std::string path) : path_(std::move(path)) {
  fd_ = ::open(path_.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0666);
  if (fd_ < 0) throw file_error(path_, "cannot write", errno);
}

OutputFile::OutputFile(OutputFile&& other) noexcept
    : path_(std::move(other.path_)), fd_(std::exchange(other.fd_, -1)) {}

OutputFile& OutputFile::operator=(OutputFile&& other) noexcept {
  if (this != &other) {
    if (fd_ >= 0) ::close(fd_);
    path_ = std::move(other.path_);
    fd_ = std::exchange(other.fd_, -1);
  }
  return *this;
}

OutputFile::~OutputFile() {
  if (fd_ >= 0) ::close(fd_);
}

void OutputFile::write(std::string_view bytes) {
  EQ_ASSERT(fd_ >= 0, "write to a closed OutputFile");
  while (!bytes.empty()) {
    ssize_t n = ::write(fd_, bytes.data(), bytes.size());
    if (n < 0) {
      if (errno == EINTR) continue;
      throw file_error(path_, "cannot write", errno);
    }
    bytes.remove_prefix(static_cast<std::size_t>(n));
  }
}

void OutputFile::close() {
  if (fd_ < 0) return;
  if (::close(std::exchange(fd_, -1)) != 0) throw file_error(path_, "cannot write", errno);
}

void finish_stdout() {
  errno = 0;
  const bool flushed = std::fflush(stdout) == 0;
  int err = errno;
  if (flushed && !std::ferror(stdout)) return;
  if (flushed || err == 0) {
    // A write failed earlier, when stdio flushed a full buffer, and stdio
    // keeps no reason. The output is already incomplete; one more byte
    // written to it asks the system again (a full disk, a file size limit
    // and a closed pipe all answer the same way twice).
    err = ::write(STDOUT_FILENO, "\n", 1) < 0 ? errno : 0;
    if (err == 0)
      throw Error("standard output: cannot write: some of the output was lost (a write failed)");
  }
  throw file_error("standard output", "cannot write", err);
}

}  // namespace eq
