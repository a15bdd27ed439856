// Model: a whole `.eq` file lowered to a graph (docs/language.md §4–§7).
//
// Declarations give every name a role and a shape; equations (in any order)
// are lowered on demand, so each is lowered once, after what it uses, and a
// cycle is reported with the names on it. Every mistake in the file is
// collected; load() throws eq::Error with all of them rendered.
//
// Time (§6): a reference `hₜ₋ₖ` to an earlier step is a state leaf of the
// step graph — an input named `hₜ₋ₖ` with hₜ's shape. Running steps over a
// window is the trainer's business; here a time model is one step.
#pragma once

#include <map>
#include <memory>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "eq/compiler/ir/graph.hpp"
#include "eq/compiler/lower/expr.hpp"
#include "eq/grammar/ast.hpp"
#include "eq/runtime/init.hpp"

namespace eq {

struct ModelOptions {
  std::map<std::string, std::int64_t> dims;  // -D NAME=VALUE, and dims the data sets
  DType dtype = DType::f32;
  // For reaching past the dims in a model with no data at all (the fuzzer):
  // every `dim` with no value and none given takes this placeholder instead
  // of being an error. (`eqc check` gives one only to the dims the data sets.)
  std::int64_t open_dim_placeholder = 0;
};

struct ModelLeaf {
  std::string name;  // canonical
  ir::Node node;
  std::int64_t onehot = 0;  // classes of a one-hot leaf, else 0
  Span decl;
  // One example's shape as declared: node's, or [V] / [T, V] for a one-hot
  // leaf (whose node holds its class indices, [B] / [B, T]).
  Shape declared_shape() const { return lower::declared_shape(node, onehot); }
  // Time (docs/language.md §6), as the declaration wrote it, so that no later stage
  // has to take the name apart again: whether the name carries a time index
  // (xₜ), the name without it (x; the whole name when untimed), and k of xₜ₊ₖ.
  bool timed = false;
  std::string base;
  int offset = 0;
};

struct ModelParam {
  std::string name;
  ir::Node node;
  Initializer init;
  Span decl;
};

// A state of a recurrence: the value `name` (hₜ) seen `delay` steps back
// through the leaf `node` (hₜ₋ₖ); `init` is its value before the first step.
struct ModelState {
  std::string name;  // hₜ
  std::string leaf;  // hₜ₋₁
  int delay = 1;
  ir::Node node;           // the leaf standing for the earlier value
  ir::Node next;           // hₜ: what the leaf takes at the next step
  double init_value = 0;   // constant initial value
  std::string init_param;  // or a param name giving a learnt initial state
};

// A state as a run of the one-step graph carries it from step to step
// (docs/language.md §6), as unroll() wires a window: hₜ read up to k steps
// back is k slots, slot j holding hₜ₋₍ⱼ₊₁₎. After a step slot 0 takes `next`
// (hₜ) and slot j > 0 takes what slot j − 1 held: every value moves one step
// further back.
struct CarriedState {
  std::string name;                // hₜ
  ir::Node next;                   // hₜ
  std::vector<std::string> slots;  // the slots' names: hₜ₋₁, hₜ₋₂, …, hₜ₋ₖ
  // leaves[j]: the step graph's leaf for slot j, or a null Node when no
  // equation reads hₜ₋₍ⱼ₊₁₎ (it is carried only to be shifted on).
  std::vector<ir::Node> leaves;
  double init_value = 0;   // every slot's value before the first step
  std::string init_param;  // or a param holding it
  std::size_t depth() const { return slots.size(); }
};

// The text of a model's source file. A file of another kind given in its
// place — weights (safetensors), a NumPy array, a CSV data file — is an
// eq::Error that names the kind and where it goes, not a page of
// "invalid UTF-8" and syntax errors.
std::string read_model_source(const std::string& path);

class Model {
 public:
  // Parses and lowers a file / a text. Throws eq::Error with every diagnostic.
  static Model load(const std::string& path, const ModelOptions& options = {});
  static Model from_source(const std::string& name, const std::string& text,
                           const ModelOptions& options = {});
  // Lowers a module already parsed, without errors, from `file` (so a caller
  // that reads the module first parses the text once).
  static Model from_module(std::shared_ptr<SourceFile> file, Module module,
                           const ModelOptions& options = {});

  Model(Model&&) noexcept;
  Model& operator=(Model&&) noexcept;
  ~Model();

  ir::Graph& graph() { return *graph_; }
  const ir::Graph& graph() const { return *graph_; }
  const SourceFile& source() const { return *file_; }
  const Module& module() const { return *module_; }

  const std::map<std::string, std::int64_t>& dims() const { return dims_; }
  const std::vector<ModelLeaf>& inputs() const { return inputs_; }
  const std::vector<ModelLeaf>& targets() const { return targets_; }
  const std::vector<ModelParam>& params() const { return params_; }
  const std::vector<ModelState>& states() const { return states_; }
  // Every equation's node by its (canonical) name.
  const std::map<std::string, ir::Node>& values() const { return values_; }
  // The objective per example (the name `loss` or `lossₜ`), or a null Node.
  ir::Node loss() const { return loss_; }
  const std::string& loss_name() const { return loss_name_; }
  // The names of the `output` statement, resolved.
  const std::vector<std::pair<std::string, ir::Node>>& outputs() const { return outputs_; }
  // The train block's entries, or nullptr when the file has none.
  const Stmt* train() const { return train_; }
  bool timed() const { return !states_.empty(); }
  // Warnings about likely mistakes that lowering let pass, rendered in the
  // diagnostic format ("" when none). `eqc check` and `eqc train` print them.
  const std::string& warnings() const { return warnings_; }
  // One more, from what reads the model with its train block (a rendered
  // diagnostic, ending in a newline).
  void add_warning(const std::string& rendered) { warnings_ += rendered; }

 private:
  // from_module on the stack it runs on (with_stack_for, grammar/nesting.hpp).
  static Model lower_module(std::shared_ptr<SourceFile> file, Module module,
                            const ModelOptions& options);
  Model();
  class Lowering;
  std::shared_ptr<SourceFile> file_;
  std::unique_ptr<Module> module_;
  std::unique_ptr<ir::Graph> graph_;
  std::map<std::string, std::int64_t> dims_;
  std::vector<ModelLeaf> inputs_, targets_;
  std::vector<ModelParam> params_;
  std::vector<ModelState> states_;
  std::map<std::string, ir::Node> values_;
  ir::Node loss_;
  std::string loss_name_;
  std::vector<std::pair<std::string, ir::Node>> outputs_;
  const Stmt* train_ = nullptr;
  std::string warnings_;
};

// The model's states grouped by the value they carry, in the order
// states() first names them.
std::vector<CarriedState> carried_states(const Model& model);
// Only those that `outputs` need, directly or through another needed
// state's next value: a prediction carries no state that only the loss reads
// (a series model whose loss reads yₜ₋₁ predicts without targets).
std::vector<CarriedState> carried_states(const Model& model, const std::vector<ir::Node>& outputs);

// Throws when what `roots` compute reads a target (`r = ŷ*y`, `output r`):
// predict and export have no targets to give. The error is at the
// equation that reads it; `doing` names the program ("the prediction").
void check_reads_no_target(const Model& model, std::span<const ir::Node> roots,
                           std::string_view doing);

}  // namespace eq
