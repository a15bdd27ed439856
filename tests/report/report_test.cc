// The report's parts on their own: the bounded per-step series, tick
// choice, chart geometry and tooltips, the log's format both ways, HTML
// escaping and the page's sections.
#include <catch2/catch.hpp>
#include <regex>

#include "eq/report/history.hpp"
#include "eq/report/html.hpp"
#include "eq/report/log_csv.hpp"
#include "eq/report/plot.hpp"
#include "eq/runtime/error.hpp"

using namespace eq;
using namespace eq::report;

TEST_CASE("StepSeries keeps at most kMaxPoints, each the mean of the steps it stands for") {
  StepSeries s;
  const int n = 5000;
  for (int i = 1; i <= n; ++i) s.add(i, 0.5 * i, 3.0 * i);
  const std::vector<StepPoint> p = s.points();
  REQUIRE(p.size() <= StepSeries::kMaxPoints);
  REQUIRE(p.size() > StepSeries::kMaxPoints / 4);
  // Buckets are consecutive steps: a point at mean step m has loss 3m and
  // seconds m/2, and the points cover 1..n in order.
  double covered = 0;
  for (std::size_t i = 0; i < p.size(); ++i) {
    CHECK(p[i].loss == Approx(3 * p[i].step));
    CHECK(p[i].seconds == Approx(0.5 * p[i].step));
    if (i) CHECK(p[i].step > p[i - 1].step);
  }
  // After 5000 steps the buckets are 8 steps wide (1024 → 512 at 1024,
  // 2048, 4096): 625 whole points, the first the mean of steps 1..8.
  CHECK(p.size() == 625);
  CHECK(p.front().step == Approx(4.5));
  CHECK(p.back().step == Approx(4996.5));
  covered = static_cast<double>(p.size()) * 8;
  CHECK(covered == n);
}

TEST_CASE("StepSeries shows the steps of an unfinished bucket") {
  StepSeries s;
  for (int i = 1; i <= 3; ++i) s.add(i, i, 10 * i);
  REQUIRE(s.points().size() == 3);
  CHECK(s.points()[2].loss == 30);
}

TEST_CASE("ticks are round numbers covering the range") {
  CHECK(linear_ticks(0, 1, 5) == std::vector<double>{0, 0.2, 0.4, 0.6000000000000001, 0.8, 1});
  const std::vector<double> t = linear_ticks(3, 161, 5);  // step 50
  CHECK(t == std::vector<double>{50, 100, 150});
  CHECK(log_ticks(0.05, 3) == std::vector<double>{0.1, 1});
  CHECK(log_ticks(0.003, 40) == std::vector<double>{0.01, 0.1, 1, 10});
  // Within one decade: 1, 2 and 5 times powers of ten.
  CHECK(log_ticks(0.15, 0.9) == std::vector<double>{0.2, 0.5});
}

TEST_CASE("a log axis is chosen when the values span more than a decade") {
  CHECK(prefers_log({{"a", "red", {{1, 2.0}, {2, 0.05}}}}));
  CHECK_FALSE(prefers_log({{"a", "red", {{1, 2.0}, {2, 0.5}}}}));
  CHECK_FALSE(prefers_log({{"a", "red", {{1, 2.0}, {2, 0.0}}}}));  // not positive
  CHECK_FALSE(prefers_log({}));
}

namespace {
struct Circle {
  double x, y;
  std::string title;
};
std::vector<Circle> circles(const std::string& svg) {
  std::vector<Circle> out;
  const std::regex re(
      "<circle cx=\"([0-9.]+)\" cy=\"([0-9.]+)\" r=\"[0-9.]+\"><title>([^<]*)</title>");
  for (auto it = std::sregex_iterator(svg.begin(), svg.end(), re); it != std::sregex_iterator();
       ++it)
    out.push_back({std::stod((*it)[1]), std::stod((*it)[2]), (*it)[3]});
  return out;
}
}  // namespace

TEST_CASE("chart points land where the axes put them, with their values as tooltips") {
  Chart c;
  c.title = "Loss";
  c.x_label = "step";
  c.series.push_back({"loss", "#000", {{10, 1.0}, {20, 0.1}, {30, 0.01}}, true});
  SECTION("log scale: equal ratios are equal distances") {
    c.log_y = true;
    const std::vector<Circle> p = circles(svg_chart(c));
    REQUIRE(p.size() == 3);
    // The plot spans x 58..(460 − 14); the x range fills it.
    CHECK(p[0].x == Approx(58.0));
    CHECK(p[2].x == Approx(446.0));
    CHECK(p[1].x == Approx(252.0));
    CHECK(p[1].y - p[0].y == Approx(p[2].y - p[1].y).margin(0.11));
    CHECK(p[0].y < p[2].y);  // larger values higher up
    CHECK(p[0].title == "loss at 10: 1");
    CHECK(p[2].title == "loss at 30: 0.01");
  }
  SECTION("linear scale: 0.1 sits a tenth of the way from 0.01 to 1, less the padding") {
    const std::vector<Circle> p = circles(svg_chart(c));
    REQUIRE(p.size() == 3);
    // Domain [0.01 − 0.0495, 1 + 0.0495] over the plot's 44..(280 − 42).
    const double lo = 0.01 - 0.0495, hi = 1 + 0.0495;
    auto y = [&](double v) { return 238 - (v - lo) / (hi - lo) * 194; };
    CHECK(p[1].y == Approx(y(0.1)).margin(0.06));
    CHECK(p[0].y == Approx(y(1)).margin(0.06));
  }
}

TEST_CASE("a chart without points says so, and escapes its text") {
  Chart c;
  c.title = "a < b & c";
  c.series.push_back({"x", "#000", {}, true});
  const std::string svg = svg_chart(c);
  CHECK(svg.find("no points yet") != std::string::npos);
  CHECK(svg.find("a &lt; b &amp; c") != std::string::npos);
  CHECK(escape("\"'<>&") == "&quot;&#39;&lt;&gt;&amp;");
}

TEST_CASE("the log reads back what it wrote, with and without the optional columns") {
  EpochPoint a{1, 8, 0.781488, 0.691667, 0.539027, 0.766667, 0.00800957, 0.05};
  EpochPoint b{2, 16, 0.43689, std::nullopt, std::nullopt, std::nullopt, 9.75e-5, std::nullopt};
  CHECK(log_header() == "epoch,step,loss,accuracy,val_loss,val_accuracy,seconds,lr\n");
  CHECK(log_row(a) == "1,8,0.781488,0.691667,0.539027,0.766667,0.00800957,0.05\n");
  CHECK(log_row(b) == "2,16,0.43689,,,,9.75e-5,\n");
  const std::vector<EpochPoint> rows = parse_log(log_header() + log_row(a) + log_row(b), "run.csv");
  REQUIRE(rows.size() == 2);
  CHECK(rows[0].epoch == 1);
  CHECK(rows[0].step == 8);
  CHECK(rows[0].val_accuracy == 0.766667);
  CHECK(rows[0].lr == 0.05);
  CHECK(rows[1].loss == 0.43689);
  CHECK(!rows[1].accuracy);
  CHECK(!rows[1].lr);
  // A log from before the lr column.
  const auto old = parse_log(
      "epoch,step,loss,accuracy,val_loss,val_accuracy,seconds\n3,24,0.5,,,,1\n", "old.csv");
  REQUIRE(old.size() == 1);
  CHECK(old[0].step == 24);
  CHECK(!old[0].lr);
}

TEST_CASE("a bad log is an error at the file or at the field") {
  CHECK_THROWS_WITH(parse_log("a,b\n1,2\n", "x.csv"),
                    "x.csv: not an `eqc train --log` file: it has no 'epoch' column");
  CHECK_THROWS_WITH(parse_log("epoch,step,loss\n1,8,abc\n", "x.csv"),
                    "x.csv:2:5: error: 'abc' is not a number\n1,8,abc\n    ^~~");
  CHECK_THROWS_WITH(parse_log("epoch,step,loss\n1,,0.5\n", "x.csv"),
                    Catch::Contains("x.csv:2:3: error: the step is missing"));
}

TEST_CASE("the page: curves first, the sections that have data, reloading only while training") {
  RunHistory h;
  h.title = "m.eq";
  h.source = "ŷ = σ(w·x)  # a < b";
  h.epochs.push_back({1, 8, 0.9, 0.5, 0.8, 0.6, 0.01, 0.1});
  h.epochs.push_back({2, 16, 0.5, 0.7, 0.6, 0.7, 0.01, 0.1});
  h.graph_note = "no dot";
  std::string page = render_report(h);
  CHECK(page.find("http-equiv=\"refresh\"") != std::string::npos);
  CHECK(page.find("<h2>Curves</h2>") < page.find("<h2>Equations</h2>"));
  CHECK(page.find("ŷ = σ(w·x)  # a &lt; b") != std::string::npos);
  CHECK(page.find("Accuracy") != std::string::npos);
  CHECK(page.find("validation accuracy at 16: 0.7") != std::string::npos);
  CHECK(page.find("no dot") != std::string::npos);
  CHECK(page.find("Confusion matrix") == std::string::npos);
  CHECK(page.find("Time per kernel") == std::string::npos);
  h.finished = true;
  h.confusion = Confusion{2, {"cat", "dog"}, {3, 1, 0, 4}};
  page = render_report(h);
  CHECK(page.find("http-equiv=\"refresh\"") == std::string::npos);
  CHECK(page.find("<th>dog</th>") != std::string::npos);
  CHECK(page.find("Finished after epoch 2") != std::string::npos);
}
