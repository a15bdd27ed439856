// CSV tables: splitting into fields, header detection, column selection, and
// reading a column as numbers or as classes. Rules: data.hpp.
#include <algorithm>
#include <charconv>
#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <map>

#include "eq/runtime/data.hpp"
#include "eq/runtime/error.hpp"
#include "eq/runtime/file_io.hpp"
#include "eq/runtime/utf8.hpp"

namespace eq {
namespace {

bool is_blank(char c) { return c == ' ' || c == '\t'; }

// A finite decimal number, as the whole of `s` ("+1.5e3" too). Non-finite
// spellings (nan, inf) are not numbers here: a training input must be finite.
// Of a decimal number from_chars finds out of range: whether it is too
// large (else too small). Its magnitude is 10^(exponent + digits before the
// point − 1), or with no digit before the point but zeros, lower still.
bool too_large(std::string_view s) {
  if (!s.empty() && (s[0] == '-' || s[0] == '+')) s.remove_prefix(1);
  const std::size_t e = s.find_first_of("eE");
  long long exponent = 0;
  if (e != std::string_view::npos) {
    const char* from = s.data() + e + 1;
    if (*from == '+') ++from;
    // An exponent past long long is past any double either way: its sign decides.
    if (std::from_chars(from, s.data() + s.size(), exponent).ec != std::errc())
      return s[e + 1] != '-';
  }
  const std::string_view mantissa = s.substr(0, e);
  const std::size_t point = std::min(mantissa.find('.'), mantissa.size());
  const std::size_t first = mantissa.find_first_of("123456789");
  if (first == std::string_view::npos) return false;
  const long long position = first < point ? static_cast<long long>(point - first) - 1
                                           : -static_cast<long long>(first - point);
  return exponent + position > 0;
}

bool parses_as_double(std::string_view s, double& out) {
  if (!s.empty() && s[0] == '+') s.remove_prefix(1);
  if (s.empty()) return false;
  auto [end, ec] = std::from_chars(s.data(), s.data() + s.size(), out);
  if (end != s.data() + s.size()) return false;
  // Out of range: beyond ±1.8e308 is ±inf (not finite, so refused by
  // parse_number), below the smallest double ±0, as strtod reads them (not
  // strtod itself: it follows the host program's locale).
  if (ec == std::errc::result_out_of_range) {
    const bool negative = s[0] == '-';
    out = too_large(s) ? HUGE_VAL : 0.0;
    if (negative) out = -out;
    return true;
  }
  return ec == std::errc();
}

bool parse_number(std::string_view s, double& out) {
  return parses_as_double(s, out) && std::isfinite(out);
}

bool is_number_spelling(std::string_view s) {
  double v;
  return parses_as_double(s, v);
}

// A number spelled with digits too large for a double (1e999), not inf.
bool overflows(std::string_view s) {
  double v = 0;
  return parses_as_double(s, v) && std::isinf(v) &&
         s.find_first_of("0123456789") != std::string_view::npos;
}

bool is_number(std::string_view s) {
  double v;
  return parse_number(s, v);
}

// Edit distance in code points, for "did you mean".
std::size_t edit_distance(std::string_view a, std::string_view b) {
  auto points = [](std::string_view s) {
    std::u32string out;
    char32_t cp;
    for (std::size_t i = 0; i < s.size();) {
      int n = utf8::decode(s, i, cp);
      out.push_back(n ? cp : U'\uFFFD');
      i += n ? static_cast<std::size_t>(n) : 1;
    }
    return out;
  };
  std::u32string x = points(a), y = points(b);
  std::vector<std::size_t> row(y.size() + 1);
  for (std::size_t j = 0; j <= y.size(); ++j) row[j] = j;
  for (std::size_t i = 1; i <= x.size(); ++i) {
    std::size_t diagonal = row[0];
    row[0] = i;
    for (std::size_t j = 1; j <= y.size(); ++j) {
      std::size_t up = row[j];
      row[j] = std::min({row[j] + 1, row[j - 1] + 1, diagonal + (x[i - 1] == y[j - 1] ? 0 : 1)});
      diagonal = up;
    }
  }
  return row[y.size()];
}

// Integer labels at or above this are not taken as class indices (a column of
// ids or years would otherwise ask for millions of classes).
constexpr double kMaxIndexLabel = 65536;

std::string join(const std::vector<std::string>& items, std::size_t limit = 12) {
  std::string out;
  for (std::size_t i = 0; i < items.size() && i < limit; ++i)
    out += (i ? ", " : "") + utf8::shorten(items[i]);
  if (items.size() > limit) out += ", …";
  return out;
}

}  // namespace

ColumnSelector ColumnSelector::parse(std::string_view text) {
  auto digits = [](std::string_view s) {
    return !s.empty() &&
           std::all_of(s.begin(), s.end(), [](char c) { return c >= '0' && c <= '9'; });
  };
  auto number = [](std::string_view s) {
    std::int64_t v = 0;
    auto [end, ec] = std::from_chars(s.data(), s.data() + s.size(), v);
    if (ec != std::errc()) throw Error("column index '" + std::string(s) + "' is too large");
    return v;
  };
  ColumnSelector sel;
  std::size_t colon = text.find(':');
  if (digits(text)) {
    sel.begin = number(text);
    return sel;
  }
  if (colon != std::string_view::npos) {
    std::string_view a = text.substr(0, colon), b = text.substr(colon + 1);
    if ((a.empty() || digits(a)) && (b.empty() || digits(b))) {
      sel.kind = Kind::range;
      sel.begin = a.empty() ? 0 : number(a);
      if (!b.empty()) sel.end = number(b);
      return sel;
    }
  }
  sel.kind = Kind::name;
  sel.name = std::string(text);
  return sel;
}

std::string ColumnSelector::describe() const {
  switch (kind) {
    case Kind::index:
      return "column " + std::to_string(begin);
    case Kind::range:
      return "columns " + std::to_string(begin) + ":" +
             (end ? std::to_string(*end) : std::string());
    case Kind::name:
      return "column '" + name + "'";
  }
  return "?";
}

CsvTable load_csv(const std::string& path) {
  std::string text = read_file(path);
  refuse_binary(text, path, "CSV data");
  return parse_csv(std::move(text), path);
}

CsvTable parse_csv(std::string text, std::string path) {
  CsvTable t;
  t.path_ = std::move(path);
  if (text.starts_with("\xEF\xBB\xBF")) text.erase(0, 3);
  t.text_ = std::move(text);
  const std::string& s = t.text_;
  if (std::size_t bad = utf8::find_invalid(s); bad != std::string::npos) {
    char hex[8];
    std::snprintf(hex, sizeof hex, "0x%02x", static_cast<unsigned char>(s[bad]));
    throw Error(located_error(t.path_, s, bad, 1, std::string("invalid UTF-8 (byte ") + hex + ")"));
  }

  // Split every non-blank line into trimmed fields.
  struct Line {
    std::size_t start, end;
    std::vector<CsvTable::Field> fields;
  };
  std::vector<Line> lines;
  for (std::size_t start = 0; start < s.size();) {
    std::size_t end = s.find('\n', start);
    if (end == std::string::npos) end = s.size();
    std::size_t next = end + 1;
    if (end > start && s[end - 1] == '\r') --end;
    bool blank = std::all_of(s.begin() + start, s.begin() + end, is_blank);
    if (!blank) {
      Line line{start, end, {}};
      for (std::size_t f = start;;) {
        std::size_t comma = std::min(s.find(',', f), end);
        std::size_t a = f, b = comma;
        while (a < b && is_blank(s[a])) ++a;
        while (b > a && is_blank(s[b - 1])) --b;
        line.fields.push_back({a, b - a});
        if (comma == end) break;
        f = comma + 1;
      }
      lines.push_back(std::move(line));
    }
    start = next;
  }
  if (lines.empty()) throw Error(t.path_ + ": the file is empty");

  auto text_of = [&](const CsvTable::Field& f) {
    return std::string_view(s).substr(f.offset, f.length);
  };
  const Line& first = lines[0];
  t.cols_ = static_cast<std::int64_t>(first.fields.size());

  // Header detection (data.hpp): a non-number over a number, or no number at all.
  bool any_number = std::any_of(first.fields.begin(), first.fields.end(),
                                [&](const CsvTable::Field& f) { return is_number(text_of(f)); });
  t.has_header_ = !any_number;
  if (lines.size() > 1 && lines[1].fields.size() == first.fields.size())
    for (std::size_t c = 0; c < first.fields.size(); ++c)
      t.has_header_ |=
          !is_number(text_of(first.fields[c])) && is_number(text_of(lines[1].fields[c]));
  if (t.has_header_)
    for (const auto& f : first.fields) t.header_.emplace_back(text_of(f));

  for (std::size_t i = t.has_header_ ? 1 : 0; i < lines.size(); ++i) {
    const Line& line = lines[i];
    if (line.fields.size() != first.fields.size())
      throw Error(located_error(t.path_, s, line.start, line.end - line.start,
                                "row has " + std::to_string(line.fields.size()) + " fields, the " +
                                    (t.has_header_ ? "header" : "first row") + " has " +
                                    std::to_string(first.fields.size())));
    t.fields_.insert(t.fields_.end(), line.fields.begin(), line.fields.end());
  }
  t.rows_ = static_cast<std::int64_t>(lines.size()) - (t.has_header_ ? 1 : 0);
  if (t.rows_ == 0) throw Error(t.path_ + ": the file has a header but no rows of data");
  return t;
}

std::string_view CsvTable::field(std::int64_t row, std::int64_t col) const {
  EQ_ASSERT(row >= 0 && row < rows_ && col >= 0 && col < cols_, "CSV field out of range");
  const Field& f = fields_[static_cast<std::size_t>(row * cols_ + col)];
  return std::string_view(text_).substr(f.offset, f.length);
}

std::string CsvTable::column_name(std::int64_t col) const {
  if (has_header_) return "column '" + utf8::shorten(header_[static_cast<std::size_t>(col)]) + "'";
  return "column " + std::to_string(col);
}

std::string CsvTable::located(std::int64_t row, std::int64_t col, std::string_view message) const {
  const Field& f = fields_[static_cast<std::size_t>(row * cols_ + col)];
  return located_error(path_, text_, f.offset, f.length, message);
}

std::vector<std::int64_t> CsvTable::select(const ColumnSelector& sel) const {
  std::string bounds = "the file has " + std::to_string(cols_) +
                       (cols_ == 1 ? " column" : " columns") + " (0 to " +
                       std::to_string(cols_ - 1) + ")";
  std::vector<std::int64_t> out;
  switch (sel.kind) {
    case ColumnSelector::Kind::index:
      if (sel.begin >= cols_)
        throw DataBindingError(path_ + ": " + sel.describe() + " is out of range: " + bounds);
      out.push_back(sel.begin);
      break;
    case ColumnSelector::Kind::range: {
      std::int64_t end = sel.end.value_or(cols_);
      if (sel.begin >= cols_ || end > cols_)
        throw DataBindingError(path_ + ": " + sel.describe() + " are out of range: " + bounds);
      if (end <= sel.begin)
        throw DataBindingError(path_ + ": " + sel.describe() + " select no column");
      for (std::int64_t c = sel.begin; c < end; ++c) out.push_back(c);
      break;
    }
    case ColumnSelector::Kind::name: {
      if (!has_header_)
        throw DataBindingError(
            path_ + ": no column '" + sel.name +
            "': the file has no header line, so columns are chosen by index (0 to " +
            std::to_string(cols_ - 1) + ")");
      for (std::int64_t c = 0; c < cols_; ++c)
        if (header_[static_cast<std::size_t>(c)] == sel.name) out.push_back(c);
      if (out.size() > 1)
        throw DataBindingError(path_ + ": the header names column '" + sel.name +
                               "' twice (columns " + std::to_string(out[0]) + " and " +
                               std::to_string(out[1]) + ")");
      if (out.empty()) {
        const std::string* best = nullptr;
        std::size_t best_distance = 0;
        for (const std::string& h : header_) {
          // Far longer is no near miss; and the distance takes memory in h's length.
          if (h.size() > 2 * sel.name.size() + 8) continue;
          std::size_t d = edit_distance(sel.name, h);
          if (!best || d < best_distance) best = &h, best_distance = d;
        }
        // Suggest only a near miss; otherwise list what there is.
        if (best && best_distance <= std::max<std::size_t>(2, best->size() / 3))
          throw DataBindingError(path_ + ": no column '" + sel.name + "' (did you mean '" + *best +
                                 "'?)");
        throw DataBindingError(path_ + ": no column '" + sel.name + "' (the columns are " +
                               join(header_) + ")");
      }
      break;
    }
  }
  return out;
}

Tensor CsvTable::numbers(std::span<const std::int64_t> columns) const {
  auto width = static_cast<std::int64_t>(columns.size());
  Tensor out(DType::f64, Shape{rows_, width});
  double* p = out.data<double>();
  for (std::int64_t r = 0; r < rows_; ++r)
    for (std::int64_t j = 0; j < width; ++j) {
      std::int64_t c = columns[static_cast<std::size_t>(j)];
      std::string_view f = field(r, c);
      if (!parse_number(f, p[r * width + j])) {
        std::string what = f.empty() ? "empty field where a number is expected"
                                     : "'" + utf8::shorten(f) + "' is not a " +
                                           (is_number_spelling(f) ? "finite number" : "number");
        if (overflows(f))
          what = "'" + utf8::shorten(f) + "' is beyond the range of a number (±1.8e308)";
        throw Error(located(r, c, what + " (" + column_name(c) + ")"));
      }
    }
  return out;
}

Tensor CsvTable::indices(std::span<const std::int64_t> columns) const {
  auto width = static_cast<std::int64_t>(columns.size());
  Tensor out(DType::i32, Shape{rows_, width});
  std::int32_t* p = out.data<std::int32_t>();
  for (std::int64_t r = 0; r < rows_; ++r)
    for (std::int64_t j = 0; j < width; ++j) {
      std::int64_t c = columns[static_cast<std::size_t>(j)];
      std::string_view f = field(r, c);
      double v = 0;
      if (!parse_number(f, v) || v < 0 || v >= kMaxIndexLabel || v != std::floor(v))
        throw Error(
            located(r, c,
                    (f.empty() ? std::string("empty field") : "'" + utf8::shorten(f) + "'") +
                        " where a class index (a whole number from 0 to " +
                        std::to_string(static_cast<std::int64_t>(kMaxIndexLabel) - 1) +
                        ") is expected (" + column_name(c) + ")"));
      p[r * width + j] = static_cast<std::int32_t>(v);
    }
  return out;
}

CsvTable::Classes CsvTable::classes(std::int64_t column) const {
  EQ_ASSERT(column >= 0 && column < cols_, "CSV class column out of range");
  std::vector<double> values(static_cast<std::size_t>(rows_));
  bool numeric = true, whole = true;
  for (std::int64_t r = 0; r < rows_ && numeric; ++r) {
    std::string_view f = field(r, column);
    if (f.empty())
      throw Error(located(
          r, column, "empty field where a class label is expected (" + column_name(column) + ")"));
    double& v = values[static_cast<std::size_t>(r)];
    numeric = parse_number(f, v);
    whole = whole && numeric && v >= 0 && v < kMaxIndexLabel && v == std::floor(v);
  }

  Classes out{Tensor(DType::i32, Shape{rows_}), {}};
  std::int32_t* idx = out.indices.data<std::int32_t>();
  if (numeric && whole) {
    // Integer labels already are class indices: keep them, so class 2 stays
    // class 2 even when this file happens to lack class 1.
    double top = *std::max_element(values.begin(), values.end());
    for (std::int64_t i = 0; i <= static_cast<std::int64_t>(top); ++i)
      out.labels.push_back(std::to_string(i));
    for (std::int64_t r = 0; r < rows_; ++r)
      idx[r] = static_cast<std::int32_t>(values[static_cast<std::size_t>(r)]);
  } else if (numeric) {
    // Other numbers: distinct values in increasing order, named by their
    // first spelling in the file.
    std::map<double, std::string> distinct;
    for (std::int64_t r = 0; r < rows_; ++r)
      distinct.emplace(values[static_cast<std::size_t>(r)], field(r, column));
    std::map<double, std::int32_t> index;
    for (const auto& [v, text] : distinct) {
      index[v] = static_cast<std::int32_t>(out.labels.size());
      out.labels.push_back(text);
    }
    for (std::int64_t r = 0; r < rows_; ++r) idx[r] = index[values[static_cast<std::size_t>(r)]];
  } else {
    // Text: sorted distinct strings. Byte order of UTF-8 is code point order.
    std::map<std::string, std::int32_t, std::less<>> index;
    for (std::int64_t r = 0; r < rows_; ++r) {
      std::string_view f = field(r, column);
      if (f.empty())
        throw Error(
            located(r, column,
                    "empty field where a class label is expected (" + column_name(column) + ")"));
      index.emplace(f, 0);
    }
    for (auto& [text, i] : index) {
      i = static_cast<std::int32_t>(out.labels.size());
      out.labels.push_back(text);
    }
    for (std::int64_t r = 0; r < rows_; ++r) idx[r] = index.find(field(r, column))->second;
  }
  return out;
}

CsvTable::Classes CsvTable::classes(std::int64_t column,
                                    const std::vector<std::string>& labels) const {
  EQ_ASSERT(column >= 0 && column < cols_, "CSV class column out of range");
  std::map<std::string, std::int32_t, std::less<>> by_text;
  std::map<double, std::int32_t> by_value;
  for (std::size_t i = 0; i < labels.size(); ++i) {
    by_text.emplace(labels[i], static_cast<std::int32_t>(i));
    double v;
    if (parse_number(labels[i], v)) by_value.emplace(v, static_cast<std::int32_t>(i));
  }
  Classes out{Tensor(DType::i32, Shape{rows_}), labels};
  std::int32_t* idx = out.indices.data<std::int32_t>();
  for (std::int64_t r = 0; r < rows_; ++r) {
    std::string_view f = field(r, column);
    if (auto it = by_text.find(f); it != by_text.end()) {
      idx[r] = it->second;
      continue;
    }
    double v;
    if (parse_number(f, v))
      if (auto it = by_value.find(v); it != by_value.end()) {
        idx[r] = it->second;
        continue;
      }
    throw Error(located(
        r, column,
        "'" + utf8::shorten(f) + "' is not one of the model's classes (" + join(labels) + ")"));
  }
  return out;
}

}  // namespace eq
