// Feeding data to a Machine in batches, and scoring a model on data.
//
// Batches holds the data a run feeds: every bound model leaf's examples,
// converted once to the leaf's dtype (inputs scaled as configured), and one
// staging tensor per leaf sized for the largest batch (at most the data). A batch is any list of
// row numbers: its rows are gathered into the staging tensors and let() into
// the Machine, so a step copies its batch twice and allocates nothing.
//
// Evaluator compiles the loss (and the output accuracy is read from) — or
// for prediction the outputs only — into a Machine of its own, tree-shaken
// of any gradient code; its parameters are copied in from a trainer or a
// weights file before scoring.
//
// Accuracy is scored for two kinds of class target: a one-hot target (the
// output's largest value is the class) and a binary one — a target of one
// value, all 0 or 1 in the data, with a σ output (p ≥ 0.5 is class 1).
#pragma once

#include <map>
#include <optional>
#include <span>
#include <string>
#include <vector>

#include "eq/compiler/lower/model.hpp"
#include "eq/compiler/machine.hpp"
#include "eq/runtime/data.hpp"
#include "eq/runtime/safetensors.hpp"
#include "eq/train/checkpoint.hpp"
#include "eq/train/config.hpp"

namespace eq {

// Per-feature statistics of the inputs over `rows` (docs/language.md §7 `scale`).
std::map<std::string, FeatureScale> fit_scale(const Dataset& data, const Model& model,
                                              std::span<const std::int64_t> rows, Scaling how);

class Batches {
 public:
  // Binds the dataset's columns to the model's leaves of the same name (only
  // leaves the data has; predict data has no targets).
  Batches(const Dataset& data, const Model& model, const std::map<std::string, FeatureScale>& scale,
          std::int64_t max_batch);
  std::int64_t size() const { return size_; }
  // The most rows one let() takes: max_batch, or the data's size if smaller.
  std::int64_t max_batch() const { return max_batch_; }
  // Gathers `rows` (at most max_batch()) and lets them into `m`.
  void let(Machine& m, std::span<const std::int64_t> rows);
  // The staged class indices of `target` for the last let(), or nullptr.
  const std::int32_t* staged_classes(const std::string& target) const;
  // The staged values of `name` for the last let(), or nullptr.
  const Tensor* staged(const std::string& name) const;
  // Whether every value of `name` in the data is 0 or 1.
  bool zero_one(const std::string& name) const;

 private:
  struct Leaf {
    std::string name;
    ir::Node node;
    Tensor all;      // [N, ...] in the leaf's dtype
    Tensor staging;  // [max_batch, ...]
    std::int64_t row_bytes = 0;
    bool zero_one = false;
  };
  std::vector<Leaf> leaves_;
  std::int64_t size_ = 0, max_batch_ = 0;
};

struct Metrics {
  double loss = 0;                 // mean per-example loss (per symbol: text)
  std::optional<double> accuracy;  // class targets with a matching output
  std::int64_t examples = 0;
  // With accuracy, from Evaluator: how many examples of target class i were
  // predicted as class j, at [i * classes + j]; empty otherwise.
  std::vector<std::int64_t> confusion;
  std::int64_t classes = 0;
};

// Which output scores a class target: for a one-hot target, the first
// `output` whose per-example shape is [classes]; else, for a target of one
// value, the first σ output of its shape (binary). Null nodes when the
// model has neither.
struct AccuracyPair {
  std::string target;
  ir::Node output;
  bool binary = false;  // p ≥ 0.5 is class 1
};
AccuracyPair accuracy_pair(const Model& model);
// The pair, when `data` can be scored with it (a binary target's values are
// all 0 or 1); else a pair of null nodes.
AccuracyPair accuracy_pair(const Model& model, const Batches& data);
// How many of the `rows` examples of the last let() into `data` the output
// (its view after the run) classifies right; with `confusion` ([classes²],
// class targets), also counts each example at (true class, guess).
std::int64_t count_correct(const AccuracyPair& acc, ConstView output, const Batches& data,
                           std::int64_t rows, std::vector<std::int64_t>* confusion = nullptr);

// Index of the largest of n values (the first on ties).
std::int64_t argmax(const void* row, DType dtype, std::int64_t n);

// What an Evaluator runs: with_loss, the per-example loss and the output
// accuracy is read from (eval); else the first output (predict). Throws
// eq::Error when the model has no loss / no output.
Program evaluation_program(Model& model, bool with_loss);

class Evaluator {
 public:
  // with_loss: compile the per-example loss (eval); else the outputs only.
  Evaluator(Model& model, bool with_loss);
  // The same from the program compiled by evaluation_program(), e.g. after
  // estimating its memory.
  Evaluator(Model& model, Program program);
  Machine& machine() { return machine_; }
  // Copies every parameter from another Machine compiled from the same model.
  void copy_params(Machine& from);
  // Sets every parameter from a weights file (checked: names, dtypes, shapes).
  void load_params(const SafetensorsFile& weights);

  // The seed noise is drawn from (docs/language.md §9: eval and predict draw
  // it too): example i of the rows scored draws (seed, step 0, i), whatever
  // the batch. 0 unless set.
  void set_noise_seed(std::uint64_t seed) { noise_seed_ = seed; }

  // Loss and accuracy over `rows` (all rows when empty), in batches of
  // `batch` (at most data.max_batch()). `first_row`: the place of rows[0] in
  // the whole list scored, when these are a share of it (noise is drawn by
  // that place).
  Metrics evaluate(Batches& data, std::span<const std::int64_t> rows, std::int64_t batch,
                   std::int64_t first_row = 0);
  // The first output for every example: [N, ...example shape] in the model dtype.
  Tensor predict(Batches& data, std::int64_t batch);

 private:
  Model& model_;
  AccuracyPair acc_;
  Machine machine_;
  std::uint64_t noise_seed_ = 0;
};

// Copies every parameter of `model` that `to` has (not tree-shaken away) from
// `from`; both Machines were compiled from the model's graph.
void copy_params(const Model& model, Machine& from, Machine& to);
// Copies `from`'s parameters of `model` into tensors named by parameter.
std::vector<std::pair<std::string, Tensor>> param_tensors(const Model& model, Machine& from);
// Every parameter of `model` in `weights`, with its shape and dtype, and
// finite (a NaN weight makes every prediction that reads it NaN).
void check_params(const Model& model, const SafetensorsFile& weights);
// Checks and copies a weights file's parameters into `to`.
void set_params(const Model& model, const SafetensorsFile& weights, Machine& to);

}  // namespace eq
