// libFuzzer target: arbitrary bytes through the whole front end — source
// normalisation, lexer, parser, diagnostics rendering — and, for input that
// parses, the printer round trip (print → parse must give the same tree).
// Build and run: README.md, section "Fuzzing".
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <string>

#include "eq/grammar/nesting.hpp"
#include "eq/grammar/parse.hpp"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, std::size_t size) {
  // On the stack eqc gives the front end (grammar/nesting.hpp).
  return eq::with_nesting_stack([&] {
    eq::SourceFile file("fuzz.eq", std::string(reinterpret_cast<const char*>(data), size));
    eq::Diagnostics diags;
    eq::Module m = eq::parse_module(file, diags);
    (void)diags.render();
    if (!diags.has_errors()) {
      eq::SourceFile again("again.eq", eq::print(m));
      eq::Diagnostics diags2;
      eq::Module m2 = eq::parse_module(again, diags2);
      if (diags2.has_errors() || !eq::same(m, m2)) std::abort();
    }
    return 0;
  });
}
