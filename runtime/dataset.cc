// Datasets: model names bound to CSV columns or .npy arrays, and the check
// that they fit what the model declares (data.hpp).
#include <algorithm>
#include <cmath>
#include <set>

#include "eq/runtime/data.hpp"
#include "eq/runtime/error.hpp"
#include "eq/runtime/format.hpp"

namespace eq {
namespace {

std::string names_of(const Dataset& data) {
  std::string out;
  for (const DataColumn& c : data.columns) out += (out.empty() ? "" : ", ") + c.name;
  return out;
}

void check_unique(const Dataset& data, const std::string& name) {
  if (data.find(name))
    throw DataBindingError(data.source + ": the data binds '" + name + "' twice");
}

// "4 features", "1 value", "3 indices", "[8, 8]": one example's size, in words.
std::string per_example(const Shape& s, const std::string& role) {
  if (s.rank() > 1) return s.str();
  std::int64_t n = s.rank() == 0 ? 1 : s[0];
  if (role == "index") return std::to_string(n) + (n == 1 ? " index" : " indices");
  std::string noun = role == "input" ? "feature" : "value";
  return std::to_string(n) + " " + noun + (n == 1 ? "" : "s");
}

}  // namespace

std::int64_t Dataset::size() const {
  if (columns.empty() || columns[0].values.shape().rank() == 0) return 0;
  return columns[0].values.shape()[0];
}

const DataColumn* Dataset::find(std::string_view name) const {
  for (const DataColumn& c : columns)
    if (c.name == name) return &c;
  return nullptr;
}

Dataset csv_dataset(const CsvTable& table, std::span<const CsvBinding> bindings) {
  Dataset data;
  data.source = table.path();
  for (const CsvBinding& b : bindings) {
    check_unique(data, b.name);
    std::vector<std::int64_t> cols = table.select(b.columns);
    DataColumn c{b.name, b.columns.describe(), Tensor(), {}, cols};
    if (b.sequence) {
      c.values = table.indices(cols);
    } else if (b.classes) {
      if (cols.size() != 1)
        throw DataBindingError(table.path() + ": " + c.origin + " select " +
                               std::to_string(cols.size()) + " columns, but the class target " +
                               b.name + " takes one column of labels");
      CsvTable::Classes k = table.classes(cols[0]);
      c.values = std::move(k.indices);
      c.labels = std::move(k.labels);
    } else {
      c.values = table.numbers(cols);
    }
    data.columns.push_back(std::move(c));
  }
  return data;
}

namespace {

// "example 3, element [1, 2]": where element i of an array of examples is.
std::string element_at(const Shape& shape, std::int64_t i) {
  const std::int64_t per = shape[0] > 0 ? shape.numel() / shape[0] : 1;
  std::string where = "example " + std::to_string(i / per);
  if (shape.rank() > 1) {
    std::string index;
    std::int64_t rest = i % per;
    for (int axis = shape.rank() - 1; axis >= 1; --axis) {
      index = std::to_string(rest % shape[axis]) + (index.empty() ? "" : ", ") + index;
      rest /= shape[axis];
    }
    where += ", element [" + index + "]";
  }
  return where;
}

// A NaN or ±inf in an array of data, located as a CSV field would be: the
// example (axis 0) and the place within it.
void check_finite(const Tensor& t, const std::string& path) {
  if (t.dtype() != DType::f32 && t.dtype() != DType::f64) return;
  for (std::int64_t i = 0; i < t.numel(); ++i) {
    const double v = t.at(i);
    if (std::isfinite(v)) continue;
    throw Error(path + ": " + element_at(t.shape(), i) + " is " +
                (std::isnan(v) ? "nan"
                 : v > 0       ? "inf"
                               : "-inf") +
                ": data must be finite numbers");
  }
}

}  // namespace

Dataset npy_dataset(std::span<const NpyBinding> bindings) {
  Dataset data;
  data.source = "npy data";
  for (const NpyBinding& b : bindings) {
    check_unique(data, b.name);
    Tensor t = load_npy(b.path);
    if (t.shape().rank() == 0) throw Error(b.path + ": a scalar has no example axis");
    // Integer arrays are class indices only when bound to a class target.
    if (t.dtype() == DType::i32 && !b.classes) t = t.to(DType::f64);
    check_finite(t, b.path);
    if (!data.columns.empty() && t.shape()[0] != data.size())
      throw Error(data.source + ": " + b.path + " has " + std::to_string(t.shape()[0]) +
                  " examples but " + data.columns[0].origin + " has " +
                  std::to_string(data.size()));
    data.columns.push_back({b.name, b.path, std::move(t), {}, {}});
  }
  return data;
}

void fit_dataset(Dataset& data, std::span<const DataDeclaration> declarations,
                 const CsvTable* table) {
  const std::string at = data.source + ": ";
  // A class index out of range: at its field in a CSV file, else at its example.
  auto bad_index = [&](const DataColumn& c, const DataDeclaration& d, std::int64_t example,
                       std::int64_t part, std::int32_t index) {
    const std::string declared = "onehot" + d.shape.str();
    const std::int64_t classes = d.shape.last();
    std::string what = c.labels.empty() || index < 0 ||
                               std::to_string(index) == c.labels[static_cast<std::size_t>(index)]
                           ? "class index " + std::to_string(index)
                           : "label '" + c.labels[static_cast<std::size_t>(index)] + "', class " +
                                 std::to_string(index + 1) + " of " +
                                 std::to_string(c.labels.size());
    const std::string why = ", but " + d.role + " " + d.name + " is declared " + declared +
                            " (indices 0 to " + std::to_string(classes - 1) + ")";
    if (table && static_cast<std::size_t>(part) < c.fields.size())
      return Error(
          table->located(example, c.fields[static_cast<std::size_t>(part)],
                         c.origin + (c.fields.size() > 1 ? " hold " : " holds ") + what + why));
    return Error(at + c.origin + (c.origin.starts_with("columns ") ? " hold " : " holds ") + what +
                 " at example " + std::to_string(example) + why);
  };
  for (const DataColumn& c : data.columns)
    if (std::none_of(declarations.begin(), declarations.end(),
                     [&](const DataDeclaration& d) { return d.name == c.name; }))
      throw DataBindingError(at + "the data binds '" + c.name +
                             "', which is not an input or target of the model");

  for (const DataDeclaration& d : declarations) {
    auto it = std::find_if(data.columns.begin(), data.columns.end(),
                           [&](const DataColumn& c) { return c.name == d.name; });
    if (it == data.columns.end())
      throw DataBindingError(at + "no data for " + d.role + " " + d.name + " (the data binds " +
                             names_of(data) + ")");
    DataColumn& c = *it;
    const std::int64_t n = c.values.shape()[0];
    const std::string gives = c.origin + (c.origin.starts_with("columns ") ? " give " : " gives ");
    const std::string declared = d.onehot ? "onehot" + d.shape.str() : d.shape.str();

    if (d.onehot && d.shape.rank() == 2) {
      // T class indices per example (docs/language.md §9.7): i32 [N, T].
      const std::int64_t steps = d.shape[0], classes = d.shape[1];
      if (c.values.dtype() != DType::i32)
        throw DataBindingError(at + c.origin + " holds numbers, but " + d.role + " " + d.name +
                               " is declared " + declared +
                               ": it takes whole numbers, class indices");
      if (c.values.shape().rank() != 2 || c.values.shape()[1] != steps)
        throw DataBindingError(at + gives + per_example(c.values.shape().drop_front(), "index") +
                               " per example but " + d.role + " " + d.name + " is declared " +
                               declared);
      const std::int32_t* idx = c.values.data<std::int32_t>();
      for (std::int64_t i = 0; i < n * steps; ++i)
        if (idx[i] < 0 || idx[i] >= classes) throw bad_index(c, d, i / steps, i % steps, idx[i]);
      continue;
    }
    // A column of class indices saved as [N, 1] (y.reshape(-1, 1)) is [N].
    if (d.onehot && d.shape.rank() == 1 && d.shape[0] > 1 && c.values.dtype() == DType::i32 &&
        c.values.shape().rank() == 2 && c.values.shape()[1] == 1)
      c.values = c.values.reshaped(Shape{n});
    if (d.onehot && c.values.dtype() == DType::i32 && c.values.shape().rank() == 1) {
      // Class indices: every one must name one of the K classes.
      const std::int32_t* idx = c.values.data<std::int32_t>();
      for (std::int64_t i = 0; i < n; ++i)
        if (idx[i] < 0 || idx[i] >= d.shape.last()) throw bad_index(c, d, i, 0, idx[i]);
      if (static_cast<std::int64_t>(c.labels.size()) > d.shape.last())
        throw DataBindingError(at + c.origin + " has " + std::to_string(c.labels.size()) +
                               " classes but " + d.role + " " + d.name + " is declared " +
                               declared);
      continue;
    }

    if (c.values.dtype() == DType::i32) c.values = c.values.to(DType::f64);
    Shape per = c.values.shape().drop_front();
    if (per == d.shape) continue;
    // One number per example fits both a scalar and a one-element vector.
    if (per == Shape{1} && d.shape.rank() == 0) {
      c.values = c.values.reshaped(Shape{n});
      continue;
    }
    if (per.rank() == 0 && d.shape == Shape{1}) {
      c.values = c.values.reshaped(Shape{n, 1});
      continue;
    }
    // A matrix per example from a row of columns: T·D columns, row by row
    // (docs/language.md §9).
    if (per.rank() == 1 && d.shape.rank() == 2 && per.numel() == d.shape.numel()) {
      c.values = c.values.reshaped(d.shape.with_front(n));
      continue;
    }
    // One number per example for a one-hot target: class indices, but not
    // written as whole numbers (an array of floats).
    if (d.onehot && d.shape.rank() == 1 && per.numel() == 1)
      throw DataBindingError(
          at + gives + "a number per example, not a class index, but " + d.role + " " + d.name +
          " is declared " + declared +
          ": give its class indices as whole numbers (an integer array, e.g. int64) or "
          "its one-hot rows [N, " +
          std::to_string(d.shape[0]) + "]");
    throw DataBindingError(at + gives + per_example(per, d.role) + " per example but " + d.role +
                           " " + d.name + " is declared " + declared);
  }
}

void check_range(const Dataset& data, DType dtype, const CsvTable* table,
                 const std::function<std::optional<std::string>(const DataColumn&)>& advice) {
  if (dtype != DType::f32) return;  // f64 data is f64 already
  for (const DataColumn& c : data.columns) {
    if (c.values.dtype() != DType::f64) continue;  // class indices
    const std::optional<std::string> what_to_do = advice(c);
    if (!what_to_do) continue;
    const double* v = c.values.data<double>();
    for (std::int64_t i = 0; i < c.values.numel(); ++i) {
      // What rounds to ±inf in f32 (3.4028235e38, numpy's print of the
      // largest float, is above it as a double but rounds down to it).
      if (!std::isinf(static_cast<float>(v[i]))) continue;
      auto what = [&](const std::string& where) {
        return format_number(v[i]) + where +
               ", beyond the range of f32 (±3.4e38), the number type of the run: " + *what_to_do;
      };
      const std::int64_t per = c.values.numel() / std::max<std::int64_t>(data.size(), 1);
      const std::int64_t example = i / per, part = i % per;
      if (table && static_cast<std::size_t>(part) < c.fields.size()) {
        const std::int64_t col = c.fields[static_cast<std::size_t>(part)];
        throw Error(table->located(example, col, table->column_name(col) + " holds " + what("")));
      }
      throw Error(data.source + ": " + c.origin +
                  (c.origin.starts_with("columns ") ? " hold " : " holds ") +
                  what(" at " + element_at(c.values.shape(), i)));
    }
  }
}

}  // namespace eq
