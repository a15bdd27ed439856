// What a run's data must be for the model it trains, said before any step:
// numbers the run's number type cannot hold, at their field, whether the
// data is let in as it is or scaled first.
#include <catch2/catch.hpp>
#include <cstdlib>
#include <fstream>
#include <string>

#include "eq/runtime/error.hpp"
#include "eq/train/evaluate.hpp"
#include "eq/train/memory_plan.hpp"
#include "eq/train/trainer.hpp"
#include "support/tiny_runs.hpp"

using namespace eq;
using Catch::Matchers::EndsWith;
using Catch::Matchers::Equals;
using Catch::Matchers::StartsWith;

namespace {

struct Folder : testing::TinyFolder {
  Folder() : TinyFolder("eq_data_") {}
  // d.csv with one feature of row `row` replaced by `value`.
  void put(int row, const std::string& value) const {
    std::ofstream csv(dir / "d.csv");
    csv << "a,b,label\n";
    for (int i = 0; i < 24; ++i)
      csv << (i == row ? value : std::to_string(testing::tiny_feature(i, 0))) << ','
          << testing::tiny_feature(i, 1) << ',' << testing::tiny_label(i) << '\n';
  }
};

}  // namespace

TEST_CASE("an f32 run refuses a number past f32 at its field, with what to do", "[data]") {
  Folder f;
  f.put(4, "3e38");  // a float: accepted
  CHECK_NOTHROW(f.setup(testing::kTinyLogreg, {{"dtype", "f32"}}));
  // numpy's print of the largest float: above FLT_MAX as a double, but it
  // rounds to it, not to inf.
  f.put(4, "3.4028235e38");
  CHECK_NOTHROW(f.setup(testing::kTinyLogreg, {{"dtype", "f32"}}));
  f.put(4, "-4e38");
  CHECK_THROWS_WITH(f.setup(testing::kTinyLogreg, {{"dtype", "f32"}}),
                    Equals((f.dir / "d.csv").string() +
                           ":6:1: error: column 'a' holds -4e38, beyond the range of f32 "
                           "(±3.4e38), the number type of the run: scale the inputs (`scale = "
                           "standard` in the train block) or train with `dtype = f64`\n"
                           "-4e38,0,0\n"
                           "^~~~~"));
  // f64 holds it; before this check the f32 run stopped at step 1 with
  // an infinity blamed on the product W·x.
  CHECK_NOTHROW(f.setup(testing::kTinyLogreg, {{"dtype", "f64"}}));
}

TEST_CASE("scaled inputs are checked after scaling, where they are let in", "[data]") {
  Folder f;
  f.put(4, "1e39");
  // Standard scaling over the training rows brings 1e39 down to ≈ 4.8.
  Setup s = f.setup(testing::kTinyLogreg, {{"dtype", "f32"}, {"scale", "standard"}});
  std::vector<std::int64_t> rows(24);
  for (int i = 0; i < 24; ++i) rows[static_cast<std::size_t>(i)] = i;
  auto scale = fit_scale(s.data, *s.model, rows, Scaling::standard);
  Batches fits(s.data, *s.model, scale, 8);
  CHECK(fits.size() == 24);
  // Statistics from other rows leave it at ≈ 9.7e38: past f32.
  std::vector<std::int64_t> others{0, 1, 2, 3, 5, 6, 7};
  auto narrow = fit_scale(s.data, *s.model, others, Scaling::standard);
  CHECK_THROWS_WITH(Batches(s.data, *s.model, narrow, 8),
                    StartsWith((f.dir / "d.csv").string() +
                               ": columns 0:2, example 4, feature 0: 1e39 scales to 9.7") &&
                        EndsWith("e38, beyond the range of f32 (±3.4e38), the number type the "
                                 "model computes in"));
}

TEST_CASE("a CSV header or label with a combining accent is the precomposed name", "[data]") {
  // "ê" typed as e + U+0302 in the file, precomposed in the model (the .eq
  // source is NFC): it said "no column 'labêl' (did you mean 'labêl'?)", and
  // the two spellings of a label were two classes.
  Folder f;
  {
    std::ofstream csv(f.dir / "d.csv");
    csv << "a,b,lab"
        << "e\xCC\x82"
        << "l\n";
    for (int i = 0; i < 12; ++i)
      csv << i << ',' << i % 3 << ','
          << (i % 2   ? "r\xC3\xA9"
                        "d"
              : i % 4 ? "re\xCC\x81"
                        "d"
                      : "blue")
          << '\n';
  }
  std::string source = testing::kTinyLogreg;
  source.replace(source.find("y = 2"), 5,
                 "y = \"lab\xC3\xAA"
                 "l\"");
  Setup s = f.setup(source.c_str());
  // blue, and réd in both spellings: two classes.
  CHECK(s.labels.at("y") == std::vector<std::string>{"blue",
                                                     "r\xC3\xA9"
                                                     "d"});
}

TEST_CASE("the memory check counts every trainer on this machine", "[data]") {
  // Two ranks each needing 60 % of the memory passed it one by one, and
  // then ran out of it together (found in an audit).
  const std::optional<double> free = available_memory();
  if (!free) return;  // nothing to go by here
  const MemoryNeed need[] = {{"the training program", *free * 0.6}};
  CHECK_NOTHROW(check_memory("training m.eq", need, 1));
  CHECK_THROWS_WITH(check_memory("training m.eq", need, 2),
                    Catch::Matchers::Contains(" for each of the 2 trainers on this machine (") &&
                        EndsWith(", or run fewer processes or threads here"));
  // Outside MPI every share is here; under it, this machine's part of them.
  ::unsetenv("OMPI_COMM_WORLD_SIZE");
  ::unsetenv("OMPI_COMM_WORLD_LOCAL_SIZE");
  CHECK(local_copies(3) == 3);
  ::setenv("OMPI_COMM_WORLD_SIZE", "8", 1);
  ::setenv("OMPI_COMM_WORLD_LOCAL_SIZE", "2", 1);
  CHECK(local_copies(8) == 2);   // 8 ranks of one thread, 2 of them here
  CHECK(local_copies(16) == 4);  // and 2 threads each
  ::unsetenv("OMPI_COMM_WORLD_SIZE");
  ::unsetenv("OMPI_COMM_WORLD_LOCAL_SIZE");
}

TEST_CASE("validate holds out the share the decimal says", "[data]") {
  // Binary products a few ulps under a whole number: 0.29 · 100 is
  // 28.999999999999996, 0.57 · 100 is 56.99999999999999.
  CHECK(held_out_count(0.29, 100) == 29);
  CHECK(held_out_count(0.57, 100) == 57);
  CHECK(held_out_count(0.58, 100) == 58);
  // Shares that are not whole keep their whole part.
  CHECK(held_out_count(0.2, 442) == 88);
  CHECK(held_out_count(0.1, 150) == 15);
  CHECK(held_out_count(0.999, 1000) == 999);
  CHECK(held_out_count(0.0995, 1000) == 99);
  CHECK(held_out_count(0, 1000) == 0);
}
