#include "eq/runtime/utf8.hpp"

#include <algorithm>

#include "eq/runtime/error.hpp"

namespace eq::utf8 {

int decode(std::string_view bytes, std::size_t i, char32_t& cp) {
  auto byte = [&](std::size_t k) { return static_cast<unsigned char>(bytes[k]); };
  unsigned char b0 = byte(i);
  if (b0 < 0x80) {
    cp = b0;
    return 1;
  }
  int len;
  char32_t min;  // the smallest value of this length: smaller ones are overlong
  if ((b0 & 0xE0) == 0xC0)
    len = 2, cp = b0 & 0x1F, min = 0x80;
  else if ((b0 & 0xF0) == 0xE0)
    len = 3, cp = b0 & 0x0F, min = 0x800;
  else if ((b0 & 0xF8) == 0xF0)
    len = 4, cp = b0 & 0x07, min = 0x10000;
  else
    return 0;
  if (i + len > bytes.size()) return 0;
  for (int k = 1; k < len; ++k) {
    unsigned char b = byte(i + k);
    if ((b & 0xC0) != 0x80) return 0;
    cp = (cp << 6) | (b & 0x3F);
  }
  if (cp < min || cp > 0x10FFFF || (cp >= 0xD800 && cp <= 0xDFFF)) return 0;
  return len;
}

void append(std::string& out, char32_t cp) {
  EQ_ASSERT(cp <= 0x10FFFF && !(cp >= 0xD800 && cp <= 0xDFFF), "not a Unicode scalar value");
  auto put = [&](unsigned v) { out.push_back(static_cast<char>(v)); };
  if (cp < 0x80) {
    put(cp);
  } else if (cp < 0x800) {
    put(0xC0 | (cp >> 6)), put(0x80 | (cp & 0x3F));
  } else if (cp < 0x10000) {
    put(0xE0 | (cp >> 12)), put(0x80 | ((cp >> 6) & 0x3F)), put(0x80 | (cp & 0x3F));
  } else {
    put(0xF0 | (cp >> 18)), put(0x80 | ((cp >> 12) & 0x3F)), put(0x80 | ((cp >> 6) & 0x3F)),
        put(0x80 | (cp & 0x3F));
  }
}

std::string encode(char32_t cp) {
  std::string s;
  append(s, cp);
  return s;
}

std::size_t find_invalid(std::string_view bytes) {
  char32_t cp;
  for (std::size_t i = 0; i < bytes.size();) {
    // ASCII runs are the common case; skip them without decoding.
    if (static_cast<unsigned char>(bytes[i]) < 0x80) {
      ++i;
      continue;
    }
    int n = decode(bytes, i, cp);
    if (n == 0) return i;
    i += static_cast<std::size_t>(n);
  }
  return std::string_view::npos;
}

}  // namespace eq::utf8

namespace eq::utf8 {

std::string shorten(std::string_view text, std::size_t max_chars) {
  std::size_t i = 0, chars = 0;
  char32_t cp;
  while (i < text.size() && chars + 1 < max_chars) {
    const int n = decode(text, i, cp);
    i += n ? static_cast<std::size_t>(n) : 1;
    ++chars;
  }
  // `chars` + 1 characters are left for the rest: does it fit whole?
  std::size_t rest = i;
  if (rest < text.size()) {
    const int n = decode(text, rest, cp);
    rest += n ? static_cast<std::size_t>(n) : 1;
  }
  if (rest >= text.size()) return std::string(text);
  return std::string(text.substr(0, i)) + "…";
}

}  // namespace eq::utf8

namespace eq {
namespace {

// The character at byte i and its length; an invalid byte is one U+FFFD.
std::pair<char32_t, std::size_t> char_at(std::string_view text, std::size_t i) {
  char32_t cp;
  const int n = utf8::decode(text, i, cp);
  if (n == 0) return {0xFFFD, 1};
  return {cp, static_cast<std::size_t>(n)};
}

// How a character is drawn in a message: control characters as their
// Unicode pictures (U+2400 + c, and ␡ for DEL), so that a NUL cannot end the
// message early nor a CR overwrite the line in a terminal. A tab stays a tab,
// so that the caret line, which copies it, stays aligned.
char32_t picture(char32_t cp) {
  if (cp < 0x20 && cp != '\t') return cp + 0x2400;
  if (cp == 0x7F) return 0x2421;
  return cp;
}

std::string visible(std::string_view text) {
  std::string out;
  for (std::size_t i = 0; i < text.size();) {
    auto [cp, n] = char_at(text, i);
    utf8::append(out, picture(cp));
    i += n;
  }
  return out;
}

}  // namespace

std::string located_error(std::string_view name, std::string_view text, std::size_t offset,
                          std::size_t length, std::string_view message, const CaretStyle& style) {
  if (offset > text.size()) offset = text.size();
  std::size_t line_start = offset;
  while (line_start > 0 && text[line_start - 1] != '\n') --line_start;
  std::size_t line_end = text.find('\n', offset);
  if (line_end == std::string_view::npos) line_end = text.size();
  if (line_end > line_start && text[line_end - 1] == '\r') --line_end;
  std::size_t line = 1;
  for (std::size_t i = 0; i < line_start; ++i) line += text[i] == '\n';

  // 2 under the primary range, 1 under a secondary one, 0 elsewhere.
  const std::size_t span_end = offset + std::max<std::size_t>(length, 1);
  auto mark = [&](std::size_t i) {
    if (i >= offset && i < span_end) return 2;
    for (const auto& [b, e] : style.also)
      if (i >= b && i < e) return 1;
    return 0;
  };

  // Columns count characters. Count those before the spot, then at most a
  // window's worth after it: a line may be a gigabyte long.
  const std::size_t window = utf8::kShownWidth;
  std::size_t column = 0, i = line_start;
  for (; i < offset && i < line_end; ++column) i += char_at(text, i).second;
  std::size_t counted = column;
  for (; i < line_end && counted < column + window; ++counted) i += char_at(text, i).second;
  const bool longer = i < line_end;  // more characters than `counted`

  // The window of characters shown: all of a short line; else up to half a
  // window before the spot, or the last window of the line near its end.
  std::size_t first = 0;
  if (longer || counted > window) {
    first = column > window / 2 ? column - window / 2 : 0;
    if (!longer) first = std::min(first, counted - window);
  }
  const std::size_t last = first + window;  // one past the window
  const bool cut_left = first > 0, cut_right = longer || counted > last;

  // Walk the window once, by characters: render it, and build the caret line
  // with each character's display width.
  std::string shown, caret;
  std::size_t used = 0;  // length of `caret` up to its last mark
  bool headed = false;   // the primary range's '^' is drawn
  i = line_start;
  for (std::size_t k = 0; i < line_end && k < last; ++k) {
    const auto [cp, n] = char_at(text, i);
    if (k >= first) {
      const bool cut = (k == first && cut_left) || (k + 1 == last && cut_right);
      const char32_t drawn = cut ? U'…' : picture(cp);
      utf8::append(shown, drawn);
      const int width = drawn == '\t' || !style.width ? 1 : style.width(drawn);
      if (const int kind = mark(i); kind == 0) {
        if (drawn == '\t')
          caret += '\t';
        else
          caret.append(static_cast<std::size_t>(width), ' ');
      } else {
        const bool head = kind == 2 && !headed;
        headed = headed || head;
        for (int w = 0; w < width; ++w) caret += head && w == 0 ? '^' : '~';
        if (head && width == 0) caret += '^';  // a zero-width character still gets its caret
        used = caret.size();
      }
    }
    i += n;
  }
  if (offset >= line_end) caret += '^', used = caret.size();  // a spot past the end of the line
  caret.resize(used);
  return std::string(name) + ":" + std::to_string(line) + ":" + std::to_string(column + 1) + ": " +
         std::string(style.severity) + ": " + visible(message) + "\n" + shown + "\n" + caret;
}

}  // namespace eq
