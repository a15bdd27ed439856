// Collected diagnostics and their one text format.
//
// Every stage reports user mistakes here instead of stopping at the first,
// so one run shows every independent error. render() prints them in order:
//
//   lstm.eq:12:9: error: cannot multiply Wᵢ [128, 65] · xₜ [64]
//   iₜ = σ(Wᵢ·xₜ + Uᵢ·hₜ₋₁ + Bᵢ)
//           ^~~ ~~
//
// The first line gives the start of the primary span (column in characters).
// Under the source line, `^~~~` marks the primary span and `~~~` each
// secondary span on the same line; the padding copies tabs from the source
// line and measures other characters by display width (ICU East Asian width:
// wide and fullwidth count 2, combining marks and format characters 0).
// A span running past its line is underlined to the end of the line; bytes
// that are not UTF-8 print as U+FFFD. The caret line is drawn by
// eq::located_error (runtime/utf8.hpp), the renderer the data loaders use.
// Warnings and notes render the same way with `warning:` / `note:`; a
// diagnostic without a span prints `error: message` alone.
//
// At the public API a failed stage throws eq::Error(diags.render()), or
// simply calls diags.throw_if_errors().
#pragma once

#include <cstddef>
#include <string>
#include <vector>

#include "eq/grammar/source.hpp"

namespace eq {

enum class Severity { Error, Warning, Note };

struct Diagnostic {
  Severity severity = Severity::Error;
  Span span;                    // primary: gives line:col and the `^`
  std::vector<Span> secondary;  // underlined with `~` when on the same line
  std::string message;
};

class Diagnostics {
 public:
  // Parsing stops after this many errors in one file (see full()).
  static constexpr std::size_t kErrorLimit = 20;

  void error(Span span, std::string message);
  void error(Span span, std::string message, std::vector<Span> secondary);
  // A likely mistake that does not stop the run: rendered as `warning:`,
  // not counted by has_errors().
  void warning(Span span, std::string message, std::vector<Span> secondary = {});
  void note(Span span, std::string message);
  void note(Span span, std::string message, std::vector<Span> secondary);

  bool has_errors() const { return errors_ > 0; }
  std::size_t error_count() const { return errors_; }
  // Every diagnostic, notes included.
  std::size_t count() const { return list_.size(); }
  bool full() const { return errors_ >= kErrorLimit; }
  const std::vector<Diagnostic>& list() const { return list_; }
  void clear() { list_.clear(), errors_ = 0; }

  std::string render() const;
  // Throws eq::Error(render()) when any error was reported.
  void throw_if_errors() const;

 private:
  std::vector<Diagnostic> list_;
  std::size_t errors_ = 0;
};

// One diagnostic in the format above, ending in '\n'.
std::string render(const Diagnostic& d);

// Display width of one code point in a terminal column grid (0, 1 or 2).
int display_width(char32_t cp);

}  // namespace eq
