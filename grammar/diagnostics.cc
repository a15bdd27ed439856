// Diagnostics collection and caret rendering; see diagnostics.hpp.
#include "eq/grammar/diagnostics.hpp"

#include <unicode/uchar.h>

#include "eq/grammar/utf8.hpp"
#include "eq/runtime/error.hpp"
#include "eq/runtime/utf8.hpp"

namespace eq {

void Diagnostics::error(Span span, std::string message) { error(span, std::move(message), {}); }

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
  if (category == U_NON_SPACING_MARK || category == U_ENCLOSING_MARK || category == U_FORMAT_CHAR)
    return 0;
  const int width = u_getIntPropertyValue(static_cast<UChar32>(cp), UCHAR_EAST_ASIAN_WIDTH);
  return (width == U_EA_WIDE || width == U_EA_FULLWIDTH) ? 2 : 1;
}

// The caret line is drawn by the one renderer the data loaders use too
// (runtime/utf8.hpp), with the terminal widths above.
std::string render(const Diagnostic& d) {
  const char* word = d.severity == Severity::Error     ? "error"
                     : d.severity == Severity::Warning ? "warning"
                                                       : "note";
  if (!d.span.valid()) return std::string(word) + ": " + d.message + "\n";
  CaretStyle style{word, {}, display_width};
  for (const Span& s : d.secondary)
    if (s.file == d.span.file) style.also.emplace_back(s.begin, s.end);
  const SourceFile& file = *d.span.file;
  return located_error(file.name(), file.text(), d.span.begin, d.span.size(), d.message, style) +
         "\n";
}

}  // namespace eq
