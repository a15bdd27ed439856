#include "eq/runtime/posix_file.hpp"

#include <sys/stat.h>

#include <cstring>

namespace eq {

Error file_error(const std::string& path, const std::string& what, int err) {
  return Error(path + ": " + what + ": " + std::strerror(err));
}

std::string file_kind(mode_t mode) {
  if (S_ISREG(mode)) return "a regular file";
  if (S_ISDIR(mode)) return "a directory";
  if (S_ISCHR(mode)) return "a character device";
  if (S_ISBLK(mode)) return "a block device";
  if (S_ISFIFO(mode)) return "a FIFO";
  if (S_ISSOCK(mode)) return "a socket";
  if (S_ISLNK(mode)) return "a symbolic link";
  return "of an unknown kind";
}

}  // namespace eq
