#include "eq/runtime/posix_file.hpp"

#include <sys/stat.h>

#include <cerrno>
#include <cstring>

namespace eq {

Error file_error(const std::string& path, const std::string& what, int err) {
  // A file cannot be made in a directory that is not there: name it
  // ("No such file or directory" reads as if the file itself were missing).
  if (err == ENOENT && what == "cannot write") {
    const auto slash = path.find_last_of('/');
    if (slash != std::string::npos && slash > 0) {
      const std::string dir = path.substr(0, slash);
      struct stat st {};
      if (::stat(dir.c_str(), &st) != 0 && errno == ENOENT)
        return Error(path + ": " + what + ": the directory " + dir + " does not exist");
    }
  }
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
