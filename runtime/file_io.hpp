// Whole-file reads and atomic whole-file writes, shared by the file formats
// (safetensors, npy), the data loaders and eqc's outputs. Errors are
// eq::Errors of one form: "PATH: cannot read: REASON", "PATH: cannot write:
// REASON".
//
// Reading takes regular files only: a device, FIFO or socket may never end
// (/dev/zero) or block, so it is refused before it is opened. A regular file
// is read up to the size it had when opened. Standard input, which may be a
// pipe, is read with read_stream and a limit.
//
// write_file_atomically never leaves a half-written file at `path` and never
// destroys the previous one on failure: it writes a temporary file
// (".NAME.tmp-PID-N") in the same directory, fsyncs it, renames it over the
// file (atomic on POSIX) and fsyncs the directory so the rename itself
// survives a crash. On any error the temporary is removed, the file is
// untouched, and the error names the path and the system's reason. What it
// replaces, and how:
//  - a symlink is followed (through any chain of links): the file it points
//    to is replaced and the link stays. A dangling link's target is created.
//  - only a regular file is replaced: a directory, device, FIFO or socket is
//    refused ("not a regular file (a FIFO)").
//  - only a file the user could write in place is replaced: the effective
//    user must have write access (faccessat), and a file whose owner has no
//    write permission (mode u-w, e.g. 0444) is refused even when access says
//    yes, as it always does for root: read-only means read-only for everyone.
//  - the new file keeps the old one's permission bits (0777 of the mode) and,
//    when the process may set them (root, or a group it is in), its owner
//    and group. A new file gets 0666 less the umask. Hard links to the old
//    file keep the old contents (a rename makes a new inode).
//  - temporaries that writers of the same file left when they were killed
//    (their process no longer exists) are removed, once per process and file.
//    A temporary of a live process, or one that does not follow the naming
//    pattern, is never touched.
#pragma once

#include <cstddef>
#include <cstdint>
#include <span>
#include <string>
#include <string_view>

namespace eq {

// The bytes of the regular file at `path`. Throws eq::Error
// "`path`: cannot read: <reason>" when it cannot be opened or read, and
// "`path`: cannot read: not a regular file (a character device)" for what
// is not a file.
std::string read_file(const std::string& path);

// The unsigned little-endian integer of `bytes` bytes (at most 8) at `at`
// of `b`, which must hold them: the lengths in npy and safetensors headers.
std::uint64_t read_le(std::string_view b, std::size_t at, int bytes);

// Which of the binary formats eq reads a file's bytes are in, if any: for
// messages about a file given where a text one goes.
enum class BinaryKind { none, safetensors, npy };
BinaryKind binary_kind(std::string_view bytes);
// "a weights file (safetensors)", "a NumPy array (.npy)".
std::string describe(BinaryKind kind);
// Throws eq::Error "`path`: this is <kind>, not `expected`" when `bytes`
// are in a binary format.
void refuse_binary(std::string_view bytes, const std::string& path, const std::string& expected);

// Everything readable from `fd` until end of file, at most `max_bytes`;
// past that, eq::Error "`name`: cannot read: more than N bytes".
std::string read_stream(int fd, const std::string& name, std::size_t max_bytes);

// One piece of the output; pieces are written back to back, in order.
struct ByteChunk {
  const void* data = nullptr;
  std::size_t size = 0;
};

void write_file_atomically(const std::string& path, std::span<const ByteChunk> chunks);
void write_file_atomically(const std::string& path, std::string_view bytes);
// Throws the eq::Error write_file_atomically(path, …) would meet before it
// writes anything (a missing or read-only folder, a device, a read-only
// file), so that a long run can refuse an output path before it starts.
void check_writable(const std::string& path);

}  // namespace eq
