// TrainConfig: a model's `train` block (docs/language.md §7) as plain values,
// with the command line's `--KEY VALUE` overrides applied on top.
//
// Every key of §7 is read here and nowhere else, from the parsed block (the
// AST) and from each override's text parsed on its own as one train value
// (parse_train_value). A bad key or value is a diagnostic at the entry's
// span, quoting the key as it was written (an unknown key gets "did you
// mean"); a mistake in `--optimizer "adam(lr = x)"` is shown under the
// option's text, in a source named `--optimizer`. Column selections stay
// typed (index, range, header name) from the AST to the loader. Paths
// written in the block are made relative to the `.eq` file's folder; paths
// given on the command line stay as given.
#pragma once

#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include "eq/grammar/ast.hpp"
#include "eq/runtime/data.hpp"
#include "eq/runtime/solvers.hpp"
#include "eq/runtime/tensor.hpp"

namespace eq {

// The `data` key: which loader, which file(s), and which model name takes
// which columns / array, in the order written.
struct DataSpec {
  enum class Kind { none, csv, npy, text };
  Kind kind = Kind::none;
  std::string path;                                             // csv / text: the file
  std::vector<std::pair<std::string, ColumnSelector>> columns;  // csv: name → columns
  std::vector<std::pair<std::string, std::string>> files;       // npy: name → file path
};

enum class Scaling { none, standard, minmax };
std::string_view scaling_name(Scaling s);  // "none", "standard", "minmax"

struct TrainConfig {
  DataSpec data;
  SolverConfig solver = SolverConfig::adam(1e-3);  // clip and decay live here
  std::int64_t epochs = 1;
  std::optional<std::int64_t> steps;  // wins over epochs when set
  std::int64_t batch = 32;
  std::int64_t window = 0;  // time models only; 0: kDefaultWindow
  static constexpr std::int64_t kDefaultWindow = 50;
  std::int64_t window_steps() const { return window > 0 ? window : kDefaultWindow; }
  double validate = 0;  // held-out share, in [0, 1)
  std::uint64_t seed = 0;
  Scaling scale = Scaling::none;
  DType dtype = DType::f32;
};

// Throws eq::Error, named after `source`, when a value of `c` is out of the
// range the train block's key takes (`batch = 0`): a TrainConfig set from
// C++ is held to what `.eq` files and --KEY overrides are.
void check_train_config(const TrainConfig& c, const std::string& source);

// How many of n examples (or symbols) `validate` holds out: the whole part of
// validate · n as the decimal would give it (0.29 of 100 is 29, where the
// binary product 28.999999999999996 would floor to 28).
std::int64_t held_out_count(double validate, std::int64_t n);

// The keys of §7, in the order of the table.
const std::vector<std::string>& train_keys();
// Whether `key` can be overridden: a train key, or "lr".
bool overridable_key(const std::string& key);
// Whether a --data value is a bare path (`--data other.csv`), which replaces
// the block's file and keeps its bindings, rather than a whole source.
bool bare_data_path(const std::string& text);

// Reads `block` (a Train statement; nullptr = all defaults) and then each
// override (`key` without the dashes → value text; "lr" sets the optimizer's
// rate). `base_dir` is the folder block paths are relative to ("" = cwd).
// Throws eq::Error with every diagnostic.
TrainConfig train_config(const Stmt* block, const std::map<std::string, std::string>& overrides,
                         const std::string& base_dir);

// The folder of a file path ("" for a bare name), and a path joined to it
// unless it is absolute.
std::string parent_dir(const std::string& path);
std::string join_path(const std::string& dir, const std::string& path);

}  // namespace eq
