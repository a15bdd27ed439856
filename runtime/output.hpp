// Checked output: every write eqc makes either reaches the file or ends in an
// eq::Error "PATH: cannot write: REASON" — a full disk, a file size limit, a
// closed pipe never pass silently.
//  - OutputFile: a file written piece by piece while a run goes on (the
//    training log), where an atomic whole-file write does not fit because
//    the pieces must be visible as they come. Each write goes straight to
//    the system (no buffer to lose), so the error names the write that failed.
//  - finish_stdout: standard output is written through stdio (printf,
//    std::cout) and its errors only show when the buffer is flushed; eqc
//    calls this once at the end of every command.
// Whole files that replace another (weights, predictions) are written with
// write_file_atomically (file_io.hpp) instead.
#pragma once

#include <string>
#include <string_view>

namespace eq {

class OutputFile {
 public:
  // Creates or truncates `path` (any file that can be opened for writing,
  // e.g. /dev/stderr, not only regular ones).
  explicit OutputFile(std::string path);
  OutputFile(OutputFile&& other) noexcept;
  OutputFile& operator=(OutputFile&& other) noexcept;
  OutputFile(const OutputFile&) = delete;
  OutputFile& operator=(const OutputFile&) = delete;
  ~OutputFile();  // closes; an error closing is only reported by close()

  // Writes all of `bytes`, or throws.
  void write(std::string_view bytes);
  void close();
  const std::string& path() const { return path_; }

 private:
  std::string path_;
  int fd_ = -1;
};

// Flushes standard output; throws eq::Error "standard output: cannot write:
// REASON" if this or any earlier write to it failed. (For an earlier
// failure, whose reason stdio does not keep, it writes one more newline to
// learn it.)
void finish_stdout();

}  // namespace eq
