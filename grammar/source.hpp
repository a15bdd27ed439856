// A source text and positions in it.
//
// SourceFile owns one file's text, normalised to NFC so that a precomposed
// `ĉ` and `c` + U+0302 are the same bytes (docs/language.md §1). Everything after
// this point — tokens, AST nodes, IR nodes — refers to the text by Span: byte
// offsets into the *normalised* text plus the file they belong to. Lines and
// columns are computed only when a position is printed (most never are).
//
// A UTF-8 byte-order mark at the start is dropped before anything else.
//
// Text that is not valid UTF-8 is kept as it is, unnormalised; the lexer then
// reports the first bad byte with its line and column.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

namespace eq {

class SourceFile;

// A range of bytes [begin, end) in one SourceFile. A default Span has no file
// and prints without a position.
struct Span {
  const SourceFile* file = nullptr;
  uint32_t begin = 0;
  uint32_t end = 0;

  bool valid() const { return file != nullptr; }
  uint32_t size() const { return end - begin; }
  // The smallest span covering both (same file assumed).
  static Span cover(const Span& a, const Span& b) {
    return {a.file ? a.file : b.file, a.begin < b.begin ? a.begin : b.begin,
            a.end > b.end ? a.end : b.end};
  }
};

// A 1-based line and a 1-based column counted in characters (code points;
// an invalid byte counts as one).
struct Location {
  uint32_t line = 0;
  uint32_t column = 0;
};

class SourceFile {
 public:
  // Takes the raw bytes of a file; `name` is what diagnostics print.
  SourceFile(std::string name, std::string bytes);
  SourceFile(const SourceFile&) = delete;
  SourceFile& operator=(const SourceFile&) = delete;

  const std::string& name() const { return name_; }
  // The NFC-normalised text (or the raw bytes when they are not UTF-8).
  // text().c_str() is NUL-terminated; the lexer relies on that sentinel.
  const std::string& text() const { return text_; }
  bool valid_utf8() const { return valid_utf8_; }

  Location location(uint32_t byte_offset) const;
  uint32_t line_count() const { return static_cast<uint32_t>(line_starts_.size()); }
  // Byte offset where a 1-based line starts.
  uint32_t line_start(uint32_t line) const { return line_starts_[line - 1]; }
  // The text of a 1-based line, without its newline (and without a '\r').
  std::string_view line_text(uint32_t line) const;
  // The source text a span covers.
  std::string_view slice(const Span& span) const {
    return std::string_view(text_).substr(span.begin, span.end - span.begin);
  }
  Span span(uint32_t begin, uint32_t end) const { return {this, begin, end}; }

 private:
  std::string name_;
  std::string text_;
  bool valid_utf8_ = true;
  std::vector<uint32_t> line_starts_;
  // Valid UTF-8: the offsets of its continuation bytes, so that a column is
  // found by two binary searches, not by decoding the line up to it (which
  // made printing every node of a 200,000-character line quadratic).
  std::vector<uint32_t> continuations_;
};

// NFC-normalises valid UTF-8 text with ICU.
std::string normalize_nfc(const std::string& utf8);

}  // namespace eq
