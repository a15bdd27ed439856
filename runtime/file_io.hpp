// Whole-file reads and atomic whole-file writes, shared by the file formats
// (safetensors, npy) and the data loaders.
//
// write_file_atomically never leaves a half-written file at `path` and never
// destroys the previous one on failure: it writes a temporary file in the same
// directory, fsyncs it, renames it over `path` (atomic on POSIX) and fsyncs the
// directory so the rename itself survives a crash. On any error the temporary
// is removed, `path` is untouched, and an eq::Error names the file and the
// system's reason.
#pragma once

#include <cstddef>
#include <span>
#include <string>
#include <string_view>

namespace eq {

// The bytes of the file at `path`. Throws eq::Error
// "`path`: cannot read: <reason>" when it cannot be opened or read.
std::string read_file(const std::string& path);

// One piece of the output; pieces are written back to back, in order.
struct ByteChunk {
  const void* data = nullptr;
  std::size_t size = 0;
};

void write_file_atomically(const std::string& path, std::span<const ByteChunk> chunks);

}  // namespace eq
