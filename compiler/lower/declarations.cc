// Model::Lowering, declarations: every declared name gets its role, shape
// and, for inputs, targets and params, its leaf node (see lowering.hpp).
#include <cmath>
#include <functional>
#include <string>

#include "eq/compiler/ir/builders.hpp"
#include "eq/compiler/lower/lowering.hpp"
#include "eq/runtime/error.hpp"
#include "eq/runtime/format.hpp"
#include "eq/runtime/tensor.hpp"

namespace eq {

using ir::Node;

namespace {

bool is_whole(double v) { return std::isfinite(v) && v == std::floor(v); }

// Sizes are int64s; a double at or past 2^63 has no int64 value to become.
bool fits_size(double v) { return v < 0x1p63; }
constexpr const char* kLargestSize = "9223372036854775807";  // INT64_MAX

}  // namespace

void Model::Lowering::collect() {
  for (const Stmt& s : m_.module_->statements) {
    if (s.kind == StmtKind::Train) {
      if (m_.train_) {
        diags_.error(s.keyword_span, "a model has one train block; this is the second");
        diags_.note(m_.train_->keyword_span, "the first is here");
      } else {
        m_.train_ = &s;
      }
      continue;
    }
    if (s.kind == StmtKind::Output) continue;
    for (const ExprPtr& n : s.names) {
      const NameParts& name = n->name;
      if ((s.kind == StmtKind::Param || s.kind == StmtKind::Const || s.kind == StmtKind::Dim) &&
          name.timed) {
        diags_.error(n->span, std::string("a ") + stmt_keyword(s.kind) +
                                  " does not change with time, so '" + name.text +
                                  "' cannot have a time index");
        refused_.insert(name.text);
        continue;
      }
      if (s.kind == StmtKind::State) continue;  // states name an equation's value
      // An equation defines its value at step t; `hₜ₋₁ = …` was taken and
      // never read, `hₜ₊₁ = …` left hₜ unknown.
      if (s.kind == StmtKind::Equation && name.timed && name.offset != 0) {
        const std::string now = name.base + "ₜ";
        const std::string k = std::to_string(name.offset < 0 ? -name.offset : name.offset);
        if (name.offset < 0) {
          diags_.error(n->span, "'" + name.text + "' is an earlier step of '" + now +
                                    "': an equation defines a value at step t, and the earlier "
                                    "steps of " +
                                    now + " are what its equation gave before (`state " + now +
                                    " = …` gives their start)");
        } else {
          diags_.error(n->span, "an equation defines a value at step t, and '" + name.text +
                                    "' is a later step of '" + now + "': write it for " + now +
                                    ", every time index lowered by " + k +
                                    " (hₜ₊₁ = f(hₜ) is hₜ = f(hₜ₋₁))");
          refused_.insert(now);  // its reads are this mistake, not unknown names
        }
        refused_.insert(name.text);
        continue;
      }
      auto [it, fresh] = decls_.try_emplace(name.text, Decl{&s, n.get()});
      if (!fresh) {
        diags_.error(n->span, "'" + name.text + "' is " +
                                  (s.kind == StmtKind::Equation ? "defined" : "declared") +
                                  " twice; every name is declared or defined once");
        diags_.note(it->second.name->span, "the first is here");
      }
    }
  }
}

void Model::Lowering::declare(const Stmt& s) {
  switch (s.kind) {
    case StmtKind::Dim:
      for (const ExprPtr& n : s.names) dim_value(n->name.text, n->span);
      break;
    case StmtKind::Input:
    case StmtKind::Target:
      for (const ExprPtr& n : s.names) declare_leaf(s, *n);
      break;
    case StmtKind::Param:
      for (const ExprPtr& n : s.names) declare_param(s, *n);
      break;
    case StmtKind::State:
      for (const ExprPtr& n : s.names) {
        // A state gives the start of a value at step t: `state h = h₀` and
        // `state hₜ₋₁ = h₀` named nothing the recurrence reads, and the
        // start went unused.
        if (!n->name.timed || n->name.offset != 0) {
          const std::string base = n->name.timed ? n->name.base : n->name.text;
          diags_.error(n->span,
                       "a state names the value at step t that an equation computes "
                       "from its earlier steps: write `state " +
                           base + "ₜ`, for the equation of " + base + "ₜ");
          continue;
        }
        if (auto d = decls_.find(n->name.text);
            d == decls_.end() && !refused_.count(n->name.text)) {
          diags_.error(n->span, "'" + n->name.text +
                                    "' is a state, but no equation defines it: "
                                    "a state gives the start of a value an equation computes from "
                                    "its earlier steps (`" +
                                    n->name.text + " = f(" + n->name.base + "ₜ₋₁, …)`)");
          continue;
        }
        auto [it, fresh] = states_decl_.try_emplace(n->name.text, &s);
        if (!fresh) {
          diags_.error(n->span, "'" + n->name.text +
                                    "' has a second state declaration; a state is declared once");
          for (const ExprPtr& first : it->second->names)
            if (first->name.text == n->name.text) diags_.note(first->span, "the first is here");
          continue;
        }
        // Inputs and targets come from the data at every step: nothing to start.
        if (auto d = decls_.find(n->name.text);
            d != decls_.end() &&
            (d->second.stmt->kind == StmtKind::Input || d->second.stmt->kind == StmtKind::Target))
          diags_.error(n->span,
                       "'" + n->name.text + "' is " +
                           (d->second.stmt->kind == StmtKind::Input ? "an input" : "a target") +
                           ", read from the data at every step; `state` gives the start of "
                           "a value an equation computes from its earlier steps");
      }
      break;
    case StmtKind::Noise:
      for (const ExprPtr& n : s.names) declare_noise(s, *n);
      break;
    default:
      break;
  }
}

// The value of a dimension: -D / data first, then `dim H = …`.
std::optional<std::int64_t> Model::Lowering::dim_value(const std::string& name, Span where) {
  if (auto it = m_.dims_.find(name); it != m_.dims_.end()) return it->second;
  if (auto it = options_.dims.find(name); it != options_.dims.end()) {
    m_.dims_[name] = it->second;
    return it->second;
  }
  auto d = decls_.find(name);
  if (d == decls_.end() || d->second.stmt->kind != StmtKind::Dim) return std::nullopt;
  const Stmt& s = *d->second.stmt;
  if (!s.value && options_.open_dim_placeholder > 0) {
    m_.dims_[name] = options_.open_dim_placeholder;
    return m_.dims_[name];
  }
  if (!s.value) {
    if (!unset_reported_.count(name)) {
      diags_.error(where, "dim " + name + " has no value: give it one (`dim " + name +
                              " = 64`), pass -D " + name + "=64, or let the data set it");
      unset_reported_.insert(name);
    }
    return std::nullopt;
  }
  // A dim whose value failed is reported once, not at every use.
  if (unset_reported_.count(name)) return std::nullopt;
  if (dims_visiting_.count(name)) {
    diags_.error(s.value->span, "dim " + name + " is defined in terms of itself");
    unset_reported_.insert(name);
    return std::nullopt;
  }
  dims_visiting_.insert(name);
  std::optional<double> v = integer_expr(*s.value);
  dims_visiting_.erase(name);
  if (!v || !is_whole(*v) || *v < 1) {
    if (v)
      diags_.error(s.value->span, "dim " + name + " must be a positive whole number; got " +
                                      std::string(s.value->span.file->slice(s.value->span)));
    unset_reported_.insert(name);
    return std::nullopt;
  }
  if (!fits_size(*v)) {
    diags_.error(s.value->span,
                 "dim " + name + " = " + std::string(s.value->span.file->slice(s.value->span)) +
                     " is larger than this machine can address (at most " + kLargestSize + ")");
    unset_reported_.insert(name);
    return std::nullopt;
  }
  m_.dims_[name] = static_cast<std::int64_t>(*v);
  return m_.dims_[name];
}

// Numbers, dims and + - * / of them, for shapes and dim values.
std::optional<double> Model::Lowering::integer_expr(const Expr& e) {
  switch (e.kind) {
    case ExprKind::Number:
      return e.number;
    case ExprKind::Name: {
      auto d = decls_.find(e.name.text);
      if (d == decls_.end()) {
        diags_.error(e.span, "unknown dim '" + e.name.text + "'; declare it: `dim " + e.name.text +
                                 " = 64`, or `dim " + e.name.text + "` to let the data set it");
        return std::nullopt;
      }
      if (d->second.stmt->kind != StmtKind::Dim) {
        StmtKind k = d->second.stmt->kind;
        std::string role = k == StmtKind::Equation ? std::string("defined by an equation")
                           : k == StmtKind::Input  ? std::string("an input")
                                                   : std::string("a ") + stmt_keyword(k);
        diags_.error(e.span, "'" + e.name.text + "' is " + role +
                                 ", not a dim; a shape is made of numbers and dims");
        return std::nullopt;
      }
      auto v = dim_value(e.name.text, e.span);
      if (!v) return std::nullopt;
      return static_cast<double>(*v);
    }
    case ExprKind::Unary:
      // -3 is a number (then "a size must be a positive whole number").
      if (e.op == Op::Neg || e.op == Op::Plus) {
        auto v = integer_expr(*e.args[0]);
        if (!v) return std::nullopt;
        return e.op == Op::Neg ? -*v : *v;
      }
      break;
    case ExprKind::Binary: {
      auto a = integer_expr(*e.args[0]);
      auto b = integer_expr(*e.args[1]);
      if (!a || !b) return std::nullopt;
      if (auto v = arithmetic(e.op, *a, *b)) return v;
      break;
    }
    default:
      break;
  }
  diags_.error(e.span, "a size must be a number, a dim, or + - * / of them");
  return std::nullopt;
}

std::optional<Shape> Model::Lowering::shape(const Stmt& s) {
  std::vector<std::int64_t> dims;
  bool ok = true;
  for (const ExprPtr& d : s.shape) {
    auto v = integer_expr(*d);
    if (!v) {
      ok = false;
      continue;
    }
    if (!is_whole(*v) || *v < 1) {
      diags_.error(d->span, "a size must be a positive whole number");
      ok = false;
      continue;
    }
    if (!fits_size(*v)) {
      diags_.error(d->span, "a size of " + std::string(d->span.file->slice(d->span)) +
                                " is larger than this machine can address (at most " +
                                kLargestSize + ")");
      ok = false;
      continue;
    }
    dims.push_back(static_cast<std::int64_t>(*v));
  }
  if (!ok) return std::nullopt;
  if (dims.size() > 3) {
    diags_.error(s.shape_span,
                 "at most 3 axes per value are supported; this has " + std::to_string(dims.size()));
    return std::nullopt;
  }
  // A value of this shape is allocated whole: its size in bytes must be a
  // number, not a product that wraps around to a small buffer. byte_size
  // states the figure: "a tensor of 4611686018427387904 × 4611686018427387904
  // elements of 4 bytes is larger than this machine can address".
  Shape out{std::span<const std::int64_t>(dims)};
  try {
    byte_size(out, options_.dtype);
  } catch (const Error& e) {
    diags_.error(s.shape_span, e.what());
    return std::nullopt;
  }
  return out;
}

void Model::Lowering::declare_leaf(const Stmt& s, const Expr& n) {
  const std::string& name = n.name.text;
  if (auto d = decls_.find(name); d == decls_.end() || d->second.stmt != &s) return;  // reported
  if (!s.has_shape) {
    diags_.error(n.span, std::string("") + stmt_keyword(s.kind) + " '" + name +
                             "' needs a shape: `" + stmt_keyword(s.kind) + " " + name + " : [4]`");
    bound_[name] = {};
    return;
  }
  auto sh = shape(s);
  if (!sh) {
    bound_[name] = {};
    return;
  }
  ModelLeaf leaf{name, {}, 0, n.span, n.name.timed, n.name.base, n.name.offset};
  if (s.onehot) {
    // onehot[V] is one class index per example; onehot[T, V] (docs/language.md
    // §9.7) is T of them, an input only: a target's classes are one per
    // example, and a time model's step xₜ is one symbol.
    std::string wrong;
    if (sh->rank() > 2)
      wrong = "onehot takes the classes, or a count and the classes: onehot[V] or onehot[T, V]";
    else if (sh->rank() == 2 && s.kind == StmtKind::Target)
      wrong =
          "a onehot target takes one size, the number of classes: onehot[V] (onehot[T, V] "
          "is for inputs)";
    else if (sh->rank() == 2 && n.name.timed)
      wrong =
          "a step of a time model takes one size, the number of classes: onehot[V] "
          "(onehot[T, V] is T indices of one example)";
    if (!wrong.empty()) {
      diags_.error(s.shape_span, wrong);
      bound_[name] = {};
      return;
    }
    leaf.onehot = sh->last();
    leaf.node =
        m_.graph_->input_onehot(name, leaf.onehot, sh->rank() == 2 ? Shape{(*sh)[0]} : Shape{});
  } else {
    leaf.node = m_.graph_->input(name, *sh);
  }
  bound_[name] = {leaf.node, leaf.onehot, s.kind == StmtKind::Target};
  status_[name] = Status::done;
  (s.kind == StmtKind::Input ? m_.inputs_ : m_.targets_).push_back(leaf);
}

void Model::Lowering::declare_param(const Stmt& s, const Expr& n) {
  const std::string& name = n.name.text;
  if (auto d = decls_.find(name); d == decls_.end() || d->second.stmt != &s) return;  // reported
  Shape sh;
  if (s.has_shape) {
    if (s.onehot) diags_.error(s.shape_span, "a param cannot be onehot");
    auto parsed = shape(s);
    if (!parsed) {
      bound_[name] = {};
      return;
    }
    sh = *parsed;
  }
  Initializer init = init::constant(0);
  if (s.value) {
    auto parsed = initializer(*s.value);
    if (parsed) init = *parsed;
    bool needs_fans =
        init.kind == Initializer::Kind::glorot || init.kind == Initializer::Kind::glorot_normal ||
        init.kind == Initializer::Kind::he || init.kind == Initializer::Kind::orthogonal;
    if (parsed && needs_fans && sh.rank() < 2)
      diags_.error(s.value->span, "'" + name + "' is " + (sh.rank() ? "a vector" : "a scalar") +
                                      ", but " + init.describe() +
                                      " is for matrices: give it a shape like `param " + name +
                                      " : [3, 4] ~ " + init.describe() + "`");
  } else if (uninitialized_.insert(&s).second) {
    missing_initializer(s, sh);
  }
  Node p = m_.graph_->param(name, sh);
  m_.params_.push_back({name, p, init, n.span});
  bound_[name] = {p, 0};
  status_[name] = Status::done;
}

// A param starts where its initializer puts it; there is no silent default
// (a network of zeros has symmetric units and may never learn). One error per
// statement, suggesting the statement with the usual initializer added.
void Model::Lowering::missing_initializer(const Stmt& s, const Shape& shape) {
  std::string names;
  std::vector<Span> others;
  for (const ExprPtr& n : s.names) {
    names += (names.empty() ? "'" : ", '") + n->name.text + "'";
    if (n != s.names.front()) others.push_back(n->span);
  }
  const char* init = shape.rank() >= 2 ? "glorot" : "0";
  diags_.error(s.names.front()->span,
               names + (s.names.size() > 1 ? " have" : " has") + " no initializer: write `" +
                   std::string(s.span.file->slice(s.span)) + " ~ " + init + "`",
               std::move(others));
}

// `noise ε : [Z] ~ normal(μ, σ)` (or uniform(a, b)), docs/language.md §9: a
// value of one example's shape drawn afresh for every example at every run.
// Each noise is a stream of its own, in declaration order.
void Model::Lowering::declare_noise(const Stmt& s, const Expr& n) {
  const std::string& name = n.name.text;
  if (auto d = decls_.find(name); d == decls_.end() || d->second.stmt != &s) return;  // reported
  bound_[name] = {};
  if (s.onehot) {
    diags_.error(s.shape_span,
                 std::string("a noise cannot be onehot; it is drawn as numbers: `noise ") + name +
                     " : [8] ~ normal(0, 1)`");
    return;
  }
  // Without a shape, one number an example, as a param without one is a scalar.
  auto sh = s.has_shape ? shape(s) : std::optional<Shape>(Shape{});
  if (!sh || !s.value) return;  // a missing distribution is a parse error
  const Expr& d = *s.value;
  std::optional<Initializer> dist;
  if (d.kind == ExprKind::Call && (d.name.text == "normal" || d.name.text == "uniform"))
    dist = initializer(d);  // the same numbers and checks as a param's
  else
    diags_.error(d.span, "a noise is drawn from normal(μ, σ) or uniform(a, b); got '" +
                             std::string(d.span.file->slice(d.span)) + "'");
  if (!dist) return;
  const std::uint64_t stream = next_stream_++;
  const ir::IShape per_example = ir::IShape::batched(*sh);
  Node node = dist->kind == Initializer::Kind::normal
                  ? ir::random_normal(*m_.graph_, per_example, dist->a, dist->b, stream)
                  : ir::random_uniform(*m_.graph_, per_example, dist->a, dist->b, stream);
  m_.graph_->set_name(node, name);
  m_.graph_->set_origin(node, ir::Origin{m_.file_, n.span.begin, n.span.end});
  bound_[name] = {node, 0};
  status_[name] = Status::done;
}

std::optional<double> Model::Lowering::number(const Expr& e) {
  if (e.kind == ExprKind::Number) return e.number;
  if (e.kind == ExprKind::Unary && e.op == Op::Neg && e.args[0]->kind == ExprKind::Number)
    return -e.args[0]->number;
  if (e.kind == ExprKind::Unary && e.op == Op::Plus && e.args[0]->kind == ExprKind::Number)
    return e.args[0]->number;
  return std::nullopt;
}

std::optional<Initializer> Model::Lowering::initializer(const Expr& e) {
  static const char* kHelp =
      "an initializer is a number, normal(μ, σ), uniform(a, b), glorot, glorot_normal, he or "
      "orthogonal";
  if (auto v = number(e)) {
    if (auto why = lower::unrepresentable(*v, m_.graph_->dtype())) {
      diags_.error(e.span, "the initial value " + format_number(*v) + " is " + *why);
      return std::nullopt;
    }
    return init::constant(*v);
  }
  if (e.kind == ExprKind::Name) {
    const std::string& n = e.name.text;
    if (n == "glorot") return init::glorot();
    if (n == canonical_name("glorot_normal")) return init::glorot_normal();
    if (n == "he") return init::he();
    if (n == "orthogonal") return init::orthogonal();
  }
  if (e.kind == ExprKind::Call && (e.name.text == "normal" || e.name.text == "uniform")) {
    if (e.args.size() != 2 || !e.kwargs.empty()) {
      diags_.error(e.span, e.name.text + " takes two numbers: " + e.name.text +
                               (e.name.text == "normal" ? "(μ, σ)" : "(a, b)"));
      return std::nullopt;
    }
    // Numbers or consts (`const s = 0.1`, then normal(0, s)), as dropout's p.
    std::function<std::optional<double>(const Expr&)> value =
        [&](const Expr& x) -> std::optional<double> {
      if (auto v = number(x)) return v;
      if (x.kind == ExprKind::Unary && (x.op == Op::Neg || x.op == Op::Plus)) {
        const std::optional<double> v = value(*x.args[0]);
        return v && x.op == Op::Neg ? std::optional<double>(-*v) : v;
      }
      // 1/2, 0.1*s, D/10: numbers, consts and dims combined.
      if (x.kind == ExprKind::Binary) {
        const std::optional<double> a = value(*x.args[0]), b = value(*x.args[1]);
        return a && b ? arithmetic(x.op, *a, *b) : std::nullopt;
      }
      if (x.kind == ExprKind::Name && decls_.count(x.name.text) &&
          decls_.at(x.name.text).stmt->kind == StmtKind::Dim) {
        const std::optional<std::int64_t> d = dim_value(x.name.text, x.span);
        return d ? std::optional<double>(static_cast<double>(*d)) : std::nullopt;
      }
      if (x.kind != ExprKind::Name || decls_.find(x.name.text) == decls_.end() ||
          decls_.at(x.name.text).stmt->kind != StmtKind::Const)
        return std::nullopt;
      const lower::Binding* b = resolve(x.name, x.span);
      return b && b->node ? lower::number_value(b->node) : std::nullopt;
    };
    auto a = value(*e.args[0]), b = value(*e.args[1]);
    for (int i : {0, 1}) {
      const Expr& x = *e.args[static_cast<std::size_t>(i)];
      const std::string part =
          e.name.text + "'s " +
          (e.name.text == "normal" ? (i == 0 ? "μ" : "σ") : (i == 0 ? "a" : "b"));
      const std::optional<double> v = i == 0 ? a : b;
      if (!v) {
        diags_.error(x.span, part + " must be a number or a const; got " +
                                 std::string(x.span.file->slice(x.span)));
        return std::nullopt;
      }
      if (auto why = lower::unrepresentable(*v, m_.graph_->dtype())) {
        // As written, with its value when that differs (1e300, or 0/(D - D)
        // = NaN, which printed as "-nan").
        const std::string written(x.span.file->slice(x.span));
        const std::string value = format_number(*v);
        diags_.error(x.span, std::isnan(*v)
                                 ? part + ", " + written + ", is not a number"
                                 : part + ", " +
                                       (written == value ? value : written + " = " + value) +
                                       ", is " + *why);
        return std::nullopt;
      }
    }
    try {
      return e.name.text == "normal" ? init::normal(*a, *b) : init::uniform(*a, *b);
    } catch (const Error& err) {
      diags_.error(e.span, err.what());
      return std::nullopt;
    }
  }
  diags_.error(e.span, std::string("unknown initializer '") +
                           std::string(e.span.file->slice(e.span)) + "': " + kHelp);
  return std::nullopt;
}

}  // namespace eq
