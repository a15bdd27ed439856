// Diagnostics collection and caret rendering; see diagnostics.hpp.
#include "grammar/diagnostics.hpp"

#include <unicode/uchar.h>

#include <algorithm>

#include "grammar/utf8.hpp"
#include "runtime/error.hpp"

namespace eq {

void Diagnostics::error(Span span, std::string message) {
  error(span, std::move(message), {});
}

void Diagnostics::error(Span span, std::string message, std::vector<Span> secondary) {
  list_.push_back({Severity::Error, span, std::move(secondary), std::move(message)});
  ++errors_;
}

void Diagnostics::warning(Span span, std::string message, std::vector<Span> secondary) {
  list_.push_back({Severity::Warning, span, std::move(secondary), std::move(message)});
}

void Diagnostics::note(Span span, std::string message) { note(span, std::move(message), {}); }

void Diagnostics::note(Span span, std::string message, std::vector<Span> secondary) {
  list_.push_back({Severity::Note, span, std::move(secondary), std::move(message)});
}

std::string Diagnostics::render() const {
  std::string out;
  for (const Diagnostic& d : list_) out += eq::render(d);
  return out;
}

void Diagnostics::throw_if_errors() const {
  if (has_errors()) throw Error(render());
}

int display_width(char32_t cp) {
  if (cp == kInvalidCodePoint) return 1;
  if (cp == 0x200D || cp == 0x200B) return 0;
  const int8_t category = static_cast<int8_t>(u_charType(static_cast<UChar32>(cp)));
  if (category == U_NON_SPACING_MARK || category == U_ENCLOSING_MARK ||
      category == U_FORMAT_CHAR)
    return 0;
  const int width = u_getIntPropertyValue(static_cast<UChar32>(cp), UCHAR_EAST_ASIAN_WIDTH);
  return (width == U_EA_WIDE || width == U_EA_FULLWIDTH) ? 2 : 1;
}

namespace {

// Marks the columns of [begin, end) (byte offsets into `line`, clipped to it)
// in `marks`, one entry per byte: 0 none, 1 secondary, 2 primary.
void mark(std::vector<char>& marks, std::size_t begin, std::size_t end, char kind) {
  end = std::min(end, marks.size());
  for (std::size_t i = begin; i < end; ++i) marks[i] = std::max(marks[i], kind);
}

}  // namespace

std::string render(const Diagnostic& d) {
  const char* word = d.severity == Severity::Error     ? "error"
                     : d.severity == Severity::Warning ? "warning"
                                                       : "note";
  if (!d.span.valid()) return std::string(word) + ": " + d.message + "\n";

  const SourceFile& file = *d.span.file;
  const Location loc = file.location(d.span.begin);
  std::string out = file.name() + ":" + std::to_string(loc.line) + ":" +
                    std::to_string(loc.column) + ": " + word + ": " + d.message + "\n";

  const std::string_view line = file.line_text(loc.line);
  const uint32_t line_begin = file.line_start(loc.line);
  out.append(line);
  out += '\n';

  // One entry per byte of the line plus one past its end, so that a span at
  // the end of a line (a missing token) still gets its caret.
  std::vector<char> marks(line.size() + 1, 0);
  for (const Span& s : d.secondary) {
    if (s.file != d.span.file || s.end <= line_begin || s.begin > line_begin + line.size())
      continue;
    const std::size_t b = s.begin > line_begin ? s.begin - line_begin : 0;
    mark(marks, b, s.end - line_begin, 1);
  }
  const std::size_t first = d.span.begin - line_begin;
  mark(marks, first, std::max<std::size_t>(d.span.end - line_begin, first + 1), 2);

  std::string under;
  const char* p = line.data();
  const char* end = line.data() + line.size();
  std::size_t last_mark = 0;  // length of `under` after the last marked column
  while (p <= end) {
    const std::size_t i = static_cast<std::size_t>(p - line.data());
    char32_t cp = ' ';
    int len = 1;
    if (p < end) len = decode_utf8(p, end, &cp);
    const int width = cp == '\t' ? 1 : display_width(cp);
    const char kind = marks[i];
    if (kind == 0) {
      if (cp == '\t')
        under += '\t';
      else
        under.append(static_cast<std::size_t>(width), ' ');
    } else {
      const bool caret = kind == 2 && i == first;
      for (int w = 0; w < width; ++w) under += (caret && w == 0) ? '^' : '~';
      // A zero-width character at the caret position still needs its '^'.
      if (caret && width == 0) under += '^';
      last_mark = under.size();
    }
    p += len;
  }
  under.resize(last_mark);
  out += under;
  out += '\n';
  return out;
}

}  // namespace eq
