#include <catch2/catch.hpp>
#include <cmath>

#include "eq/runtime/data.hpp"
#include "eq/runtime/error.hpp"
#include "io_test_util.hpp"

using eq::ColumnSelector;
using eq::DataDeclaration;
using eq::DType;
using eq::Shape;
using eq::Tensor;
using namespace eq::test;

TEST_CASE("dataset: iris binds x to four features and y to three classes", "[dataset]") {
  const std::string path = fixture("iris.csv");
  eq::CsvTable table = eq::load_csv(path);
  std::vector<eq::CsvBinding> bind = {{"x", ColumnSelector::parse("0:4"), false},
                                      {"y", ColumnSelector::parse("label"), true}};
  eq::Dataset data = eq::csv_dataset(table, bind);
  CHECK(data.size() == 150);
  CHECK(data.find("x")->values.shape() == Shape{150, 4});
  CHECK(data.find("y")->values.dtype() == DType::i32);
  CHECK(data.find("y")->labels == std::vector<std::string>{"0", "1", "2"});
  CHECK(data.find("y")->origin == "column 'label'");

  std::vector<DataDeclaration> ok = {{"x", "input", Shape{4}, false},
                                     {"y", "target", Shape{3}, true}};
  CHECK_NOTHROW(eq::fit_dataset(data, ok));

  std::vector<DataDeclaration> wide = {{"x", "input", Shape{5}, false},
                                       {"y", "target", Shape{3}, true}};
  CHECK_THROWS_WITH(eq::fit_dataset(data, wide),
                    path + ": columns 0:4 give 4 features per example but input x is declared [5]");
  std::vector<DataDeclaration> two = {{"x", "input", Shape{4}, false},
                                      {"y", "target", Shape{2}, true}};
  // The first example of a class beyond the declared ones, at its example;
  // with the table, at its line and column.
  CHECK_THROWS_WITH(eq::fit_dataset(data, two),
                    path +
                        ": column 'label' holds class index 2 at example 100, but target y is "
                        "declared onehot[2] (indices 0 to 1)");
  CHECK_THROWS_WITH(eq::fit_dataset(data, two, &table),
                    Catch::StartsWith(path + ":102:17: error: column 'label' holds class index 2, "
                                             "but target y is declared onehot[2] (indices 0 to "
                                             "1)\n6.3,3.3,6.0,2.5,2\n                ^"));
  std::vector<DataDeclaration> more = {{"x", "input", Shape{4}, false},
                                       {"y", "target", Shape{3}, true},
                                       {"w", "input", Shape{1}, false}};
  CHECK_THROWS_WITH(eq::fit_dataset(data, more),
                    path + ": no data for input w (the data binds x, y)");
  std::vector<DataDeclaration> fewer = {{"x", "input", Shape{4}, false}};
  CHECK_THROWS_WITH(eq::fit_dataset(data, fewer),
                    path + ": the data binds 'y', which is not an input or target of the model");
}

TEST_CASE("dataset: CSV binding errors", "[dataset]") {
  eq::CsvTable table = eq::parse_csv("a,b,c\n1,2,3\n4,5,6\n", "t.csv");
  std::vector<eq::CsvBinding> wide = {{"y", ColumnSelector::parse("0:2"), true}};
  CHECK_THROWS_WITH(
      eq::csv_dataset(table, wide),
      "t.csv: columns 0:2 select 2 columns, but the class target y takes one column of labels");
  std::vector<eq::CsvBinding> twice = {{"x", ColumnSelector::parse("a"), false},
                                       {"x", ColumnSelector::parse("b"), false}};
  CHECK_THROWS_WITH(eq::csv_dataset(table, twice), "t.csv: the data binds 'x' twice");
}

TEST_CASE("dataset: one number per example fits a scalar or a one-element declaration",
          "[dataset]") {
  eq::CsvTable table = eq::parse_csv("a,b,c\n1,2,3\n4,5,6\n", "t.csv");
  std::vector<eq::CsvBinding> bind = {{"x", ColumnSelector::parse("0:2"), false},
                                      {"y", ColumnSelector::parse("2"), false}};
  eq::Dataset data = eq::csv_dataset(table, bind);
  CHECK(data.find("y")->values.shape() == Shape{2, 1});
  std::vector<DataDeclaration> scalar = {{"x", "input", Shape{2}, false},
                                         {"y", "target", Shape{}, false}};
  eq::fit_dataset(data, scalar);
  CHECK(data.find("y")->values.shape() == Shape{2});
  CHECK(data.find("y")->values.to_vector() == std::vector<double>{3, 6});
  std::vector<DataDeclaration> vec3 = {{"x", "input", Shape{2}, false},
                                       {"y", "target", Shape{3}, false}};
  CHECK_THROWS_WITH(eq::fit_dataset(data, vec3),
                    "t.csv: column 2 gives 1 value per example but target y is declared [3]");
}

TEST_CASE("dataset: npy arrays share the example axis", "[dataset]") {
  ScratchDir dir;
  eq::save_npy(dir.file("x.npy"), Tensor::from(Shape{3, 2}, {1, 2, 3, 4, 5, 6}, DType::f32));
  eq::save_npy(dir.file("y.npy"), Tensor::from(Shape{3}, {0, 2, 1}, DType::i32));
  eq::save_npy(dir.file("r.npy"), Tensor::from(Shape{3}, {7, 8, 9}, DType::i32));
  eq::save_npy(dir.file("short.npy"), Tensor::from(Shape{2}, {0, 1}, DType::i32));
  std::vector<eq::NpyBinding> bind = {{"x", dir.file("x.npy"), false},
                                      {"y", dir.file("y.npy"), true},
                                      {"r", dir.file("r.npy"), false}};
  eq::Dataset data = eq::npy_dataset(bind);
  CHECK(data.size() == 3);
  CHECK(data.find("y")->values.dtype() == DType::i32);
  CHECK(data.find("r")->values.dtype() == DType::f64);  // integers bound as numbers
  std::vector<DataDeclaration> decl = {{"x", "input", Shape{2}, false},
                                       {"y", "target", Shape{3}, true},
                                       {"r", "target", Shape{}, false}};
  CHECK_NOTHROW(eq::fit_dataset(data, decl));
  std::vector<DataDeclaration> bad = {{"x", "input", Shape{8, 8}, false},
                                      {"y", "target", Shape{3}, true},
                                      {"r", "target", Shape{}, false}};
  CHECK_THROWS_WITH(eq::fit_dataset(data, bad),
                    "npy data: " + dir.file("x.npy") +
                        " gives 2 features per example but input x is declared [8, 8]");
  std::vector<DataDeclaration> few = {{"x", "input", Shape{2}, false},
                                      {"y", "target", Shape{2}, true},
                                      {"r", "target", Shape{}, false}};
  CHECK_THROWS_WITH(eq::fit_dataset(data, few),
                    "npy data: " + dir.file("y.npy") +
                        " holds class index 2 at example 1, but target y is declared onehot[2] "
                        "(indices 0 to 1)");

  std::vector<eq::NpyBinding> uneven = {{"x", dir.file("x.npy"), false},
                                        {"y", dir.file("short.npy"), true}};
  CHECK_THROWS_WITH(
      eq::npy_dataset(uneven),
      "npy data: " + dir.file("short.npy") + " has 2 examples but " + dir.file("x.npy") + " has 3");
}

TEST_CASE("dataset: class indices of a one-hot target from npy, and floats in their place",
          "[dataset]") {
  ScratchDir dir;
  eq::save_npy(dir.file("x.npy"), Tensor::from(Shape{3, 2}, {1, 2, 3, 4, 5, 6}, DType::f32));
  // [N, 1] integers, as y.reshape(-1, 1) saves them: the indices of [N].
  eq::save_npy(dir.file("col.npy"), Tensor::from(Shape{3, 1}, {0, 2, 1}, DType::i32));
  eq::save_npy(dir.file("f.npy"), Tensor::from(Shape{3}, {0, 2, 1}, DType::f64));
  std::vector<DataDeclaration> decl = {{"x", "input", Shape{2}, false},
                                       {"y", "target", Shape{3}, true}};
  eq::Dataset col = eq::npy_dataset(std::vector<eq::NpyBinding>{{"x", dir.file("x.npy"), false},
                                                                {"y", dir.file("col.npy"), true}});
  REQUIRE_NOTHROW(eq::fit_dataset(col, decl));
  CHECK(col.find("y")->values.shape() == Shape{3});
  CHECK(col.find("y")->values.data<std::int32_t>()[1] == 2);
  eq::Dataset floats = eq::npy_dataset(
      std::vector<eq::NpyBinding>{{"x", dir.file("x.npy"), false}, {"y", dir.file("f.npy"), true}});
  CHECK_THROWS_WITH(eq::fit_dataset(floats, decl),
                    "npy data: " + dir.file("f.npy") +
                        " gives a number per example, not a class index, but target y is declared "
                        "onehot[3]: give its class indices as whole numbers (an integer array, "
                        "e.g. int64) or its one-hot rows [N, 3]");
}

TEST_CASE("dataset: a NaN or infinity in an npy array is refused at its example", "[dataset]") {
  ScratchDir dir;
  const double nan = std::nan(""), inf = HUGE_VAL;
  eq::save_npy(dir.file("m.npy"), Tensor::from(Shape{3, 2}, {1, 2, 3, nan, 5, 6}, DType::f32));
  eq::save_npy(dir.file("v.npy"), Tensor::from(Shape{3}, {1, 2, -inf}, DType::f64));
  eq::save_npy(dir.file("t.npy"),
               Tensor::from(Shape{2, 2, 2}, {1, 2, 3, 4, 5, 6, inf, 8}, DType::f32));
  CHECK_THROWS_WITH(eq::npy_dataset(std::vector<eq::NpyBinding>{{"x", dir.file("m.npy"), false}}),
                    dir.file("m.npy") +
                        ": example 1, element [1] is nan: data must be finite "
                        "numbers");
  CHECK_THROWS_WITH(eq::npy_dataset(std::vector<eq::NpyBinding>{{"x", dir.file("v.npy"), false}}),
                    dir.file("v.npy") + ": example 2 is -inf: data must be finite numbers");
  CHECK_THROWS_WITH(eq::npy_dataset(std::vector<eq::NpyBinding>{{"x", dir.file("t.npy"), false}}),
                    dir.file("t.npy") +
                        ": example 1, element [1, 0] is inf: data must be "
                        "finite numbers");
}

TEST_CASE("dataset: a number beyond f32 is refused for an f32 run, at its field", "[dataset]") {
  // 1e39 is a double but not a float: let into an f32 model it would be inf.
  eq::CsvTable table = eq::parse_csv("a,b,y\n1,2,0\n3,-1e39,1\n5,6,1e300\n", "f.csv");
  std::vector<eq::CsvBinding> bind = {{"x", ColumnSelector::parse("0:2")},
                                      {"y", ColumnSelector::parse("y")}};
  eq::Dataset data = eq::csv_dataset(table, bind);
  auto advise = [](const eq::DataColumn& c) -> std::optional<std::string> {
    return c.name == "x" ? "scale it" : "use f64";
  };
  CHECK_THROWS_WITH(eq::check_range(data, DType::f32, &table, advise),
                    "f.csv:3:3: error: column 'b' holds -1e39, beyond the range of f32 "
                    "(±3.4e38), the number type of the run: scale it\n"
                    "3,-1e39,1\n"
                    "  ^~~~~");
  // Columns left to their scaling are not checked; the target still is.
  auto scaled = [](const eq::DataColumn& c) -> std::optional<std::string> {
    if (c.name == "x") return std::nullopt;
    return "use f64";
  };
  CHECK_THROWS_WITH(eq::check_range(data, DType::f32, &table, scaled),
                    Catch::Matchers::StartsWith("f.csv:4:5: error: column 'y' holds 1e300, "));
  // f64 holds them all; 3.4e38 itself is a float.
  CHECK_NOTHROW(eq::check_range(data, DType::f64, &table, advise));
  eq::Dataset fits = eq::csv_dataset(eq::parse_csv("a,b,y\n1,3.4e38,0\n", "g.csv"), bind);
  CHECK_NOTHROW(eq::check_range(fits, DType::f32, nullptr, advise));
  // Without the table (npy data): at its example and element.
  CHECK_THROWS_WITH(eq::check_range(data, DType::f32, nullptr, advise),
                    "f.csv: columns 0:2 hold -1e39 at example 1, element [1], beyond the range "
                    "of f32 (±3.4e38), the number type of the run: scale it");
}

TEST_CASE("dataset: a matrix per example, from T·D columns row by row or an npy [N, T, D]",
          "[dataset]") {
  // Two examples of a [2, 3] matrix: columns 0:6, row after row.
  eq::CsvTable table =
      eq::parse_csv("p0,p1,p2,p3,p4,p5,y\n1,2,3,4,5,6,0\n7,8,9,10,11,12,1\n", "t.csv");
  std::vector<eq::CsvBinding> bind = {{"X", ColumnSelector::parse("0:6"), false}};
  eq::Dataset data = eq::csv_dataset(table, bind);
  std::vector<DataDeclaration> matrix = {{"X", "input", Shape{2, 3}, false}};
  eq::fit_dataset(data, matrix);
  CHECK(data.find("X")->values.shape() == Shape{2, 2, 3});
  CHECK(data.find("X")->values.to_vector() ==
        std::vector<double>{1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12});
  eq::Dataset again = eq::csv_dataset(table, bind);
  std::vector<DataDeclaration> wrong = {{"X", "input", Shape{2, 2}, false}};
  CHECK_THROWS_WITH(
      eq::fit_dataset(again, wrong),
      "t.csv: columns 0:6 give 6 features per example but input X is declared [2, 2]");

  ScratchDir dir;
  eq::save_npy(dir.file("x.npy"),
               Tensor::from(Shape{2, 2, 3}, {1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12}, DType::f32));
  eq::Dataset npy = eq::npy_dataset(std::vector<eq::NpyBinding>{{"X", dir.file("x.npy"), false}});
  CHECK_NOTHROW(eq::fit_dataset(npy, matrix));
  CHECK(npy.find("X")->values.shape() == Shape{2, 2, 3});
  std::vector<DataDeclaration> transposed = {{"X", "input", Shape{3, 2}, false}};
  CHECK_THROWS(eq::fit_dataset(npy, transposed));  // [N, 2, 3] is not read as [N, 3, 2]
}

TEST_CASE("dataset: T class indices per example (onehot[T, V]) from T columns or an npy [N, T]",
          "[dataset]") {
  // Windows of three symbols and the next: columns c0:c3 are w, column 3 is y.
  eq::CsvTable table = eq::parse_csv("c0,c1,c2,y\n4,0,4,1\n1,1,3,0\n0,2,4,2\n", "w.csv");
  std::vector<eq::CsvBinding> bind = {{"w", ColumnSelector::parse("0:3"), false, true},
                                      {"y", ColumnSelector::parse("y"), true}};
  eq::Dataset data = eq::csv_dataset(table, bind);
  const eq::DataColumn& w = *data.find("w");
  CHECK(w.values.dtype() == DType::i32);
  CHECK(w.values.shape() == Shape{3, 3});
  CHECK(w.values.to_vector() == std::vector<double>{4, 0, 4, 1, 1, 3, 0, 2, 4});
  CHECK(w.labels.empty());  // indices, not labels
  std::vector<DataDeclaration> ok = {{"w", "input", Shape{3, 5}, true},
                                     {"y", "target", Shape{5}, true}};
  CHECK_NOTHROW(eq::fit_dataset(data, ok));
  CHECK(data.find("w")->values.shape() == Shape{3, 3});

  eq::Dataset again = eq::csv_dataset(table, bind);
  std::vector<DataDeclaration> few_classes = {{"w", "input", Shape{3, 4}, true},
                                              {"y", "target", Shape{5}, true}};
  CHECK_THROWS_WITH(eq::fit_dataset(again, few_classes),
                    "w.csv: columns 0:3 hold class index 4 at example 0, but input w is "
                    "declared onehot[3, 4] (indices 0 to 3)");
  eq::Dataset located = eq::csv_dataset(table, bind);
  CHECK_THROWS_WITH(eq::fit_dataset(located, few_classes, &table),
                    "w.csv:2:1: error: columns 0:3 hold class index 4, but input w is declared "
                    "onehot[3, 4] (indices 0 to 3)\n4,0,4,1\n^");
  // Labels that are words: the first beyond the declared classes, by name.
  eq::CsvTable words = eq::parse_csv("x,y\n1,cat\n2,dog\n3,eel\n", "a.csv");
  std::vector<eq::CsvBinding> word_bind = {{"x", ColumnSelector::parse("x"), false},
                                           {"y", ColumnSelector::parse("y"), true}};
  eq::Dataset animals = eq::csv_dataset(words, word_bind);
  std::vector<DataDeclaration> two_animals = {{"x", "input", Shape{}, false},
                                              {"y", "target", Shape{2}, true}};
  CHECK_THROWS_WITH(eq::fit_dataset(animals, two_animals, &words),
                    "a.csv:4:3: error: column 'y' holds label 'eel', class 3 of 3, but target y "
                    "is declared onehot[2] (indices 0 to 1)\n3,eel\n  ^~~");
  eq::Dataset twice = eq::csv_dataset(table, bind);
  std::vector<DataDeclaration> longer = {{"w", "input", Shape{4, 5}, true},
                                         {"y", "target", Shape{5}, true}};
  CHECK_THROWS_WITH(eq::fit_dataset(twice, longer),
                    "w.csv: columns 0:3 give 3 indices per example but input w is declared "
                    "onehot[4, 5]");

  // A field that is not a whole number is an error at its place in the file.
  eq::CsvTable letters = eq::parse_csv("c0,c1\n1,2\n3,x\n", "l.csv");
  std::vector<eq::CsvBinding> pair = {{"w", ColumnSelector::parse("0:2"), false, true}};
  CHECK_THROWS_WITH(eq::csv_dataset(letters, pair),
                    Catch::Contains("l.csv:3:3: error: 'x' where a class index (a whole number "
                                    "from 0 to 65535) is expected (column 'c1')"));
  // Past the largest index: the message says where the range ends.
  eq::CsvTable big = eq::parse_csv("c0,c1\n1,70000\n", "b.csv");
  CHECK_THROWS_WITH(
      eq::csv_dataset(big, pair),
      Catch::Contains("'70000' where a class index (a whole number from 0 to 65535) is expected"));
  eq::CsvTable half = eq::parse_csv("c0,c1\n1,2.5\n", "h.csv");
  CHECK_THROWS_WITH(
      eq::csv_dataset(half, pair),
      Catch::Contains("'2.5' where a class index (a whole number from 0 to 65535) is expected"));

  // An integer npy [N, T] gives the same indices; a float one is refused.
  ScratchDir dir;
  eq::save_npy(dir.file("w.npy"),
               Tensor::from(Shape{3, 3}, {4, 0, 4, 1, 1, 3, 0, 2, 4}, DType::i32));
  eq::save_npy(dir.file("f.npy"), Tensor::from(Shape{3, 3}, {4, 0, 4, 1, 1, 3, 0, 2, 4}));
  std::vector<DataDeclaration> input = {{"w", "input", Shape{3, 5}, true}};
  eq::Dataset npy = eq::npy_dataset(std::vector<eq::NpyBinding>{{"w", dir.file("w.npy"), true}});
  CHECK_NOTHROW(eq::fit_dataset(npy, input));
  CHECK(npy.find("w")->values.to_vector() == w.values.to_vector());
  eq::Dataset floats = eq::npy_dataset(std::vector<eq::NpyBinding>{{"w", dir.file("f.npy"), true}});
  CHECK_THROWS_WITH(eq::fit_dataset(floats, input),
                    "npy data: " + dir.file("f.npy") +
                        " holds numbers, but input w is declared onehot[3, 5]: it takes whole "
                        "numbers, class indices");
}
