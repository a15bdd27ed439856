#include "eq/report/html.hpp"

#include <algorithm>
#include <cstdio>

#include "eq/report/plot.hpp"
#include "eq/runtime/format.hpp"

namespace eq::report {
namespace {

// Colours that stay apart for the colour-blind (the Tableau palette's first).
constexpr const char* kTrainColor = "#1f77b4";
constexpr const char* kStepColor = "#a6c8e6";
constexpr const char* kValColor = "#d62728";
constexpr const char* kLrColor = "#2ca02c";

constexpr const char* kStyle =
    R"(body{font-family:sans-serif;margin:24px;color:#222;max-width:1400px}
h1{font-size:22px;margin:0 0 4px}h2{font-size:17px;margin:28px 0 8px;border-bottom:1px solid #ddd}
.summary{color:#555;margin:2px 0}.failure{color:#a00;font-weight:bold;margin:2px 0}.charts{display:flex;flex-wrap:wrap;gap:12px}
pre{background:#f6f6f8;padding:10px;overflow-x:auto;font-size:14px;line-height:1.35}
table{border-collapse:collapse;font-size:13px}td,th{padding:3px 8px;border:1px solid #ddd}
td.n{text-align:right;font-variant-numeric:tabular-nums}.bar{background:#1f77b4;height:10px}
.cm td{text-align:right;min-width:28px}.note{color:#666;font-style:italic}
.graph{overflow:auto;max-height:900px;border:1px solid #eee})";

std::string number(double x, int digits = 4) { return format_number(x, digits); }

using Points = std::vector<std::pair<double, double>>;

// Dots with tooltips for up to this many epochs; past it the line alone
// (a 300-epoch run would otherwise triple the file for dots nobody can
// tell apart).
constexpr std::size_t kMaxMarkers = 60;

Series epoch_series(std::string name, const char* color, Points points) {
  const bool markers = points.size() <= kMaxMarkers;
  return {std::move(name), color, std::move(points), markers};
}

// The x of each epoch: its step count, or the training seconds up to its end.
Points epoch_points(const RunHistory& h, bool by_seconds,
                    const std::optional<double> EpochPoint::*metric, double EpochPoint::*plain) {
  Points out;
  double seconds = 0;
  for (const EpochPoint& e : h.epochs) {
    seconds += e.seconds;
    const double x = by_seconds ? seconds : static_cast<double>(e.step);
    if (metric && (e.*metric)) out.emplace_back(x, *(e.*metric));
    if (plain) out.emplace_back(x, e.*plain);
  }
  return out;
}

std::string loss_chart(const RunHistory& h, bool by_seconds) {
  Chart c;
  c.title = "Loss";
  c.x_label = by_seconds ? "seconds of training" : "step";
  Points per_step;
  for (const StepPoint& p : h.steps.points())
    per_step.emplace_back(by_seconds ? p.seconds : p.step, p.loss);
  if (!per_step.empty())
    c.series.push_back({"training, per step", kStepColor, per_step, false, 1.0});
  c.series.push_back(epoch_series("training loss", kTrainColor,
                                  epoch_points(h, by_seconds, nullptr, &EpochPoint::loss)));
  Points val = epoch_points(h, by_seconds, &EpochPoint::val_loss, nullptr);
  if (!val.empty()) c.series.push_back(epoch_series("validation loss", kValColor, val));
  c.log_y = prefers_log(c.series);
  return svg_chart(c);
}

std::string accuracy_chart(const RunHistory& h, bool by_seconds) {
  Chart c;
  c.title = "Accuracy";
  c.x_label = by_seconds ? "seconds of training" : "step";
  c.percent_y = true;
  Points train = epoch_points(h, by_seconds, &EpochPoint::accuracy, nullptr);
  Points val = epoch_points(h, by_seconds, &EpochPoint::val_accuracy, nullptr);
  if (!train.empty()) c.series.push_back(epoch_series("training accuracy", kTrainColor, train));
  if (!val.empty()) c.series.push_back(epoch_series("validation accuracy", kValColor, val));
  return c.series.empty() ? "" : svg_chart(c);
}

std::string lr_chart(const RunHistory& h) {
  Chart c;
  c.title = "Learning rate";
  c.x_label = "step";
  Points lr = epoch_points(h, false, &EpochPoint::lr, nullptr);
  if (lr.empty()) return "";
  c.series.push_back(epoch_series("learning rate", kLrColor, lr));
  c.log_y = prefers_log(c.series);
  return svg_chart(c);
}

std::string confusion_table(const Confusion& m) {
  const std::size_t n = m.labels.size();
  if (n * n != m.counts.size()) return "";
  if (n > 40)
    return "<p class=\"note\">" + std::to_string(n) + " classes: too many to draw a matrix.</p>\n";
  std::string out = "<p class=\"summary\">Validation examples after epoch " +
                    std::to_string(m.epoch) +
                    ": rows are the true class, columns the predicted one; shading is the share of "
                    "the row.</p>\n<table class=\"cm\"><tr><th>true \\ predicted</th>";
  for (const std::string& l : m.labels) out += "<th>" + escape(l) + "</th>";
  out += "</tr>\n";
  for (std::size_t i = 0; i < n; ++i) {
    std::int64_t row = 0;
    for (std::size_t j = 0; j < n; ++j) row += m.counts[i * n + j];
    out += "<tr><th>" + escape(m.labels[i]) + "</th>";
    for (std::size_t j = 0; j < n; ++j) {
      const std::int64_t k = m.counts[i * n + j];
      const double share = row ? static_cast<double>(k) / static_cast<double>(row) : 0;
      char bg[64];
      std::snprintf(bg, sizeof bg, "rgba(%s,%.2f)", i == j ? "31,119,180" : "214,39,40", share);
      out += "<td style=\"background:" + std::string(bg) + "\">" + std::to_string(k) + "</td>";
    }
    out += "</tr>\n";
  }
  return out + "</table>\n";
}

std::string kernel_table(const RunHistory& h) {
  std::vector<KernelTime> ks = h.kernels;
  std::stable_sort(ks.begin(), ks.end(),
                   [](const KernelTime& a, const KernelTime& b) { return a.seconds > b.seconds; });
  double total = 0;
  for (const KernelTime& k : ks) total += k.seconds;
  std::string out = "<p class=\"summary\">" + number(total, 4) + " s in instructions over " +
                    std::to_string(h.profiled_steps) +
                    " steps (validation not included).</p>\n"
                    "<table><tr><th>kernel</th><th>ms</th><th>share</th><th>runs</th><th>µs a "
                    "run</th><th></th></tr>\n";
  constexpr std::size_t kShown = 30;
  double rest = 0;
  for (std::size_t i = 0; i < ks.size(); ++i) {
    const KernelTime& k = ks[i];
    if (i >= kShown) {
      rest += k.seconds;
      continue;
    }
    const double share = total > 0 ? k.seconds / total : 0;
    char width[32];
    std::snprintf(width, sizeof width, "%.0f", 200 * share);
    out += "<tr><td><code>" + escape(k.label) + "</code></td><td class=\"n\">" +
           number(1e3 * k.seconds) + "</td><td class=\"n\">" + number(100 * share, 3) +
           "%</td><td class=\"n\">" + std::to_string(k.count) + "</td><td class=\"n\">" +
           (k.count ? number(1e6 * k.seconds / static_cast<double>(k.count)) : "") +
           "</td><td><div class=\"bar\" style=\"width:" + width + "px\"></div></td></tr>\n";
  }
  if (rest > 0)
    out += "<tr><td>" + std::to_string(ks.size() - kShown) + " others</td><td class=\"n\">" +
           number(1e3 * rest) + "</td><td></td><td></td><td></td><td></td></tr>\n";
  return out + "</table>\n";
}

std::string status(const RunHistory& h) {
  if (!h.failure.empty()) {
    const std::string done = h.epochs.empty()
                                 ? "before any epoch finished"
                                 : "after epoch " + std::to_string(h.epochs.back().epoch);
    return "The run stopped " + done + ":";
  }
  if (h.epochs.empty())
    return h.finished ? "No epoch finished." : "Training: no epoch finished yet.";
  const EpochPoint& e = h.epochs.back();
  std::string s = (h.finished ? "Finished after epoch " : "Training: epoch ") +
                  std::to_string(e.epoch) + (h.finished ? "" : " done") + ", step " +
                  std::to_string(e.step) + "; loss " + number(e.loss);
  if (e.val_loss) s += ", validation loss " + number(*e.val_loss);
  if (e.val_accuracy) s += ", validation accuracy " + number(100 * *e.val_accuracy) + "%";
  return s + (h.finished ? "." : ". This page reloads itself every 10 s.");
}

}  // namespace

std::string render_report(const RunHistory& h) {
  std::string out = "<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\"/>\n";
  // Which command wrote the page: `eqc report` does not write over one of
  // `eqc train --report` unless told to (cli/report.cc).
  out += std::string("<meta name=\"generator\" content=\"") +
         (h.source.empty() ? kFromLog : kFromTraining) + "\"/>\n";
  if (!h.finished) out += "<meta http-equiv=\"refresh\" content=\"10\"/>\n";
  out += "<title>" + escape(h.title) + " — eq training report</title>\n<style>" + kStyle +
         "</style>\n</head>\n<body>\n";
  out += "<h1>" + escape(h.title) + "</h1>\n";
  if (!h.summary.empty()) out += "<p class=\"summary\">" + escape(h.summary) + "</p>\n";
  out += "<p class=\"" + std::string(h.failure.empty() ? "summary" : "failure") +
         "\" id=\"status\">" + escape(status(h)) + "</p>\n";
  // The error as eqc printed it: a located message with its source line.
  if (!h.failure.empty()) out += "<pre class=\"failure\">" + escape(h.failure) + "</pre>\n";

  out += "<h2>Curves</h2>\n<div class=\"charts\">\n" + loss_chart(h, false) + loss_chart(h, true);
  out += accuracy_chart(h, false) + accuracy_chart(h, true) + lr_chart(h) + "</div>\n";

  if (h.confusion) out += "<h2>Confusion matrix</h2>\n" + confusion_table(*h.confusion);
  if (!h.samples.empty()) {
    out +=
        "<h2>Samples</h2>\n<p class=\"summary\">Text drawn from the model after each epoch "
        "(temperature 1).</p>\n";
    for (const TextSample& s : h.samples)
      out += "<h3>epoch " + std::to_string(s.epoch) + "</h3>\n<pre class=\"sample\">" +
             escape(s.text) + "</pre>\n";
  }
  if (!h.source.empty())
    out += "<h2>Equations</h2>\n<pre class=\"source\">" + escape(h.source) + "</pre>\n";
  if (!h.graph_svg.empty() || !h.graph_note.empty()) {
    out += "<h2>Graph</h2>\n";
    if (!h.graph_svg.empty())
      out += "<div class=\"graph\">\n" + h.graph_svg + "</div>\n";
    else
      out += "<p class=\"note\">" + escape(h.graph_note) + "</p>\n";
  }
  if (!h.kernels.empty()) out += "<h2>Time per kernel</h2>\n" + kernel_table(h);
  out += "<p class=\"summary\">Written by eqc.</p>\n</body>\n</html>\n";
  return out;
}

bool written_by_training(std::string_view page_start) {
  return page_start.find(std::string("<meta name=\"generator\" content=\"") + kFromTraining +
                         "\"/>") != std::string_view::npos;
}

}  // namespace eq::report
