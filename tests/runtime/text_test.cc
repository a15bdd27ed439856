#include <catch2/catch.hpp>

#include "eq/runtime/data.hpp"
#include "eq/runtime/error.hpp"
#include "eq/runtime/utf8.hpp"
#include "io_test_util.hpp"

using namespace eq::test;

namespace {

std::vector<std::int32_t> ints(const eq::Tensor& t) {
  const std::int32_t* p = t.data<std::int32_t>();
  return std::vector<std::int32_t>(p, p + t.numel());
}

}  // namespace

TEST_CASE("text: vocabulary is the sorted set of characters, symbols index it", "[text]") {
  eq::TextData d = eq::parse_text("hello\nwörld", "t.txt");
  // By code point: '\n' 0x0A, d e h l o r w, then ö U+00F6.
  CHECK(d.vocabulary ==
        std::vector<char32_t>{U'\n', U'd', U'e', U'h', U'l', U'o', U'r', U'w', U'ö'});
  CHECK(d.size() == 11);
  CHECK(ints(d.symbols) == std::vector<std::int32_t>{3, 2, 4, 4, 5, 0, 7, 8, 6, 4, 1});
  CHECK(d.vocabulary_utf8() == "\ndehlorwö");
  // A leading BOM is not text.
  CHECK(eq::parse_text("\xEF\xBB\xBF"
                       "ba",
                       "t.txt")
            .vocabulary == std::vector<char32_t>{U'a', U'b'});
  // Four-byte characters decode to one symbol each.
  eq::TextData e = eq::parse_text("a𝔸a", "t.txt");
  CHECK(e.vocabulary == std::vector<char32_t>{U'a', U'𝔸'});
  CHECK(ints(e.symbols) == std::vector<std::int32_t>{0, 1, 0});
}

TEST_CASE("text: text_to_symbols maps a prompt with a saved vocabulary", "[text]") {
  CHECK(ints(eq::text_to_symbols("öde", "\ndehlorwö", "prompt")) ==
        std::vector<std::int32_t>{8, 1, 2});
  // A character outside the vocabulary, at its line and column (in characters).
  CHECK_THROWS_WITH(eq::text_to_symbols("hex", "\ndehlorwö", "prompt"),
                    "prompt:1:3: error: character 'x' (U+0078) is not in the model's "
                    "vocabulary\nhex\n  ^");
  CHECK_THROWS_WITH(eq::text_to_symbols("h\t", "\ndehlorwö", "prompt"),
                    Catch::StartsWith("prompt:1:2: error: character U+0009 is not in the "
                                      "model's vocabulary\n"));
  CHECK_THROWS_WITH(eq::text_to_symbols("öde\nwörd\nrolQ", "\ndehlorwö", "t.txt"),
                    "t.txt:3:4: error: character 'Q' (U+0051) is not in the model's "
                    "vocabulary\nrolQ\n   ^");
}

TEST_CASE("text: invalid UTF-8 is reported at its line and character column", "[text]") {
  CHECK_THROWS_WITH(eq::parse_text("ab\ncd\xff"
                                   "e\n",
                                   "t.txt"),
                    "t.txt:2:3: error: invalid UTF-8 (byte 0xff)\n"
                    "cd\xEF\xBF\xBD"
                    "e\n"
                    "  ^");
  // Overlong '/', a surrogate, and a sequence cut by the end of the file.
  CHECK_THROWS_WITH(eq::parse_text("é\xC0\xAF", "t.txt"),
                    "t.txt:1:2: error: invalid UTF-8 (byte 0xc0)\n"
                    "é\xEF\xBF\xBD\xEF\xBF\xBD\n"
                    " ^");
  CHECK_THROWS_WITH(eq::parse_text("x\xED\xA0\x80", "t.txt"),
                    "t.txt:1:2: error: invalid UTF-8 (byte 0xed)\n"
                    "x\xEF\xBF\xBD\xEF\xBF\xBD\xEF\xBF\xBD\n"
                    " ^");
  CHECK_THROWS_WITH(eq::parse_text("\n\n€\xE2\x82", "t.txt"),
                    "t.txt:3:2: error: invalid UTF-8 (byte 0xe2)\n"
                    "€\xEF\xBF\xBD\xEF\xBF\xBD\n"
                    " ^");
  CHECK_THROWS_WITH(eq::parse_text("", "t.txt"), "t.txt: the file is empty");
}

TEST_CASE("text: the decoder agrees with the encoder on every boundary code point", "[text]") {
  for (char32_t cp : {U'\0', U'\x7f', U'\x80', U'\x7ff', U'\x800', U'\xd7ff', U'\xe000', U'\xfffd',
                      U'\xffff', U'\x10000', U'\x10ffff'}) {
    std::string s = eq::utf8::encode(cp);
    char32_t back = 0;
    CHECK(eq::utf8::decode(s, 0, back) == static_cast<int>(s.size()));
    CHECK(back == cp);
  }
  char32_t cp;
  CHECK(eq::utf8::decode("\xF4\x90\x80\x80", 0, cp) == 0);  // past U+10FFFF
  CHECK(eq::utf8::decode("\x80", 0, cp) == 0);              // a lone continuation byte
}

TEST_CASE("text: loading a file from disk", "[text]") {
  ScratchDir dir;
  write_bytes(dir.file("s.txt"), "to be\nor not");
  eq::TextData d = eq::load_text(dir.file("s.txt"));
  CHECK(d.path == dir.file("s.txt"));
  CHECK(d.vocabulary_utf8() == "\n benort");
  CHECK(d.size() == 12);
}
