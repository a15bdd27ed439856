// Model::Lowering, equations and time: equations are lowered on demand, so
// each is lowered once, after what it uses, and a cycle is reported with the
// names on it; a reference hₜ₋ₖ to an earlier step becomes a state leaf
// (see lowering.hpp and model.hpp).
#include <algorithm>

#include "eq/compiler/ir/builders.hpp"
#include "eq/compiler/lower/lowering.hpp"
#include "eq/runtime/error.hpp"
#include "eq/runtime/format.hpp"

namespace eq {

using ir::Node;

const lower::Binding* Model::Lowering::find(const NameParts& name, Span where, Diagnostics&) {
  if (name.timed && name.offset > 0) {
    diags_.error(where, "'" + name.text + "' looks ahead in time: an equation can use " +
                            name.base + "ₜ or earlier steps (" + name.base +
                            "ₜ₋₁), not later ones");
    return &poisoned_;
  }
  if (name.timed && name.offset < 0) return delayed(name, where);
  return resolve(name, where);
}

std::vector<std::string> Model::Lowering::names() const {
  std::vector<std::string> out;
  for (const auto& [name, decl] : decls_) out.push_back(name);
  return out;
}

std::string Model::Lowering::role(const std::string& name) const {
  auto d = decls_.find(name);
  if (d == decls_.end()) return "";
  const StmtKind kind = d->second.stmt->kind;
  if (kind == StmtKind::Equation) return "a value";
  return (kind == StmtKind::Input ? "an " : "a ") + std::string(stmt_keyword(kind));
}

const lower::Binding* Model::Lowering::resolve(const NameParts& name, Span where) {
  if (auto b = bound_.find(name.text); b != bound_.end()) return &b->second;
  auto d = decls_.find(name.text);
  if (d == decls_.end()) return refused_.count(name.text) ? &poisoned_ : nullptr;
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
  lower::Context cx{*m_.graph_, *this, diags_, m_.file_, &next_stream_};
  lower::Binding b = lower::lower_expression(*s.value, cx);
  stack_.pop_back();
  status_[name.text] = Status::done;
  if (b.node) {
    if (s.kind == StmtKind::Const && (b.node.shape().rank() != 0 || depends_on_leaves(b.node))) {
      diags_.error(
          s.value->span,
          "const " + name.text + " must be a number or an expression of numbers, dims and consts");
      b = {};
    } else if (const std::optional<double> v =
                   s.kind == StmtKind::Const ? lower::number_value(b.node) : std::nullopt;
               v && lower::unrepresentable(*v, m_.graph_->dtype())) {
      // `const a = 1/0` would make every value that reads it NaN, blamed on
      // an equation far from here.
      diags_.error(s.value->span, "const " + name.text + " = " +
                                      std::string(s.value->span.file->slice(s.value->span)) +
                                      " is " + *lower::unrepresentable(*v, m_.graph_->dtype()));
      b = {};
    } else if (!name.timed && timed_reference(*s.value)) {
      diags_.error(d->second.name->span, "'" + name.text + "' has no time index but depends on '" +
                                             timed_ref_ + "', which changes with time; write '" +
                                             name.text + "ₜ'");
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

bool Model::Lowering::depends_on_leaves(Node n) {
  const std::vector<char> needed = ir::reachable(*m_.graph_, {n});
  for (const auto* leaves : {&m_.graph_->inputs(), &m_.graph_->params()})
    for (const Node& leaf : *leaves)
      if (needed[static_cast<std::size_t>(leaf.id())]) return true;
  return false;
}

// Whether an expression names a time-indexed value directly; sets timed_ref_.
bool Model::Lowering::timed_reference(const Expr& e) {
  if (e.kind == ExprKind::Name && e.name.timed) {
    timed_ref_ = e.name.text;
    return true;
  }
  for (const ExprPtr& a : e.args)
    if (timed_reference(*a)) return true;
  return false;
}

void Model::Lowering::cycle(const std::string& name) {
  std::size_t start = 0;
  while (stack_[start] != name) ++start;
  std::string path;
  for (std::size_t i = start; i < stack_.size(); ++i) path += stack_[i] + " → ";
  path += name;
  const Expr* lhs = decls_.at(name).name;
  diags_.error(lhs->span, "these equations depend on each other in a cycle: " + path);
  const std::set<std::string> on_cycle(stack_.begin() + static_cast<std::ptrdiff_t>(start),
                                       stack_.end());
  for (const std::string& n : on_cycle)
    if (const Stmt* s = decls_.at(n).stmt; s->value) hint_earlier_step(*s->value, on_cycle);
}

namespace {

// The name in `e` that ends where `end` is, but for spaces, if any.
const Expr* name_ending_at(const Expr& e, std::uint32_t end) {
  if (e.kind == ExprKind::Name) {
    if (e.span.end > end) return nullptr;
    const std::string_view text = e.span.file->text();
    std::string_view between = text.substr(e.span.end, end - e.span.end);
    return between.find_first_not_of(" \t") == std::string_view::npos ? &e : nullptr;
  }
  if (e.kind == ExprKind::Binary || e.kind == ExprKind::Unary)
    return name_ending_at(*e.args.back(), end);
  return nullptr;
}

// How `name` at k steps before is spelt: in ASCII when it was written in
// ASCII (h_t → h_{t-1}, h_{t} → h_{t-1}), else in Unicode (hₜ → hₜ₋₁).
std::string earlier_spelling(const NameParts& name, std::string_view written, int k) {
  const std::string canonical = analyze_name(name.base + "_{t-" + std::to_string(k) + "}").text;
  bool ascii = std::all_of(written.begin(), written.end(), [](char c) { return (c & 0x80) == 0; });
  std::size_t underscore = written.rfind('_');
  if (!ascii || underscore == std::string_view::npos) return canonical;
  std::string_view run = written.substr(underscore + 1);
  if (!run.empty() && run.front() == '{' && run.back() == '}') run = run.substr(1, run.size() - 2);
  std::string spelt = std::string(written.substr(0, underscore)) + "_{" + std::string(run) + "-" +
                      std::to_string(k) + "}";
  return spelt == canonical ? spelt : spelt + " (or " + canonical + ")";
}

}  // namespace

// `h_t-1` reads as hₜ − 1, so hₜ = f(h_t-1) is a cycle. Finds that
// subtraction — a name of the cycle at step t, `-`, a whole number — in an
// equation on the cycle and suggests the name of the earlier step.
void Model::Lowering::hint_earlier_step(const Expr& e, const std::set<std::string>& on_cycle) {
  for (const ExprPtr& a : e.args) hint_earlier_step(*a, on_cycle);
  if (e.kind != ExprKind::Binary || e.op != Op::Sub || e.args[1]->kind != ExprKind::Number) return;
  const double k = e.args[1]->number;
  if (k < 1 || k > 99 || k != static_cast<int>(k)) return;
  const Expr* name = name_ending_at(*e.args[0], e.op_span.begin);
  if (!name || !name->name.timed || name->name.offset != 0) return;
  if (!on_cycle.count(name->name.text)) return;
  const std::string_view written = name->span.file->slice(name->span);
  const Span whole = Span::cover(name->span, e.args[1]->span);
  const int steps = static_cast<int>(k);
  const std::string& now = name->name.text;
  diags_.note(whole, "'" + std::string(whole.file->slice(whole)) + "' reads as " + now + " minus " +
                         std::to_string(steps) + "; " + now + " " +
                         (steps == 1 ? std::string("one step") : std::to_string(steps) + " steps") +
                         " earlier is written " + earlier_spelling(name->name, written, steps));
}

void Model::Lowering::unknown(const Expr& n) {
  diags_.error(n.span, unknown_name_message(n.name.text, names()));
}

// The parts of hₜ, the value an earlier step's name hₜ₋ₖ refers to.
NameParts Model::Lowering::current(const NameParts& earlier) {
  NameParts now = earlier;
  now.text = earlier.base + "ₜ";
  now.offset = 0;
  return now;
}

const lower::Binding* Model::Lowering::delayed(const NameParts& name, Span where) {
  if (auto b = bound_.find(name.text); b != bound_.end()) return &b->second;
  const std::string now = current(name).text;
  auto d = decls_.find(now);
  if (d == decls_.end() && refused_.count(now)) return &poisoned_;
  if (d == decls_.end()) {
    diags_.error(where, "'" + name.text + "' refers to an earlier step of '" + now +
                            "', but nothing defines '" + now + "'");
    return &poisoned_;
  }
  // A one-hot leaf is a class index per example, not a vector to carry (and
  // "0 before the first step" would be class 0): its earlier steps are read
  // through a value computed from it.
  if (auto b = bound_.find(now); b != bound_.end() && b->second.onehot) {
    const std::string role = b->second.target ? "target" : "input";
    diags_.error(where, "'" + name.text + "' reads the one-hot " + role + " '" + now +
                            "' at an earlier step, which eq does not carry; name a value of it "
                            "and read that value's earlier step (`eₜ = E·" +
                            now + "`, then `eₜ₋₁`)");
    return &poisoned_;
  }
  // A noise is drawn afresh at every step and not kept (unroll.cc): its
  // earlier draw is read through a value, which a state carries.
  if (d->second.stmt->kind == StmtKind::Noise) {
    diags_.error(where, "'" + name.text + "' reads the noise '" + now +
                            "' at an earlier step; a noise is drawn afresh at every step and not "
                            "kept: name a value of it and read that value's earlier step (`eₜ = " +
                            now + "`, then `eₜ₋₁`)");
    return &poisoned_;
  }
  std::optional<Shape> sh;
  if (auto st = states_decl_.find(now); st != states_decl_.end() && st->second->has_shape)
    sh = shape(*st->second);
  else
    sh = infer(now);
  if (!sh) {
    diags_.error(where, "cannot tell the shape of '" + name.text + "'; declare it: `state " + now +
                            " : [H]`");
    return &poisoned_;
  }
  ModelState state;
  state.name = now;
  state.leaf = name.text;
  state.delay = -name.offset;
  state.node = m_.graph_->input(name.text, *sh);
  m_.states_.push_back(state);
  state_names_.emplace(now, current(name));
  bound_[name.text] = {state.node, 0};
  return &bound_[name.text];
}

void Model::Lowering::finish_states() {
  for (ModelState& st : m_.states_) {
    auto it = m_.values_.find(st.name);
    if (it == m_.values_.end()) {
      // An input seen at an earlier step: the data supplies it.
      const lower::Binding* b = resolve(state_names_.at(st.name), Span{});
      if (b && b->node) st.next = b->node;
      continue;
    }
    st.next = it->second;
    if (!(lower::example_shape(st.next) == lower::example_shape(st.node)))
      diags_.error(decls_.at(st.name).name->span,
                   "'" + st.name + "' has shape " + lower::example_shape(st.next).str() +
                       " but its earlier value '" + st.leaf + "' was taken to be " +
                       lower::example_shape(st.node).str());
    if (auto decl = states_decl_.find(st.name); decl != states_decl_.end() && decl->second->value) {
      const Expr& v = *decl->second->value;
      if (auto n = number(v); n && lower::unrepresentable(*n, m_.graph_->dtype()))
        diags_.error(v.span, "the initial value of '" + st.name + "', " + format_number(*n) +
                                 ", is " + *lower::unrepresentable(*n, m_.graph_->dtype()));
      else if (n)
        st.init_value = *n;
      else if (v.kind == ExprKind::Name && bound_.count(v.name.text) && bound_[v.name.text].node &&
               bound_[v.name.text].node.op() == ir::Op::param) {
        // Every stream starts from the param as it is: the shapes agree.
        const Shape param = bound_[v.name.text].node.shape().example();
        if (!(param == lower::example_shape(st.node)))
          diags_.error(v.span, "the initial value of '" + st.name + "' is the param " +
                                   v.name.text + " of shape " + param.str() + ", but '" + st.name +
                                   "' has shape " + lower::example_shape(st.node).str());
        else
          st.init_param = v.name.text;
      } else
        diags_.error(v.span, "the initial value of a state is a number or a param");
    }
  }
}

void Model::Lowering::find_loss() {
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
    // A loss of the parameters alone (`loss = Σ(W²)`) has no example to
    // average over: training would fit nothing.
    if (!l.shape().has_batch()) {
      diags_.error(decls_.at(candidate).name->span,
                   std::string("the objective '") + candidate +
                       "' reads no input or target, so it is the same for every example; a loss "
                       "measures the model on the data (a penalty on the parameters alone is "
                       "added to one that does: `loss = Σ((ŷ - y)²) + 0.01Σ(W²)`)");
      return;
    }
    m_.loss_ = l;
    m_.loss_name_ = candidate;
  }
}

void Model::Lowering::find_outputs() {
  for (const Stmt& s : m_.module_->statements)
    if (s.kind == StmtKind::Output)
      for (const ExprPtr& n : s.names) {
        const lower::Binding* b = find(n->name, n->span, diags_);
        if (!b)
          unknown(*n);
        else if (b->target)
          diags_.error(n->span, "'" + n->name.text +
                                    "' is a target, which predictions do not have: an `output` "
                                    "is a value the model computes, such as ŷ");
        else if (b->node)
          m_.outputs_.push_back({n->name.text, b->node});
      }
}

}  // namespace eq
