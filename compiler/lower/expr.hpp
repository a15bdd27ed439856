// Lowering of expressions: AST → graph nodes, with the per-example meaning of
// docs/language.md §3 and §5. Equations describe one example; the nodes they become
// work on whole batches (the batch axis in front), so this is where
// per-example shapes turn into batch shapes:
//   - elementwise operands are aligned on their per-example axes (a batched
//     operand of lower rank gets size-1 axes after its batch axis);
//   - `W·x` with a batched x becomes one product x·Wᵀ over the batch;
//     with a one-hot x it becomes a column gather, and `w·E` with one-hot
//     rows (onehot[V] or onehot[T, V]) a row gather;
//   - reductions reduce one example's axes and never the batch axis.
// Every mistake is reported to Diagnostics in the format of docs/language.md §3
// (operands as written, their per-example shapes, carets under both), and
// the expression lowers to a null Node; callers skip what depends on it.
// Likely mistakes that still mean something are warnings: a target
// broadcast against a value of another shape (`y : [1]` minus `ŷ : [30]`,
// typically `w*x` written for `w·x`) compares every element with one number.
#pragma once

#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "eq/compiler/ir/graph.hpp"
#include "eq/grammar/ast.hpp"
#include "eq/grammar/diagnostics.hpp"
#include "eq/grammar/suggest.hpp"

namespace eq::lower {

// What a name stands for: a node, and for a one-hot value the class count
// (the node then holds i32 class indices). `target`: the name is a target
// (lowering warns when one is broadcast against a value of another shape).
struct Binding {
  ir::Node node;
  std::int64_t onehot = 0;
  bool target = false;
};

// The symbol dictionary as the expression lowering sees it.
class Scope {
 public:
  virtual ~Scope() = default;
  // The binding of a name, or nullptr when it is unknown (the lowering then
  // reports it). May lower other equations on demand and report their errors.
  virtual const Binding* find(const NameParts& name, Span where, Diagnostics& diags) = 0;
  // Every name known, for "did you mean" suggestions.
  virtual std::vector<std::string> names() const = 0;
  // What a known name is, as a message says it ("a param", "an input", …):
  // by default "a value" for any name names() lists, "" for others.
  virtual std::string role(const std::string& name) const;
};

struct Context {
  ir::Graph& graph;
  Scope& scope;
  Diagnostics& diags;
  std::shared_ptr<const SourceFile> file;  // kept alive by the nodes' origins
  // The next noise stream (docs/language.md §9): each dropout(x, p) takes one.
  std::uint64_t* next_stream = nullptr;
};

// Lowers `e`; a null Node when an error was reported.
Binding lower_expression(const Expr& e, Context& cx);

// The value of a scalar made of numbers alone — a number, `-0.1`, a const,
// `q/2` — in float64, as folding computes it before rounding to the graph's
// type (so `q/2` is the same p as the literal it equals); nullopt for
// anything that reads a leaf, or nests deeper than 64 (the recursion stays
// shallow whatever the expression).
std::optional<double> number_value(ir::Node n, int depth = 0);

// Why a number cannot be a value of a graph of `dtype`: "not a number
// (NaN)", "infinite", "beyond the range of f32 (±3.4e38), …"; nullopt when
// it can.
std::optional<std::string> unrepresentable(double v, DType dtype);

// The per-example shape of a node: its shape without the batch axis.
inline const Shape& example_shape(const ir::Node& n) { return n.shape().example(); }

// The per-example shape as the model declares it: a one-hot value's index
// shape followed by its classes ([V] for onehot[V], [T, V] for onehot[T, V]).
inline Shape declared_shape(const ir::Node& n, std::int64_t onehot) {
  if (!onehot) return example_shape(n);
  std::vector<std::int64_t> dims(example_shape(n).begin(), example_shape(n).end());
  dims.push_back(onehot);
  return Shape(std::span<const std::int64_t>(dims));
}

}  // namespace eq::lower
