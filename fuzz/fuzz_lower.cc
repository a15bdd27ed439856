// libFuzzer target: the front end through lowering — normalisation, lexer,
// parser, name resolution, shapes, time, the train block — as `eqc check`
// runs it (a dim the data would set gets a placeholder size).
#include <string>

#include "eq/compiler/lower/model.hpp"
#include "eq/grammar/nesting.hpp"
#include "fuzz/fuzz_util.hpp"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  // On the stack eqc gives the front end (grammar/nesting.hpp).
  return eq::with_nesting_stack([&] {
    eq::fuzz::expect_only_user_errors([&] {
      eq::ModelOptions options;
      options.open_dim_placeholder = 7;
      (void)eq::Model::from_source("fuzz.eq", std::string(eq::fuzz::bytes(data, size)), options);
    });
    return 0;
  });
}
