// Issue 17, item 14: a located message shows at most one screen width of its
// line around the spot (a 1 GB CSV line was echoed whole), and control bytes —
// a NUL above all, which cut the message short — are drawn visibly.
#include <catch2/catch.hpp>

#include "eq/runtime/data.hpp"
#include "eq/runtime/error.hpp"
#include "eq/runtime/utf8.hpp"
#include "io_test_util.hpp"

namespace {

std::string repeat(const std::string& s, std::size_t n) {
  std::string out;
  for (std::size_t i = 0; i < n; ++i) out += s;
  return out;
}

}  // namespace

TEST_CASE("located_error shows a window of a long line around the spot", "[located]") {
  std::string line = std::string(500, 'a') + "XYZ" + std::string(497, 'b');
  CHECK(eq::located_error("f.csv", line + "\nnext", 500, 3, "here") ==
        "f.csv:1:501: error: here\n"
        "…" +
            std::string(39, 'a') + "XYZ" + std::string(36, 'b') + "…\n" + std::string(40, ' ') +
            "^~~");
  // Near the start: cut on the right only.
  CHECK(eq::located_error("f.csv", line, 5, 1, "m") ==
        "f.csv:1:6: error: m\n" + std::string(79, 'a') + "…\n     ^");
  // Near the end, and one past it: cut on the left only.
  CHECK(eq::located_error("f.csv", line, 999, 1, "m") ==
        "f.csv:1:1000: error: m\n…" + std::string(79, 'b') + "\n" + std::string(79, ' ') + "^");
  CHECK(eq::located_error("f.csv", line, 1000, 0, "m") ==
        "f.csv:1:1001: error: m\n…" + std::string(79, 'b') + "\n" + std::string(80, ' ') + "^");
  // A span longer than the window is underlined to the window's edge.
  CHECK(eq::located_error("f.csv", line, 0, 1000, "m") ==
        "f.csv:1:1: error: m\n" + std::string(79, 'a') + "…\n^" + std::string(79, '~'));
  // Columns count characters, so the window does too.
  std::string wide = repeat("é", 300) + "!" + repeat("é", 300);
  std::string shown = eq::located_error("w.txt", wide, 600, 1, "m");
  CHECK(shown == "w.txt:1:301: error: m\n…" + repeat("é", 39) + "!" + repeat("é", 38) + "…\n" +
                     std::string(40, ' ') + "^");
}

TEST_CASE("located_error draws control bytes, so a NUL cannot cut the message", "[located]") {
  std::string text("1,2\n3,\0x,\x7f\x01\n", 12);
  std::string m = eq::located_error("f.csv", text, 6, 2, std::string("'\0x' is bad", 11));
  CHECK(m == "f.csv:2:3: error: '\u2400x' is bad\n3,\u2400x,\u2421\u2401\n  ^~");
  CHECK(m.find('\0') == std::string::npos);
  // A tab stays a tab, so the caret lines up under it in a terminal.
  CHECK(eq::located_error("f", "\tab", 2, 1, "m") == "f:1:3: error: m\n\tab\n\t ^");
}

TEST_CASE("a CSV error on a 1 MB line stays short and names the field briefly", "[located]") {
  const std::string field(1 << 20, 'q');
  try {
    eq::parse_csv("a,b\n1," + field + "\n", "big.csv").numbers(std::vector<std::int64_t>{1});
    FAIL("no error");
  } catch (const eq::Error& e) {
    const std::string m = e.what();
    CHECK(m.size() < 400);
    CHECK(m.starts_with("big.csv:2:3: error: '" + std::string(39, 'q') + "…' is not a number"));
    CHECK(m.ends_with("\n1," + std::string(77, 'q') + "…\n  ^" + std::string(77, '~')));
  }
  try {
    eq::parse_csv(std::string("a,b\n1,2\0x\n", 10), "nul.csv")
        .numbers(std::vector<std::int64_t>{1});
    FAIL("no error");
  } catch (const eq::Error& e) {
    CHECK(std::string(e.what()) ==
          "nul.csv:2:3: error: '2\u2400x' is not a number (column 'b')\n1,2\u2400x\n  ^~~");
  }
}
