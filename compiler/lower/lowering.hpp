// Model::Lowering: lowers one parsed module into its Model (model.hpp), and
// is the Scope (lower/expr.hpp) equations resolve names in. Its work is in
// three parts, one file each:
//
//   declarations.cc  dims, inputs, targets and params: every declared name
//                    gets its role, shape, leaf node and initialiser.
//   equations.cc     equations lowered on demand (each once, after what it
//                    uses; cycles reported with their names), time (a name
//                    hₜ₋ₖ becomes a state leaf), states, the loss, outputs.
//   infer_shape.cc   the shape of a recurrence's earlier value, inferred from
//                    the AST without building nodes.
//
// run() (model.cc) calls them in order. Every mistake goes to Diagnostics.
#pragma once

#include <map>
#include <optional>
#include <set>
#include <string>
#include <vector>

#include "eq/compiler/lower/model.hpp"

namespace eq {

// What shape inference knows of one operand (infer_shape.cc): its shape,
// or, when unknown, whether only because it reads the recurrence being
// inferred, or because of an expression inference cannot follow ("opaque").
struct InferredPart {
  std::optional<Shape> shape;
  bool opaque = false;
};

class Model::Lowering : public lower::Scope {
 public:
  Lowering(Model& m, const ModelOptions& options, Diagnostics& diags)
      : m_(m), options_(options), diags_(diags) {}

  // Declarations, then every equation, then states, the loss and outputs.
  void run();

  // lower::Scope: a name as an equation sees it — a leaf, a dim's value, an
  // equation's value (lowered now if need be) or an earlier step's state.
  const lower::Binding* find(const NameParts& name, Span where, Diagnostics&) override;
  std::vector<std::string> names() const override;
  std::string role(const std::string& name) const override;

 private:
  struct Decl {
    const Stmt* stmt;
    const Expr* name;
  };
  enum class Status { pending, visiting, done };

  // ---- declarations (declarations.cc) ---------------------------------------
  void collect();
  void declare(const Stmt& s);
  std::optional<std::int64_t> dim_value(const std::string& name, Span where);
  std::optional<double> integer_expr(const Expr& e);
  std::optional<Shape> shape(const Stmt& s);
  void declare_leaf(const Stmt& s, const Expr& n);
  void declare_param(const Stmt& s, const Expr& n);
  void declare_noise(const Stmt& s, const Expr& n);
  void missing_initializer(const Stmt& s, const Shape& shape);
  std::optional<double> number(const Expr& e);
  std::optional<Initializer> initializer(const Expr& e);

  // ---- equations and time (equations.cc) ------------------------------------
  const lower::Binding* resolve(const NameParts& name, Span where);
  bool depends_on_leaves(ir::Node n);
  bool timed_reference(const Expr& e);
  void cycle(const std::string& name);
  void hint_earlier_step(const Expr& e, const std::set<std::string>& on_cycle);
  void unknown(const Expr& n);
  static NameParts current(const NameParts& earlier);
  const lower::Binding* delayed(const NameParts& name, Span where);
  void finish_states();
  void find_loss();
  void find_outputs();

  // ---- shape inference (infer_shape.cc) -------------------------------------
  std::optional<Shape> infer(const std::string& name);
  std::optional<Shape> infer(const Expr& e);
  InferredPart part(const Expr& e);

  Model& m_;
  const ModelOptions& options_;
  Diagnostics& diags_;
  std::map<std::string, Decl> decls_;
  std::map<std::string, lower::Binding> bound_;
  std::map<std::string, Status> status_;
  std::map<std::string, const Stmt*> states_decl_;
  std::map<std::string, NameParts> state_names_;  // hₜ's parts, by its text
  std::vector<std::string> stack_;
  std::set<std::string> dims_visiting_, unset_reported_, inferring_;
  std::set<const Stmt*> uninitialized_;  // params without `~`, reported once a statement
  // Names whose declaration was refused (and reported): a use of one is not
  // reported again as an unknown name.
  std::set<std::string> refused_;
  std::string timed_ref_;
  bool opaque_ = false;  // infer() met what it cannot follow (InferredPart)
  lower::Binding poisoned_;
  // The next noise stream: noises in declaration order, then dropout sites
  // in the order equations are lowered (both deterministic).
  std::uint64_t next_stream_ = 0;
};

}  // namespace eq
