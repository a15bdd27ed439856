// Caret rendering: character columns, display widths, tabs, secondary spans.
#include <catch2/catch.hpp>

#include "eq/grammar/diagnostics.hpp"
#include "eq/runtime/error.hpp"
#include "eq/runtime/utf8.hpp"

namespace {

// Byte offset of the n-th occurrence (0-based) of `needle` in the file text.
uint32_t at(const eq::SourceFile& f, std::string_view needle, int n = 0) {
  std::size_t p = f.text().find(needle);
  while (n-- > 0) p = f.text().find(needle, p + 1);
  return static_cast<uint32_t>(p);
}

}  // namespace

TEST_CASE("a shape error underlines both operands", "[grammar][render]") {
  eq::SourceFile f("lstm.eq", "x = 1\niₜ = σ(Wᵢ·xₜ + Uᵢ·hₜ₋₁ + Bᵢ)\n");
  eq::Diagnostics d;
  const uint32_t w = at(f, "Wᵢ"), x = at(f, "xₜ");
  d.error(f.span(w, w + 4), "cannot multiply Wᵢ [128, 65] · xₜ [64]", {f.span(x, x + 4)});
  CHECK(d.render() ==
        "lstm.eq:2:8: error: cannot multiply Wᵢ [128, 65] · xₜ [64]\n"
        "iₜ = σ(Wᵢ·xₜ + Uᵢ·hₜ₋₁ + Bᵢ)\n"
        "       ^~ ~~\n");
}

TEST_CASE("columns count characters and carets use display width", "[grammar][render]") {
  // 漢 and 字 are two columns wide; the combining mark in x̄ is zero wide
  // (but, being a character, it counts in the column number).
  eq::SourceFile f("w.eq", "y = 漢字 + x\u0304 + z\n");
  eq::Diagnostics d;
  const uint32_t z = at(f, "z");
  d.error(f.span(z, z + 1), "here");
  const uint32_t x = at(f, "x");
  d.note(f.span(x, x + 3), "and here");
  CHECK(d.render() ==
        "w.eq:1:15: error: here\n"
        "y = 漢字 + x̄ + z\n"
        "               ^\n"
        "w.eq:1:10: note: and here\n"
        "y = 漢字 + x̄ + z\n"
        "           ^\n");
  CHECK(d.error_count() == 1);
  CHECK(d.count() == 2);
}

TEST_CASE("tabs are kept in the padding", "[grammar][render]") {
  eq::SourceFile f("t.eq", "\tx =\t€\n");
  eq::Diagnostics d;
  d.error(f.span(at(f, "€"), at(f, "€") + 3), "bad");
  CHECK(d.render() == "t.eq:1:6: error: bad\n\tx =\t€\n\t   \t^\n");
}

TEST_CASE("NFC normalisation happens before positions are taken", "[grammar][render]") {
  // c + U+0302 becomes ĉ (one character) before lexing.
  eq::SourceFile f("n.eq", "c\u0302 = 1\n");
  CHECK(f.text() == "ĉ = 1\n");
  CHECK(f.location(at(f, "=")).column == 3);
}

TEST_CASE("throw_if_errors throws eq::Error with the rendered text", "[grammar][render]") {
  eq::SourceFile f("t.eq", "abc\n");
  eq::Diagnostics d;
  d.throw_if_errors();
  d.error(f.span(1, 2), "no");
  try {
    d.throw_if_errors();
    FAIL("no throw");
  } catch (const eq::Error& e) {
    CHECK(std::string(e.what()) == "t.eq:1:2: error: no\nabc\n ^\n");
  }
}

TEST_CASE("a span without a file prints without a position", "[grammar][render]") {
  eq::Diagnostics d;
  d.error(eq::Span{}, "no position");
  CHECK(d.render() == "error: no position\n");
}

// The one caret renderer (runtime/utf8.hpp) that Diagnostics::render uses.
TEST_CASE("located_error marks secondary ranges and takes a width", "[grammar][render]") {
  const std::string text = "a,漢,c\nnext\n";
  // Without a width every character is one column (the data loaders' use).
  CHECK(eq::located_error("f.csv", text, 6, 1, "bad") == "f.csv:1:5: error: bad\na,漢,c\n    ^");
  eq::CaretStyle style{"note", {{2, 5}}, nullptr};
  CHECK(eq::located_error("f.csv", text, 6, 1, "bad", style) ==
        "f.csv:1:5: note: bad\na,漢,c\n  ~ ^");
  style.width = eq::display_width;
  CHECK(eq::located_error("f.csv", text, 6, 1, "bad", style) ==
        "f.csv:1:5: note: bad\na,漢,c\n  ~~ ^");
  // A secondary range on another line is not drawn; a spot past the line's
  // end gets its caret there.
  style.also = {{8, 10}};
  CHECK(eq::located_error("f.csv", text, 0, 1, "bad", style) == "f.csv:1:1: note: bad\na,漢,c\n^");
  CHECK(eq::located_error("f.csv", text, 7, 0, "end") == "f.csv:1:6: error: end\na,漢,c\n     ^");
}

TEST_CASE("bytes that are not UTF-8 are echoed as U+FFFD", "[grammar][render]") {
  eq::SourceFile f("t.eq", "x = a\xff b\n");
  eq::Diagnostics d;
  d.error(f.span(7, 8), "here", {f.span(5, 6)});
  CHECK(d.render() == "t.eq:1:8: error: here\nx = a\xef\xbf\xbd b\n     ~ ^\n");
}
