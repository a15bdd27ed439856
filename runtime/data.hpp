// The data loaders behind the `data` key of a train block (docs/language.md §7):
// CSV tables, NumPy .npy arrays and plain text, and the Dataset they give the
// trainer: one tensor per bound model name, the example axis first.
//
// Every error is an eq::Error naming the file; errors at a place in a text
// file read "file:line:col: error: ..." with the line and a caret (utf8.hpp).
// Sources: csv.cc, npy.cc, text.cc, dataset.cc.
#pragma once

#include <cstdint>
#include <functional>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "eq/runtime/error.hpp"
#include "eq/runtime/tensor.hpp"

namespace eq {

// An error in how data is bound to the model's names — which columns, how
// many values per example, a name bound twice or not at all — rather than
// in the data itself: a caller that took the bindings from elsewhere (the
// train block, for `--data FILE`) can point at them.
class DataBindingError : public Error {
 public:
  using Error::Error;
};

// ---- CSV -------------------------------------------------------------------

// Which columns to take: one zero-based index ("4"), a range "a:b" with the
// end excluded (either bound may be left out: "2:" is 2 to the last column),
// or a header name ("label").
struct ColumnSelector {
  enum class Kind { index, range, name };
  Kind kind = Kind::index;
  std::int64_t begin = 0;           // index, or range start
  std::optional<std::int64_t> end;  // range end (exclusive); none = to the last column
  std::string name;                 // Kind::name

  // "4" → index, "0:4" → range, anything else → name.
  static ColumnSelector parse(std::string_view text);
  // As written: "column 4", "columns 0:4", "column 'label'".
  std::string describe() const;
};

// A comma-separated file, split into fields but not yet interpreted: a column
// becomes numbers or class labels only when selected. Rules:
//  - fields are separated by ','; lines end in "\n" or "\r\n"; the last line
//    may lack its end; blank lines are skipped; no quoting; spaces and tabs
//    around a field are ignored; the text must be UTF-8 (a BOM is skipped);
//  - the first line is a header when one of its fields is not a number while
//    the field under it, on the second line, is one — or when none of its
//    fields is a number. So `a,b,species` over `1,2,setosa` is a header and
//    `1,2,setosa` over `3,4,virginica` is data. (A header whose names are all
//    numbers except over text columns, like `0,1,label` over `5,3,setosa`,
//    reads as data.)
//  - every row has as many fields as the header (or the first row).
class CsvTable {
 public:
  const std::string& path() const { return path_; }
  bool has_header() const { return has_header_; }
  const std::vector<std::string>& header() const { return header_; }  // empty without a header
  std::int64_t rows() const { return rows_; }
  std::int64_t cols() const { return cols_; }
  std::string_view field(std::int64_t row, std::int64_t col) const;  // trimmed text

  // The zero-based column indices a selector picks. Throws for an unknown
  // name (suggesting the nearest header name), an index or range out of
  // bounds, or an empty range.
  std::vector<std::int64_t> select(const ColumnSelector& selector) const;
  std::vector<std::int64_t> select(std::string_view selector) const {
    return select(ColumnSelector::parse(selector));
  }
  // "column 'sepal_width_cm'" or "column 3" — how messages name a column.
  std::string column_name(std::int64_t col) const;
  // `message` as a diagnostic at the field (file:line:col, the line, carets).
  std::string located(std::int64_t row, std::int64_t col, std::string_view message) const;

  // The columns as float64 [rows, columns.size()]. A field that is not a
  // finite number is an error at its line and column.
  Tensor numbers(std::span<const std::int64_t> columns) const;
  // The columns as class indices, int32 [rows, columns.size()] (a onehot[T, V]
  // input, docs/language.md §9.7): every field a whole number from 0 to
  // 65535, else an error at its line and column.
  Tensor indices(std::span<const std::int64_t> columns) const;

  // One column as classes: int32 indices [rows] and labels[i] naming class i.
  //  - all values integers from 0 to 65535 (written "2" or "2.0"): the value
  //    is the class index, and labels are "0", "1", ... up to the largest
  //    value (so class 2 stays class 2 in a file that lacks class 1);
  //  - other numbers (e.g. -1 and 1): distinct values in increasing order;
  //  - otherwise (text): distinct strings in sorted (code point) order.
  struct Classes {
    Tensor indices;
    std::vector<std::string> labels;
  };
  Classes classes(std::int64_t column) const;
  // The same column mapped with labels saved earlier (eval / predict): a value
  // not among them is an error at its position. Integer-valued text matches
  // numerically ("2.0" is label "2").
  Classes classes(std::int64_t column, const std::vector<std::string>& labels) const;

 private:
  friend CsvTable parse_csv(std::string text, std::string path);
  struct Field {
    std::size_t offset, length;  // the field's bytes in text_, spaces trimmed
  };

  std::string path_;
  std::string text_;
  bool has_header_ = false;
  std::vector<std::string> header_;
  std::int64_t rows_ = 0, cols_ = 0;
  std::vector<Field> fields_;  // data rows only (not the header), row-major
};

CsvTable load_csv(const std::string& path);
// The same from text held in memory; `path` names it in messages.
CsvTable parse_csv(std::string text, std::string path);

// ---- npy -------------------------------------------------------------------

// Reads a NumPy .npy file, format versions 1.0, 2.0 and 3.0, C order, rank 0
// to 4. dtypes: '<f4' → f32, '<f8' → f64, '<i4' → i32, '<i8' → i32 (every value
// must fit: integer arrays hold class indices), '|u1' / '|i1' → i32. '=' (native)
// is read as '<'. Errors name the file: bad magic, unsupported version or
// dtype, Fortran order, a malformed header, truncated or extra data.
Tensor load_npy(const std::string& path);
Tensor decode_npy(std::string_view bytes, const std::string& path);
// Writes version 1.0 ('<f4', '<f8' or '<i4'), data 64-byte aligned, atomically.
void save_npy(const std::string& path, const Tensor& tensor);
std::string encode_npy(const Tensor& tensor);

// ---- text ------------------------------------------------------------------

// A text file as a sequence of symbols: its characters (Unicode code points,
// decoded from UTF-8; a leading BOM is skipped), numbered by their place in
// the sorted vocabulary. Invalid UTF-8 is an error at its line and column.
struct TextData {
  std::string path;
  std::vector<char32_t> vocabulary;  // sorted, distinct; symbol i is vocabulary[i]
  Tensor symbols;                    // int32 [characters]

  std::int64_t size() const { return symbols.numel(); }
  // The vocabulary as one UTF-8 string (what is saved with the weights).
  std::string vocabulary_utf8() const;
};

TextData load_text(const std::string& path);
TextData parse_text(std::string_view bytes, const std::string& path);
// `text` as symbols of a vocabulary given as a UTF-8 string (e.g. one read back
// from saved weights); a character outside it is an error naming it.
Tensor text_to_symbols(std::string_view text, std::string_view vocabulary_utf8,
                       std::string_view what);

// ---- datasets ----------------------------------------------------------------

// One model name bound to data: `values` has the example axis first.
struct DataColumn {
  std::string name;                  // the model's name: "x", "y"
  std::string origin;                // for messages: "columns 0:4", "column 'label'", "x.npy"
  Tensor values;                     // f64 [N, ...] numbers, or i32 [N] class indices
  std::vector<std::string> labels;   // class labels when values are class indices
  std::vector<std::int64_t> fields;  // CSV: the file's columns it holds, to locate messages
};

struct Dataset {
  std::string source;  // the file (CSV) or "npy" data; prefixes messages
  std::vector<DataColumn> columns;

  std::int64_t size() const;  // N, the number of examples
  const DataColumn* find(std::string_view name) const;
};

// `x = 0:4`: a model name, the columns, and whether they are a class target
// (a `onehot` input or target: one column mapped by CsvTable::classes).
// `sequence`: the columns are T class indices per example (a onehot[T, V]
// input: CsvTable::indices).
struct CsvBinding {
  std::string name;
  ColumnSelector columns;
  bool classes = false;
  bool sequence = false;
};
Dataset csv_dataset(const CsvTable& table, std::span<const CsvBinding> bindings);

// `x = "x.npy"`. Integer arrays bound with classes = false become f64.
struct NpyBinding {
  std::string name;
  std::string path;
  bool classes = false;
};
// Every array must have the same first axis (the examples).
Dataset npy_dataset(std::span<const NpyBinding> bindings);

// How the model declares a name the data binds.
struct DataDeclaration {
  std::string name;
  std::string role;  // "input" or "target"
  Shape shape;       // one example's shape; for onehot[K], [K]; for onehot[T, K], [T, K]
  bool onehot = false;
};
// Checks that the dataset binds every declared name, nothing else, and with
// the declared per-example shape; reshapes [N, 1] ↔ [N] where the model
// declares a scalar or a one-element vector, and [N, T·D] → [N, T, D] where
// it declares a matrix per example (CSV columns row by row). Throws e.g.
//   "iris.csv: columns 0:4 give 4 features per example but input x is declared [5]"
//   "iris.csv:12:17: error: column 'label' holds class index 3, but target y is
//    declared onehot[3] (indices 0 to 2)" (with the line and a caret)
// `table`, the CSV file the data came from, locates a class index out of
// range at its line and column; without it, at its example.
void fit_dataset(Dataset& data, std::span<const DataDeclaration> declarations,
                 const CsvTable* table = nullptr);

// Throws when a number of a numeric column lies beyond what `dtype` holds
// (f32: ±3.4e38; it would become ±inf, and the run's first product NaN),
// at its field in `table` (file:line:col) or, without one, at its example.
// `advice(column)` ends the message (what the user can do); columns for
// which it returns nothing are not checked (their scaling decides, later).
void check_range(const Dataset& data, DType dtype, const CsvTable* table,
                 const std::function<std::optional<std::string>(const DataColumn&)>& advice);

}  // namespace eq
