#include "eq/report/log_csv.hpp"

#include <charconv>
#include <cmath>

#include "eq/runtime/data.hpp"
#include "eq/runtime/error.hpp"
#include "eq/runtime/file_io.hpp"
#include "eq/runtime/format.hpp"

namespace eq::report {
namespace {

// Six significant digits: what the progress lines print.
std::string number(double x) { return format_number(x, 6); }
std::string number(const std::optional<double>& x) { return x ? number(*x) : ""; }

}  // namespace

std::string log_header() { return "epoch,step,loss,accuracy,val_loss,val_accuracy,seconds,lr\n"; }

std::string log_row(const EpochPoint& e) {
  return std::to_string(e.epoch) + ',' + std::to_string(e.step) + ',' + number(e.loss) + ',' +
         number(e.accuracy) + ',' + number(e.val_loss) + ',' + number(e.val_accuracy) + ',' +
         number(e.seconds) + ',' + number(e.lr) + '\n';
}

std::vector<EpochPoint> parse_log(std::string text, const std::string& path) {
  const CsvTable t = parse_csv(std::move(text), path);
  auto column = [&](std::string_view name) -> std::int64_t {
    for (std::size_t i = 0; i < t.header().size(); ++i)
      if (t.header()[i] == name) return static_cast<std::int64_t>(i);
    return -1;
  };
  for (const char* required : {"epoch", "step", "loss"})
    if (column(required) < 0)
      throw Error(path + ": not an `eqc train --log` file: it has no '" + required + "' column");
  // An empty field is a metric the run does not have; anything else must be
  // a finite number.
  auto field = [&](std::int64_t row, std::int64_t col) -> std::optional<double> {
    if (col < 0) return std::nullopt;
    const std::string_view f = t.field(row, col);
    if (f.empty()) return std::nullopt;
    double x = 0;
    const auto [end, ec] = std::from_chars(f.data(), f.data() + f.size(), x);
    if (ec != std::errc() || end != f.data() + f.size() || !std::isfinite(x))
      throw Error(t.located(row, col, "'" + std::string(f) + "' is not a number"));
    return x;
  };
  auto required = [&](std::int64_t row, const char* name) {
    const std::int64_t col = column(name);
    if (auto x = field(row, col)) return *x;
    throw Error(t.located(row, col, std::string("the ") + name + " is missing"));
  };
  std::vector<EpochPoint> rows;
  for (std::int64_t r = 0; r < t.rows(); ++r) {
    EpochPoint e;
    e.epoch = static_cast<std::int64_t>(required(r, "epoch"));
    e.step = static_cast<std::int64_t>(required(r, "step"));
    e.loss = required(r, "loss");
    e.accuracy = field(r, column("accuracy"));
    e.val_loss = field(r, column("val_loss"));
    e.val_accuracy = field(r, column("val_accuracy"));
    e.seconds = field(r, column("seconds")).value_or(0);
    e.lr = field(r, column("lr"));
    rows.push_back(e);
  }
  return rows;
}

std::vector<EpochPoint> read_log(const std::string& path) {
  std::string text = read_file(path);
  refuse_binary(text, path, "the log of a run (eqc train --log FILE.csv)");
  return parse_log(std::move(text), path);
}

}  // namespace eq::report
