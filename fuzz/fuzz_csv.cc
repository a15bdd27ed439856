// libFuzzer target: the CSV loader — splitting, header detection — and then
// every way the trainer reads a table: column selectors, numbers, classes,
// classes against saved labels.
#include <string>
#include <vector>

#include "eq/runtime/data.hpp"
#include "fuzz/fuzz_util.hpp"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  eq::CsvTable table;
  bool parsed = false;
  eq::fuzz::expect_only_user_errors([&] {
    table = eq::parse_csv(std::string(eq::fuzz::bytes(data, size)), "fuzz.csv");
    parsed = true;
  });
  if (!parsed) return 0;
  for (const char* selector : {"0", "1:", ":2", "0:3", "label", "y", "7"})
    eq::fuzz::expect_only_user_errors([&] {
      std::vector<std::int64_t> cols = table.select(selector);
      (void)table.numbers(cols);
      eq::CsvTable::Classes k = table.classes(cols.back());
      (void)table.classes(cols.front(), k.labels);
      (void)table.classes(cols.front(), std::vector<std::string>{"0", "1", "setosa"});
    });
  return 0;
}
