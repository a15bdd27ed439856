// libFuzzer target: the text loader, and text read against a vocabulary (how
// `eqc sample --prime` and saved vocabularies are read). The input is split
// at its first NUL byte: before it the text, after it the vocabulary.
#include <algorithm>

#include "eq/runtime/data.hpp"
#include "fuzz/fuzz_util.hpp"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const std::string_view all = eq::fuzz::bytes(data, size);
  eq::fuzz::expect_only_user_errors([&] {
    eq::TextData t = eq::parse_text(all, "fuzz.txt");
    // Symbols index the vocabulary.
    for (std::int64_t i = 0; i < t.size(); ++i)
      if (t.symbols.data<std::int32_t>()[i] < 0 ||
          t.symbols.data<std::int32_t>()[i] >= static_cast<std::int32_t>(t.vocabulary.size()))
        __builtin_trap();
    (void)eq::text_to_symbols(all, t.vocabulary_utf8(), "--prime");
  });
  const std::size_t nul = all.find('\0');
  if (nul == std::string_view::npos) return 0;
  eq::fuzz::expect_only_user_errors([&] {
    // A saved vocabulary is sorted; one that is not is refused, not trusted.
    eq::TextData v = eq::parse_text(all.substr(nul + 1), "vocabulary");
    (void)eq::text_to_symbols(all.substr(0, nul), v.vocabulary_utf8(), "--prime");
  });
  return 0;
}
