// UTF-8 decoding and located error messages for the data loaders and the
// compiler's diagnostics.
//
// Positions in loaded files are byte offsets; the line and the column (in
// characters, 1-based) are computed only when a message is made (most
// positions are never printed), and every located message has the one form
// of eq's diagnostics:
//   iris.csv:12:9: error: 'abc' is not a number (column 'sepal_width_cm')
//   4.9,3.0,abc,0.2,0
//           ^~~
#pragma once

#include <cstddef>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace eq::utf8 {

// Decodes the code point starting at bytes[i] into `cp` and returns its length
// in bytes (1 to 4), or 0 when the bytes there are not valid UTF-8: a stray
// continuation byte, a missing or bad continuation, an overlong form, a
// surrogate, or a value past U+10FFFF.
int decode(std::string_view bytes, std::size_t i, char32_t& cp);

// Appends the UTF-8 form of `cp` (a valid scalar value) to `out`.
void append(std::string& out, char32_t cp);
std::string encode(char32_t cp);

// The byte offset of the first invalid sequence, or std::string_view::npos.
std::size_t find_invalid(std::string_view bytes);

// How many characters of a line a message shows: one screen width.
inline constexpr std::size_t kShownWidth = 80;

// `text` when it has at most `max_chars` characters; else its first
// max_chars − 1 and "…". For quoting a user's text (a CSV field) in a message.
std::string shorten(std::string_view text, std::size_t max_chars = 40);

}  // namespace eq::utf8

namespace eq {

// What located_error may add to its one caret: the word after the position,
// further byte ranges underlined with '~' where they meet the caret's line,
// and the display width of a code point (1 for every character when null;
// the front end passes its East Asian width so carets line up under CJK).
struct CaretStyle {
  std::string_view severity = "error";
  std::vector<std::pair<std::size_t, std::size_t>> also;  // [begin, end) byte ranges
  int (*width)(char32_t) = nullptr;
};

// "name:line:col: error: message", then the source line holding `offset` and
// a caret under the `length` bytes from there (`^~~~`). Invalid bytes count as
// one character each and print as U+FFFD; control characters but the tab print
// as their pictures (NUL as ␀), in the line and in the message. Tabs before the
// caret are kept, so the caret lines up under a tabbed line. A line longer than
// utf8::kShownWidth characters is shown as a window of that many around the
// spot, "…" marking each cut end; the column is still the real one. This is the
// one caret renderer: grammar/diagnostics.cc renders every compiler diagnostic
// through it.
std::string located_error(std::string_view name, std::string_view text, std::size_t offset,
                          std::size_t length, std::string_view message,
                          const CaretStyle& style = {});

}  // namespace eq
