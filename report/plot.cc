#include "eq/report/plot.hpp"

#include <algorithm>
#include <cmath>
#include <cstdio>

#include "eq/runtime/format.hpp"

namespace eq::report {
namespace {

// The plot area inside the chart: room for tick labels left and below, the
// title above.
constexpr double kLeft = 58, kRight = 14, kTop = 44, kBottom = 42;

std::string fixed(double v) {
  char buf[32];
  std::snprintf(buf, sizeof buf, "%.1f", v);
  return buf;
}

// Plain decimals where they are short ("1000", "0.002"), else the .eq
// number form ("1e-5", "2e6").
std::string tick_label(double v, bool percent) {
  if (percent) return format_number(100 * v, 3) + "%";
  if (std::abs(v) < 1e-12) return "0";
  if (std::abs(v) < 1e-3 || std::abs(v) >= 1e5) return format_number(v, 3);
  char buf[32];
  std::snprintf(buf, sizeof buf, "%.4g", v);
  return buf;
}

bool usable(double x, double y, bool log_y) {
  return std::isfinite(x) && std::isfinite(y) && (!log_y || y > 0);
}

struct Range {
  double lo = INFINITY, hi = -INFINITY;
  void add(double v) { lo = std::min(lo, v), hi = std::max(hi, v); }
  bool empty() const { return lo > hi; }
};

}  // namespace

std::string escape(const std::string& text) {
  std::string out;
  out.reserve(text.size());
  for (char c : text) {
    switch (c) {
      case '&':
        out += "&amp;";
        break;
      case '<':
        out += "&lt;";
        break;
      case '>':
        out += "&gt;";
        break;
      case '"':
        out += "&quot;";
        break;
      case '\'':
        out += "&#39;";
        break;
      default:
        out += c;
    }
  }
  return out;
}

bool prefers_log(const std::vector<Series>& series) {
  Range y;
  for (const Series& s : series)
    for (const auto& [px, py] : s.points) {
      if (!std::isfinite(px) || !std::isfinite(py)) continue;
      if (py <= 0) return false;
      y.add(py);
    }
  return !y.empty() && y.hi >= 20 * y.lo;
}

std::vector<double> linear_ticks(double lo, double hi, int count) {
  const double raw = (hi - lo) / std::max(count, 1);
  if (!(raw > 0) || !std::isfinite(raw)) return {lo};
  const double power = std::pow(10.0, std::floor(std::log10(raw)));
  double step = power;
  for (double m : {1.0, 2.0, 5.0, 10.0})
    if (m * power >= raw) {
      step = m * power;
      break;
    }
  std::vector<double> ticks;
  for (double k = std::ceil(lo / step - 1e-9); k * step <= hi + step * 1e-9; ++k)
    ticks.push_back(k * step);
  return ticks;
}

std::vector<double> log_ticks(double lo, double hi) {
  std::vector<double> ticks;
  for (double e = std::ceil(std::log10(lo) - 1e-9); e <= std::log10(hi) + 1e-9; ++e)
    ticks.push_back(std::pow(10.0, e));
  if (ticks.size() >= 2) return ticks;
  ticks.clear();
  for (double e = std::floor(std::log10(lo)); e <= std::ceil(std::log10(hi)); ++e)
    for (double m : {1.0, 2.0, 5.0}) {
      const double t = m * std::pow(10.0, e);
      if (t >= lo * (1 - 1e-9) && t <= hi * (1 + 1e-9)) ticks.push_back(t);
    }
  return ticks;
}

std::string svg_chart(const Chart& c) {
  const double w = c.width, h = c.height;
  const double x0 = kLeft, x1 = w - kRight, y0 = kTop, y1 = h - kBottom;
  Range xs, ys;
  for (const Series& s : c.series)
    for (const auto& [px, py] : s.points)
      if (usable(px, py, c.log_y)) xs.add(px), ys.add(c.log_y ? std::log10(py) : py);

  std::string out = "<svg xmlns=\"http://www.w3.org/2000/svg\" class=\"chart\" width=\"" +
                    std::to_string(c.width) + "\" height=\"" + std::to_string(c.height) +
                    "\" viewBox=\"0 0 " + std::to_string(c.width) + ' ' + std::to_string(c.height) +
                    "\" font-family=\"sans-serif\" font-size=\"11\">\n";
  out += "<text x=\"" + fixed(x0) + "\" y=\"18\" font-size=\"13\" font-weight=\"bold\">" +
         escape(c.title) + "</text>\n";
  out += "<rect class=\"plot\" x=\"" + fixed(x0) + "\" y=\"" + fixed(y0) + "\" width=\"" +
         fixed(x1 - x0) + "\" height=\"" + fixed(y1 - y0) +
         "\" fill=\"#f7f8fb\" stroke=\"#c8ccd4\"/>\n";
  out += "<text x=\"" + fixed((x0 + x1) / 2) + "\" y=\"" + fixed(h - 8) +
         "\" text-anchor=\"middle\">" + escape(c.x_label) + "</text>\n";
  if (xs.empty()) {
    out += "<text x=\"" + fixed((x0 + x1) / 2) + "\" y=\"" + fixed((y0 + y1) / 2) +
           "\" text-anchor=\"middle\" fill=\"#888\">no points yet</text>\n</svg>\n";
    return out;
  }
  // The domain: the data's range with a margin; a single value gets room.
  if (xs.hi == xs.lo) xs.lo -= 1, xs.hi += 1;
  if (ys.hi == ys.lo) {
    const double pad = c.log_y ? 0.5 : std::max(std::abs(ys.lo) * 0.1, 1e-3);
    ys.lo -= pad, ys.hi += pad;
  } else {
    const double pad = (ys.hi - ys.lo) * 0.05;
    ys.lo -= pad, ys.hi += pad;
  }
  if (c.percent_y) ys.lo = std::max(ys.lo, 0.0), ys.hi = std::min(ys.hi, 1.0);
  auto px = [&](double x) { return x0 + (x - xs.lo) / (xs.hi - xs.lo) * (x1 - x0); };
  auto py = [&](double y) {
    const double v = c.log_y ? std::log10(y) : y;
    return y1 - (v - ys.lo) / (ys.hi - ys.lo) * (y1 - y0);
  };

  // Grid and tick labels.
  const std::vector<double> yt = c.log_y ? log_ticks(std::pow(10.0, ys.lo), std::pow(10.0, ys.hi))
                                         : linear_ticks(ys.lo, ys.hi, 5);
  for (double t : yt) {
    const std::string y = fixed(py(t));
    out += "<line x1=\"" + fixed(x0) + "\" y1=\"" + y + "\" x2=\"" + fixed(x1) + "\" y2=\"" + y +
           "\" stroke=\"#e1e4ea\"/><text x=\"" + fixed(x0 - 5) + "\" y=\"" + y +
           "\" text-anchor=\"end\" dominant-baseline=\"middle\">" + tick_label(t, c.percent_y) +
           "</text>\n";
  }
  for (double t : linear_ticks(xs.lo, xs.hi, 5)) {
    const std::string x = fixed(px(t));
    out += "<line x1=\"" + x + "\" y1=\"" + fixed(y0) + "\" x2=\"" + x + "\" y2=\"" + fixed(y1) +
           "\" stroke=\"#e1e4ea\"/><text x=\"" + x + "\" y=\"" + fixed(y1 + 14) +
           "\" text-anchor=\"middle\">" + tick_label(t, false) + "</text>\n";
  }
  if (c.log_y)
    out += "<text x=\"" + fixed(x1) +
           "\" y=\"18\" text-anchor=\"end\" fill=\"#666\">log scale</text>\n";

  // The series, and the legend in a row between the title and the plot.
  double legend_x = x0;
  for (const Series& s : c.series) {
    std::string points;
    for (const auto& [x, y] : s.points)
      if (usable(x, y, c.log_y))
        points += (points.empty() ? "" : " ") + fixed(px(x)) + "," + fixed(py(y));
    if (points.empty()) continue;
    out += "<polyline class=\"series\" data-name=\"" + escape(s.name) +
           "\" fill=\"none\" stroke=\"" + s.color + "\" stroke-width=\"" + format_number(s.width) +
           "\" stroke-linejoin=\"round\" points=\"" + points + "\"/>\n";
    if (s.markers) {
      out += "<g fill=\"" + s.color + "\">";
      for (const auto& [x, y] : s.points)
        if (usable(x, y, c.log_y))
          out += "<circle cx=\"" + fixed(px(x)) + "\" cy=\"" + fixed(py(y)) +
                 "\" r=\"2.6\"><title>" + escape(s.name) + " at " + format_number(x, 6) + ": " +
                 format_number(y, 6) + "</title></circle>";
      out += "</g>\n";
    }
    out += "<line x1=\"" + fixed(legend_x) + "\" y1=\"34\" x2=\"" + fixed(legend_x + 16) +
           "\" y2=\"34\" stroke=\"" + s.color + "\" stroke-width=\"3\"/><text x=\"" +
           fixed(legend_x + 20) + "\" y=\"34\" dominant-baseline=\"middle\">" + escape(s.name) +
           "</text>\n";
    legend_x += 34 + 6.2 * static_cast<double>(s.name.size());
  }
  out += "</svg>\n";
  return out;
}

}  // namespace eq::report
