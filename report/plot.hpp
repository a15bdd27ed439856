// Line charts as inline SVG, drawn by our own code for the training report:
// axes with round-number ticks, a linear or a log₁₀ y axis, a legend, and per
// point a dot whose <title> is the exact value (a tooltip in a browser, and
// what the tests read back).
#pragma once

#include <string>
#include <utility>
#include <vector>

namespace eq::report {

struct Series {
  std::string name;                               // the legend's text
  std::string color;                              // a CSS colour
  std::vector<std::pair<double, double>> points;  // (x, y); non-finite ones are skipped
  bool markers = false;                           // a dot with a tooltip at every point
  double width = 1.8;                             // the line's stroke width
};

struct Chart {
  std::string title, x_label;
  std::vector<Series> series;
  bool log_y = false;      // log₁₀ scale; points with y ≤ 0 are skipped
  bool percent_y = false;  // y is a fraction, labelled as a percentage
  int width = 460, height = 280;
};

// Whether a log y axis reads better: every y is positive and the largest is
// at least 20 times the smallest (a loss falling over a decade or more).
bool prefers_log(const std::vector<Series>& series);

// Round tick values covering [lo, hi]: about `count` steps of 1, 2 or 5 × 10ᵏ;
// on a log axis the powers of ten inside (with 2× and 5× when fewer than two).
std::vector<double> linear_ticks(double lo, double hi, int count);
std::vector<double> log_ticks(double lo, double hi);

// The chart as one <svg> element. The plot area is a <rect class="plot">.
std::string svg_chart(const Chart& chart);

// `text` with &, <, >, " and ' escaped for HTML and SVG.
std::string escape(const std::string& text);

}  // namespace eq::report
