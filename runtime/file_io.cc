// Reading (file_io.hpp). The atomic writer is in atomic_write.cc.
#include "eq/runtime/file_io.hpp"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstdint>
#include <cstring>

#include "eq/runtime/error.hpp"
#include "eq/runtime/posix_file.hpp"

namespace eq {

std::uint64_t read_le(std::string_view b, std::size_t at, int bytes) {
  std::uint64_t v = 0;
  for (int i = 0; i < bytes; ++i)
    v |= std::uint64_t{static_cast<unsigned char>(b[at + static_cast<std::size_t>(i)])} << (8 * i);
  return v;
}

BinaryKind binary_kind(std::string_view b) {
  // safetensors: an 8-byte little-endian header length, then a JSON object.
  if (b.size() > 9 && b[8] == '{' && read_le(b, 0, 8) <= b.size() - 8)
    return BinaryKind::safetensors;
  if (b.starts_with("\x93NUMPY")) return BinaryKind::npy;
  return BinaryKind::none;
}

std::string describe(BinaryKind kind) {
  switch (kind) {
    case BinaryKind::safetensors:
      return "a weights file (safetensors)";
    case BinaryKind::npy:
      return "a NumPy array (.npy)";
    case BinaryKind::none:
      break;
  }
  return "a text file";
}

void refuse_binary(std::string_view bytes, const std::string& path, const std::string& expected) {
  if (const BinaryKind kind = binary_kind(bytes); kind != BinaryKind::none)
    throw Error(path + ": this is " + describe(kind) + ", not " + expected);
}

std::string read_file(const std::string& path) {
  // Look before opening: opening a FIFO waits for a writer, and opening a
  // device may do something.
  struct stat st {};
  if (::stat(path.c_str(), &st) != 0) throw file_error(path, "cannot read", errno);
  if (S_ISDIR(st.st_mode)) throw file_error(path, "cannot read", EISDIR);
  if (!S_ISREG(st.st_mode))
    throw Error(path + ": cannot read: not a regular file (" + file_kind(st.st_mode) + ")");
  FileDescriptor f(::open(path.c_str(), O_RDONLY | O_CLOEXEC));
  if (f.fd < 0) throw file_error(path, "cannot read", errno);
  if (::fstat(f.fd, &st) != 0) throw file_error(path, "cannot read", errno);
  if (!S_ISREG(st.st_mode))  // replaced between the two looks
    throw Error(path + ": cannot read: not a regular file (" + file_kind(st.st_mode) + ")");

  // The size at opening bounds the read: a file that grows meanwhile (a log
  // being written) is read as it was.
  std::string bytes(static_cast<std::size_t>(st.st_size), '\0');
  std::size_t got = 0;
  while (got < bytes.size()) {
    ssize_t n = ::read(f.fd, bytes.data() + got, bytes.size() - got);
    if (n < 0) {
      if (errno == EINTR) continue;
      throw file_error(path, "cannot read", errno);
    }
    if (n == 0) break;  // it shrank
    got += static_cast<std::size_t>(n);
  }
  bytes.resize(got);
  return bytes;
}

std::string read_stream(int fd, const std::string& name, std::size_t max_bytes) {
  std::string bytes;
  char buffer[1 << 16];
  for (;;) {
    ssize_t n = ::read(fd, buffer, sizeof buffer);
    if (n < 0) {
      if (errno == EINTR) continue;
      throw file_error(name, "cannot read", errno);
    }
    if (n == 0) break;
    if (static_cast<std::size_t>(n) > max_bytes - bytes.size())
      throw Error(name + ": cannot read: more than " + std::to_string(max_bytes) + " bytes");
    bytes.append(buffer, static_cast<std::size_t>(n));
  }
  return bytes;
}

}  // namespace eq
