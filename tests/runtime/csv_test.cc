#include <catch2/catch.hpp>
#include <cmath>

#include "eq/runtime/data.hpp"
#include "eq/runtime/error.hpp"
#include "io_test_util.hpp"

using eq::ColumnSelector;
using eq::CsvTable;
using eq::parse_csv;
using namespace eq::test;

namespace {

// An independent reading of a clean numeric CSV with a header: getline and
// stod, nothing shared with the loader.
std::vector<std::vector<double>> naive_read(const std::string& path) {
  std::ifstream in(path);
  std::string line;
  std::getline(in, line);  // header
  std::vector<std::vector<double>> rows;
  while (std::getline(in, line)) {
    std::vector<double> row;
    std::stringstream ss(line);
    std::string cell;
    while (std::getline(ss, cell, ',')) row.push_back(std::stod(cell));
    rows.push_back(row);
  }
  return rows;
}

std::vector<std::int32_t> ints(const eq::Tensor& t) {
  const std::int32_t* p = t.data<std::int32_t>();
  return std::vector<std::int32_t>(p, p + t.numel());
}

}  // namespace

TEST_CASE("csv: iris loads with its header, and every number matches a naive reading", "[csv]") {
  const std::string path = fixture("iris.csv");
  CsvTable t = eq::load_csv(path);
  CHECK(t.has_header());
  CHECK(t.header() == std::vector<std::string>{"sepal_length_cm", "sepal_width_cm",
                                               "petal_length_cm", "petal_width_cm", "label"});
  CHECK(t.rows() == 150);
  CHECK(t.cols() == 5);

  std::vector<std::int64_t> x_cols = t.select("0:4");
  CHECK(x_cols == std::vector<std::int64_t>{0, 1, 2, 3});
  eq::Tensor x = t.numbers(x_cols);
  REQUIRE(x.shape() == eq::Shape{150, 4});
  auto reference = naive_read(path);
  REQUIRE(reference.size() == 150);
  for (int r = 0; r < 150; ++r)
    for (int c = 0; c < 4; ++c) CHECK(x.at(r * 4 + c) == reference[r][c]);
  CHECK(x.at(0) == 5.1);
  CHECK(x.at(149 * 4 + 3) == 1.8);

  std::vector<std::int64_t> y_col = t.select("label");
  REQUIRE(y_col == std::vector<std::int64_t>{4});
  CsvTable::Classes y = t.classes(y_col[0]);
  CHECK(y.labels == std::vector<std::string>{"0", "1", "2"});
  std::vector<int> counts(3);
  for (std::int32_t i : ints(y.indices)) ++counts[i];
  CHECK(counts == std::vector<int>{50, 50, 50});
  for (int r = 0; r < 150; ++r) CHECK(y.indices.at(r) == reference[r][4]);
}

TEST_CASE("csv: text labels become classes in sorted label order", "[csv]") {
  CsvTable t = parse_csv("w,species\n1,virginica\n2,setosa\n3,versicolor\n4,setosa\n", "f.csv");
  CsvTable::Classes k = t.classes(1);
  CHECK(k.labels == std::vector<std::string>{"setosa", "versicolor", "virginica"});
  CHECK(ints(k.indices) == std::vector<std::int32_t>{2, 0, 1, 0});
  // Mapped again with the labels saved by training, in another file.
  CsvTable u = parse_csv("w,species\n5,versicolor\n6,virginica\n", "g.csv");
  CHECK(ints(u.classes(1, k.labels).indices) == std::vector<std::int32_t>{1, 2});
  CsvTable bad = parse_csv("w,species\n5,versicolor\n6,setosax\n", "g.csv");
  CHECK_THROWS_WITH(bad.classes(1, k.labels),
                    "g.csv:3:3: error: 'setosax' is not one of the model's classes (setosa, "
                    "versicolor, virginica)\n"
                    "6,setosax\n"
                    "  ^~~~~~~");
}

TEST_CASE("csv: numeric labels: integers are indices, other numbers sort by value", "[csv]") {
  // Integers ≥ 0 keep their value, even with a class missing (no 1 here).
  CsvTable a = parse_csv("x,y\n0,2\n0,0\n0,2.0\n", "a.csv");
  CsvTable::Classes ka = a.classes(1);
  CHECK(ka.labels == std::vector<std::string>{"0", "1", "2"});
  CHECK(ints(ka.indices) == std::vector<std::int32_t>{2, 0, 2});
  // Negative or fractional values: distinct values in increasing numeric
  // order (so 9.5 comes before 10, unlike text order).
  CsvTable b = parse_csv("x,y\n0,10\n0,-1\n0,9.5\n0,-1.0\n", "b.csv");
  CsvTable::Classes kb = b.classes(1);
  CHECK(kb.labels == std::vector<std::string>{"-1", "9.5", "10"});
  CHECK(ints(kb.indices) == std::vector<std::int32_t>{2, 0, 1, 0});
  // Saved integer labels match numerically.
  CHECK(ints(a.classes(1, {"0", "1", "2"}).indices) == std::vector<std::int32_t>{2, 0, 2});
}

TEST_CASE("csv: header detection", "[csv]") {
  CHECK(parse_csv("a,b,species\n1,2,setosa\n", "f").has_header());
  CHECK_FALSE(parse_csv("1,2,setosa\n3,4,virginica\n", "f").has_header());
  CHECK_FALSE(parse_csv("1,2\n3,4\n", "f").has_header());
  CHECK(parse_csv("species\nsetosa\n", "f").has_header());
  CHECK(parse_csv("x,1\n2,3\n", "f").has_header());
  CsvTable no_header = parse_csv("1,2,setosa\n3,4,virginica\n", "f");
  CHECK(no_header.rows() == 2);
  CHECK(no_header.column_name(2) == "column 2");
  CHECK(no_header.classes(2).labels == std::vector<std::string>{"setosa", "virginica"});
}

TEST_CASE("csv: line ends, blank lines, spaces, a BOM and UTF-8 names", "[csv]") {
  CsvTable t = parse_csv(
      "\xEF\xBB\xBF"
      "größe, y\r\n 1.5 ,+2\r\n\r\n3,-4e1",
      "f.csv");
  CHECK(t.header() == std::vector<std::string>{"größe", "y"});
  CHECK(t.rows() == 2);
  eq::Tensor v = t.numbers(t.select("0:2"));
  CHECK(v.to_vector() == std::vector<double>{1.5, 2, 3, -40});
  CHECK(t.select("größe") == std::vector<std::int64_t>{0});
  CHECK(t.select("1:") == std::vector<std::int64_t>{1});
  CHECK(t.select(":1") == std::vector<std::int64_t>{0});
}

TEST_CASE("csv: a field that is not a number is reported at its line and column", "[csv]") {
  CsvTable t = parse_csv("a,b,c\n1,2,3\n\n4,abc,6\n7,,9\nnan,1,2\n", "iris.csv");
  std::vector<std::int64_t> all = {0, 1, 2};
  CHECK_THROWS_WITH(t.numbers(all),
                    "iris.csv:4:3: error: 'abc' is not a number (column 'b')\n"
                    "4,abc,6\n"
                    "  ^~~");
  std::vector<std::int64_t> c = {2};
  CHECK(t.numbers(c).to_vector() == std::vector<double>{3, 6, 9, 2});
  CsvTable u = parse_csv("a,b,c\n1,2,3\n7,,9\n", "iris.csv");
  CHECK_THROWS_WITH(u.numbers(all),
                    "iris.csv:3:3: error: empty field where a number is expected (column 'b')\n"
                    "7,,9\n"
                    "  ^");
  CsvTable w = parse_csv("a,b\n1,2\nnan,1\n", "iris.csv");
  CHECK_THROWS_WITH(w.numbers(std::vector<std::int64_t>{0}),
                    "iris.csv:3:1: error: 'nan' is not a finite number (column 'a')\n"
                    "nan,1\n"
                    "^~~");
  // A number beyond a double's range is too large, not "not a number"; one
  // below its smallest is 0, as strtod and NumPy read it.
  CsvTable big =
      parse_csv("a,b,c\n1,2,1.5e999\n-1e999,1e-999,3\n-12.5e-400,0.001e-999,4\n", "iris.csv");
  CHECK_THROWS_WITH(big.numbers(std::vector<std::int64_t>{0}),
                    "iris.csv:3:1: error: '-1e999' is beyond the range of a number (±1.8e308) "
                    "(column 'a')\n"
                    "-1e999,1e-999,3\n"
                    "^~~~~~");
  CHECK_THROWS_WITH(
      big.numbers(std::vector<std::int64_t>{2}),
      Catch::Matchers::StartsWith("iris.csv:2:5: error: '1.5e999' is beyond the range"));
  CHECK(big.numbers(std::vector<std::int64_t>{1}).to_vector() == std::vector<double>{2, 0, 0});
  const eq::Tensor tiny =
      parse_csv("a\n-12.5e-400\n", "s.csv").numbers(std::vector<std::int64_t>{0});
  CHECK(tiny.at(0) == 0.0);
  CHECK(std::signbit(tiny.at(0)));  // -0, as strtod reads it
  // The column is counted in characters, not bytes.
  CsvTable x = parse_csv("ä,b\n1,2\n\"ü\",x\n", "u.csv");
  CHECK_THROWS_WITH(x.numbers(std::vector<std::int64_t>{1}),
                    "u.csv:3:5: error: 'x' is not a number (column 'b')\n"
                    "\"ü\",x\n"
                    "    ^");
}

TEST_CASE("csv: rows with the wrong number of fields", "[csv]") {
  CHECK_THROWS_WITH(parse_csv("a,b,c,d,e\n1,2,3,4,5\n1,2,3,4\n", "iris.csv"),
                    "iris.csv:3:1: error: row has 4 fields, the header has 5\n"
                    "1,2,3,4\n"
                    "^~~~~~~");
  CHECK_THROWS_WITH(parse_csv("1,2\r\n3,4,5\r\n", "n.csv"),
                    "n.csv:2:1: error: row has 3 fields, the first row has 2\n"
                    "3,4,5\n"
                    "^~~~~");
}

TEST_CASE("csv: selecting columns that are not there", "[csv]") {
  CsvTable t = eq::load_csv(fixture("iris.csv"));
  const std::string p = fixture("iris.csv");
  CHECK_THROWS_WITH(t.select("sepal_widht_cm"),
                    p + ": no column 'sepal_widht_cm' (did you mean 'sepal_width_cm'?)");
  CHECK_THROWS_WITH(t.select("species"),
                    p + ": no column 'species' (the columns are sepal_length_cm, "
                        "sepal_width_cm, petal_length_cm, petal_width_cm, label)");
  CHECK_THROWS_WITH(t.select("5"),
                    p + ": column 5 is out of range: the file has 5 columns (0 to 4)");
  CHECK_THROWS_WITH(t.select("3:7"),
                    p + ": columns 3:7 are out of range: the file has 5 columns (0 to 4)");
  CHECK_THROWS_WITH(t.select("3:3"), p + ": columns 3:3 select no column");
  CsvTable n = parse_csv("1,2\n3,4\n", "n.csv");
  CHECK_THROWS_WITH(n.select("label"),
                    "n.csv: no column 'label': the file has no header line, so columns are chosen "
                    "by index (0 to 1)");
  CsvTable d = parse_csv("a,b,a\n1,2,3\n", "d.csv");
  CHECK_THROWS_WITH(d.select("a"), "d.csv: the header names column 'a' twice (columns 0 and 2)");
}

TEST_CASE("csv: selectors parse and describe themselves", "[csv]") {
  CHECK(ColumnSelector::parse("4").describe() == "column 4");
  CHECK(ColumnSelector::parse("0:4").describe() == "columns 0:4");
  CHECK(ColumnSelector::parse("2:").describe() == "columns 2:");
  CHECK(ColumnSelector::parse("label").describe() == "column 'label'");
  CHECK(ColumnSelector::parse("a:b").kind == ColumnSelector::Kind::name);
}

TEST_CASE("csv: empty files, header-only files, bad UTF-8 and missing files", "[csv]") {
  CHECK_THROWS_WITH(parse_csv("", "e.csv"), "e.csv: the file is empty");
  CHECK_THROWS_WITH(parse_csv("\n  \n", "e.csv"), "e.csv: the file is empty");
  CHECK_THROWS_WITH(parse_csv("a,b\n", "h.csv"),
                    "h.csv: the file has a header but no rows of data");
  CHECK_THROWS_WITH(parse_csv("a,b\n1,\xff\n", "u.csv"),
                    "u.csv:2:3: error: invalid UTF-8 (byte 0xff)\n"
                    "1,\xEF\xBF\xBD\n"
                    "  ^");
  ScratchDir dir;
  CHECK_THROWS_WITH(eq::load_csv(dir.file("none.csv")),
                    dir.file("none.csv") + ": cannot read: No such file or directory");
}
