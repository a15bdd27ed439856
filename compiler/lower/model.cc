#include "compiler/lower/model.hpp"

#include <cmath>
#include <set>

#include "compiler/ir/builders.hpp"
#include "grammar/parse.hpp"
#include "runtime/error.hpp"
#include "runtime/file_io.hpp"

namespace eq {

using ir::Node;

namespace {

bool is_whole(double v) { return std::isfinite(v) && v == std::floor(v); }

std::string shape_text(const Shape& s) { return s.str(); }

}  // namespace

// Lowers one module into its Model; also the Scope equations resolve names in.
class Model::Lowering : public lower::Scope {
 public:
  Lowering(Model& m, const ModelOptions& options, Diagnostics& diags)
      : m_(m), options_(options), diags_(diags) {}

  void run() {
    collect();
    for (const Stmt& s : m_.module_->statements) declare(s);
    for (const Stmt& s : m_.module_->statements)
      if (s.kind == StmtKind::Equation || s.kind == StmtKind::Const) resolve(s.names[0]->name, s.names[0]->span);
    finish_states();
    find_loss();
    for (const Stmt& s : m_.module_->statements)
      if (s.kind == StmtKind::Output)
        for (const ExprPtr& n : s.names) {
          const lower::Binding* b = find(n->name, n->span, diags_);
          if (!b) unknown(*n);
          else if (b->node) m_.outputs_.push_back({n->name.text, b->node});
        }
  }

  const lower::Binding* find(const NameParts& name, Span where, Diagnostics&) override {
    if (name.timed && name.offset > 0) {
      diags_.error(where, "'" + name.text + "' looks ahead in time: an equation can use " +
                              name.base + "ₜ or earlier steps (" + name.base +
                              "ₜ₋₁), not later ones");
      return &poisoned_;
    }
    if (name.timed && name.offset < 0) return delayed(name, where);
    return resolve(name, where);
  }

  std::vector<std::string> names() const override {
    std::vector<std::string> out;
    for (const auto& [name, decl] : decls_) out.push_back(name);
    return out;
  }

 private:
  struct Decl {
    const Stmt* stmt;
    const Expr* name;
  };
  enum class Status { pending, visiting, done };

  // ---- declarations ------------------------------------------------------
  void collect() {
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
          continue;
        }
        if (s.kind == StmtKind::State) continue;  // states name an equation's value
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

  void declare(const Stmt& s) {
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
        for (const ExprPtr& n : s.names) states_decl_[n->name.text] = &s;
        break;
      case StmtKind::Noise:  // LANGUAGE.md §9: parses, not lowered yet
        diags_.error(s.keyword_span, "noise declarations are not supported yet");
        break;
      default:
        break;
    }
  }

  // The value of a dimension: -D / data first, then `dim H = …`.
  std::optional<std::int64_t> dim_value(const std::string& name, Span where) {
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
    m_.dims_[name] = static_cast<std::int64_t>(*v);
    return m_.dims_[name];
  }

  // Numbers, dims and + - * / of them, for shapes and dim values.
  std::optional<double> integer_expr(const Expr& e) {
    switch (e.kind) {
      case ExprKind::Number: return e.number;
      case ExprKind::Name: {
        auto d = decls_.find(e.name.text);
        if (d == decls_.end()) {
          diags_.error(e.span, "unknown dim '" + e.name.text + "'; declare it: `dim " +
                                   e.name.text + " = 64`, or `dim " + e.name.text +
                                   "` to let the data set it");
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
      case ExprKind::Binary: {
        auto a = integer_expr(*e.args[0]);
        auto b = integer_expr(*e.args[1]);
        if (!a || !b) return std::nullopt;
        switch (e.op) {
          case Op::Add: return *a + *b;
          case Op::Sub: return *a - *b;
          case Op::Mul: return *a * *b;
          case Op::Div: return *a / *b;
          default: break;
        }
        break;
      }
      default: break;
    }
    diags_.error(e.span, "a size must be a number, a dim, or + - * / of them");
    return std::nullopt;
  }

  std::optional<Shape> shape(const Stmt& s) {
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
      dims.push_back(static_cast<std::int64_t>(*v));
    }
    if (!ok) return std::nullopt;
    if (dims.size() > 3) {
      diags_.error(s.shape_span, "at most 3 axes per value are supported; this has " +
                                     std::to_string(dims.size()));
      return std::nullopt;
    }
    return Shape(std::span<const std::int64_t>(dims));
  }

  void declare_leaf(const Stmt& s, const Expr& n) {
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
    ModelLeaf leaf{name, {}, 0, n.span};
    if (s.onehot) {
      if (sh->rank() != 1) {
        diags_.error(s.shape_span, "onehot takes one size, the number of classes: onehot[V]");
        bound_[name] = {};
        return;
      }
      leaf.onehot = (*sh)[0];
      leaf.node = m_.graph_->input_onehot(name, leaf.onehot);
    } else {
      leaf.node = m_.graph_->input(name, *sh);
    }
    bound_[name] = {leaf.node, leaf.onehot};
    status_[name] = Status::done;
    (s.kind == StmtKind::Input ? m_.inputs_ : m_.targets_).push_back(leaf);
  }

  void declare_param(const Stmt& s, const Expr& n) {
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
      bool needs_fans = init.kind == Initializer::Kind::glorot ||
                        init.kind == Initializer::Kind::glorot_normal ||
                        init.kind == Initializer::Kind::he || init.kind == Initializer::Kind::orthogonal;
      if (parsed && needs_fans && sh.rank() < 2)
        diags_.error(s.value->span, "'" + name + "' is " + (sh.rank() ? "a vector" : "a scalar") +
                                        ", but " + init.describe() +
                                        " is for matrices: give it a shape like `param " + name +
                                        " : [3, 4] ~ " + init.describe() + "`");
    }
    Node p = m_.graph_->param(name, sh);
    m_.params_.push_back({name, p, init, n.span});
    bound_[name] = {p, 0};
    status_[name] = Status::done;
  }

  std::optional<double> number(const Expr& e) {
    if (e.kind == ExprKind::Number) return e.number;
    if (e.kind == ExprKind::Unary && e.op == Op::Neg && e.args[0]->kind == ExprKind::Number)
      return -e.args[0]->number;
    if (e.kind == ExprKind::Unary && e.op == Op::Plus && e.args[0]->kind == ExprKind::Number)
      return e.args[0]->number;
    return std::nullopt;
  }

  std::optional<Initializer> initializer(const Expr& e) {
    static const char* kHelp =
        "an initializer is a number, normal(μ, σ), uniform(a, b), glorot, glorot_normal, he or "
        "orthogonal";
    if (auto v = number(e)) return init::constant(*v);
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
      auto a = number(*e.args[0]), b = number(*e.args[1]);
      if (!a || !b) {
        diags_.error(e.span, e.name.text + " takes two numbers");
        return std::nullopt;
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

  // ---- equations ---------------------------------------------------------
  const lower::Binding* resolve(const NameParts& name, Span where) {
    if (auto b = bound_.find(name.text); b != bound_.end()) return &b->second;
    auto d = decls_.find(name.text);
    if (d == decls_.end()) return nullptr;
    const Stmt& s = *d->second.stmt;
    if (s.kind == StmtKind::Dim) {
      auto v = dim_value(name.text, where);
      bound_[name.text] = {v ? m_.graph_->constant(static_cast<double>(*v)) : Node(), 0};
      return &bound_[name.text];
    }
    if (s.kind != StmtKind::Equation && s.kind != StmtKind::Const) return &poisoned_;
    Status& st = status_[name.text];
    if (st == Status::visiting) {
      cycle(name.text);
      return &poisoned_;
    }
    st = Status::visiting;
    stack_.push_back(name.text);
    lower::Context cx{*m_.graph_, *this, diags_, m_.file_};
    lower::Binding b = lower::lower_expression(*s.value, cx);
    stack_.pop_back();
    status_[name.text] = Status::done;
    if (b.node) {
      if (s.kind == StmtKind::Const && (b.node.shape().rank() != 0 || depends_on_leaves(b.node))) {
        diags_.error(s.value->span, "const " + name.text + " must be a number or an expression of numbers, dims and consts");
        b = {};
      } else if (!name.timed && timed_reference(*s.value)) {
        diags_.error(d->second.name->span,
                     "'" + name.text + "' has no time index but depends on '" + timed_ref_ +
                         "', which changes with time; write '" + name.text + "ₜ'");
        b = {};
      }
    }
    if (b.node) {
      if (m_.graph_->data(b.node.id()).name.empty()) m_.graph_->set_name(b.node, name.text);
      m_.values_[name.text] = b.node;
    }
    bound_[name.text] = b;
    return &bound_[name.text];
  }

  bool depends_on_leaves(Node n) {
    if (n.op() == ir::Op::input || n.op() == ir::Op::param) return true;
    for (int i = 0; i < n.arity(); ++i)
      if (depends_on_leaves(n.input(i))) return true;
    return false;
  }

  // Whether an expression names a time-indexed value directly; sets timed_ref_.
  bool timed_reference(const Expr& e) {
    if (e.kind == ExprKind::Name && e.name.timed) {
      timed_ref_ = e.name.text;
      return true;
    }
    for (const ExprPtr& a : e.args)
      if (timed_reference(*a)) return true;
    return false;
  }

  void cycle(const std::string& name) {
    std::size_t start = 0;
    while (stack_[start] != name) ++start;
    std::string path;
    for (std::size_t i = start; i < stack_.size(); ++i) path += stack_[i] + " → ";
    path += name;
    const Expr* lhs = decls_.at(name).name;
    diags_.error(lhs->span, "these equations depend on each other in a cycle: " + path);
  }

  void unknown(const Expr& n) {
    std::string message = "unknown name '" + n.name.text + "'";
    std::string near = nearest_name(n.name.text, names());
    if (!near.empty()) message += "; did you mean '" + near + "'?";
    diags_.error(n.span, message);
  }

  // ---- time ----------------------------------------------------------------
  std::string current_name(const NameParts& name) { return name.base + "ₜ"; }

  const lower::Binding* delayed(const NameParts& name, Span where) {
    if (auto b = bound_.find(name.text); b != bound_.end()) return &b->second;
    std::string now = current_name(name);
    auto d = decls_.find(now);
    if (d == decls_.end()) {
      diags_.error(where, "'" + name.text + "' refers to an earlier step of '" + now +
                              "', but nothing defines '" + now + "'");
      return &poisoned_;
    }
    std::optional<Shape> sh;
    if (auto st = states_decl_.find(now); st != states_decl_.end() && st->second->has_shape)
      sh = shape(*st->second);
    else
      sh = infer(now);
    if (!sh) {
      diags_.error(where, "cannot tell the shape of '" + name.text + "'; declare it: `state " +
                              now + " : [H]`");
      return &poisoned_;
    }
    ModelState state;
    state.name = now;
    state.leaf = name.text;
    state.delay = -name.offset;
    state.node = m_.graph_->input(name.text, *sh);
    m_.states_.push_back(state);
    bound_[name.text] = {state.node, 0};
    return &bound_[name.text];
  }

  // Shape inference without building nodes, for the leaves of recurrences:
  // an unknown operand (nullopt) takes the shape the other side implies.
  std::optional<Shape> infer(const std::string& name) {
    if (auto b = bound_.find(name); b != bound_.end() && b->second.node)
      return b->second.onehot ? Shape{b->second.onehot} : lower::example_shape(b->second.node);
    auto d = decls_.find(name);
    if (d == decls_.end() || d->second.stmt->kind != StmtKind::Equation) return std::nullopt;
    if (inferring_.count(name)) return std::nullopt;
    inferring_.insert(name);
    auto s = infer(*d->second.stmt->value);
    inferring_.erase(name);
    return s;
  }

  std::optional<Shape> infer(const Expr& e) {
    switch (e.kind) {
      case ExprKind::Number: return Shape{};
      case ExprKind::Name:
        if (e.name.timed && e.name.offset < 0) return infer(current_name(e.name));
        return infer(e.name.text);
      case ExprKind::Unary:
      case ExprKind::Postfix: {
        auto x = infer(*e.args[0]);
        if (x && e.op == Op::Transpose && x->rank() == 2) return Shape{(*x)[1], (*x)[0]};
        return x;
      }
      case ExprKind::Norm: return Shape{};
      case ExprKind::Binary: {
        auto a = infer(*e.args[0]), b = infer(*e.args[1]);
        if (e.op == Op::MatMul) {
          if (a && a->rank() == 2 && (!b || b->rank() == 1)) return Shape{(*a)[0]};
          if (b && b->rank() == 2 && (!a || a->rank() == 1)) return Shape{(*b)[1]};
          if (a && b && a->rank() == 2 && b->rank() == 2) return Shape{(*a)[0], (*b)[1]};
          if (a && b) return Shape{};
          return std::nullopt;
        }
        if (!a) return b;
        if (!b) return a;
        ir::IShape out;
        if (!ir::broadcast(ir::IShape(*a), ir::IShape(*b), out)) return std::nullopt;
        return out.example();
      }
      case ExprKind::Call: {
        const std::string& f = e.name.text;
        if (f == "Σ" || f == "sum" || f == "mean" || f == "norm" ||
            ((f == "max" || f == "min") && e.args.size() == 1))
          return Shape{};
        if (e.args.empty()) return std::nullopt;
        if (e.args.size() == 2) {
          auto a = infer(*e.args[0]), b = infer(*e.args[1]);
          return a ? a : b;
        }
        return infer(*e.args[0]);
      }
      default: return std::nullopt;
    }
  }

  void finish_states() {
    for (ModelState& st : m_.states_) {
      auto it = m_.values_.find(st.name);
      if (it == m_.values_.end()) {
        // An input seen at an earlier step: the data supplies it.
        const lower::Binding* b = resolve(analyze_name(st.name), Span{});
        if (b && b->node) st.next = b->node;
        continue;
      }
      st.next = it->second;
      if (!(lower::example_shape(st.next) == lower::example_shape(st.node)))
        diags_.error(decls_.at(st.name).name->span,
                     "'" + st.name + "' has shape " + shape_text(lower::example_shape(st.next)) +
                         " but its earlier value '" + st.leaf + "' was taken to be " +
                         shape_text(lower::example_shape(st.node)));
      if (auto decl = states_decl_.find(st.name); decl != states_decl_.end() && decl->second->value) {
        const Expr& v = *decl->second->value;
        if (auto n = number(v)) st.init_value = *n;
        else if (v.kind == ExprKind::Name && bound_.count(v.name.text) &&
                 bound_[v.name.text].node && bound_[v.name.text].node.op() == ir::Op::param)
          st.init_param = v.name.text;
        else
          diags_.error(v.span, "the initial value of a state is a number or a param");
      }
    }
  }

  void find_loss() {
    for (const char* candidate : {"loss", "lossₜ"}) {
      auto it = m_.values_.find(candidate);
      if (it == m_.values_.end()) continue;
      Node l = it->second;
      if (lower::example_shape(l).rank() != 0) {
        diags_.error(decls_.at(candidate).name->span,
                     std::string("the objective '") + candidate +
                         "' must be one number per example; it has shape " +
                         lower::example_shape(l).str() + " (wrap it in Σ(…) or mean(…))");
        return;
      }
      m_.loss_ = l;
      m_.loss_name_ = candidate;
    }
  }

  Model& m_;
  const ModelOptions& options_;
  Diagnostics& diags_;
  std::map<std::string, Decl> decls_;
  std::map<std::string, lower::Binding> bound_;
  std::map<std::string, Status> status_;
  std::map<std::string, const Stmt*> states_decl_;
  std::vector<std::string> stack_;
  std::set<std::string> dims_visiting_, unset_reported_, inferring_;
  std::string timed_ref_;
  lower::Binding poisoned_;
};

Model::Model() = default;
Model::Model(Model&&) noexcept = default;
Model& Model::operator=(Model&&) noexcept = default;
Model::~Model() = default;

Model Model::from_source(const std::string& name, const std::string& text,
                         const ModelOptions& options) {
  auto file = std::make_shared<SourceFile>(name, text);
  Diagnostics diags;
  Module module = parse_module(*file, diags);
  diags.throw_if_errors();
  return from_module(std::move(file), std::move(module), options);
}

Model Model::from_module(std::shared_ptr<SourceFile> file, Module module, const ModelOptions& options) {
  Model m;
  m.file_ = std::move(file);
  m.graph_ = std::make_unique<ir::Graph>(options.dtype);
  m.module_ = std::make_unique<Module>(std::move(module));
  Diagnostics diags;
  Lowering lowering(m, options, diags);
  lowering.run();
  diags.throw_if_errors();
  return m;
}

Model Model::load(const std::string& path, const ModelOptions& options) {
  return from_source(path, read_file(path), options);
}

}  // namespace eq
