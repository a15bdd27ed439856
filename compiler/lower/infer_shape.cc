// Model::Lowering, shape inference: the shape of a recurrence's earlier
// value hₜ₋ₖ is hₜ's, which may not be lowered yet (hₜ reads hₜ₋₁); it is
// inferred from the AST without building nodes (see lowering.hpp).
#include "eq/compiler/lower/lowering.hpp"

namespace eq {

// Shape inference without building nodes, for the leaves of recurrences:
// an unknown operand (nullopt) takes the shape the other side implies.
std::optional<Shape> Model::Lowering::infer(const std::string& name) {
  if (auto b = bound_.find(name); b != bound_.end() && b->second.node)
    return lower::declared_shape(b->second.node, b->second.onehot);
  // A state says its shape (`state gₜ : [3]`) or starts from a param of one
  // (`state hₜ = h₀`): that is the value's shape, whatever its equation.
  if (auto st = states_decl_.find(name); st != states_decl_.end()) {
    if (st->second->has_shape) return shape(*st->second);
    if (const Expr* v = st->second->value.get(); v && v->kind == ExprKind::Name)
      if (auto b = bound_.find(v->name.text);
          b != bound_.end() && b->second.node && b->second.node.op() == ir::Op::param)
        return b->second.node.shape().example();
  }
  auto d = decls_.find(name);
  if (d == decls_.end() || d->second.stmt->kind != StmtKind::Equation) {
    opaque_ = true;
    return std::nullopt;
  }
  if (inferring_.count(name)) return std::nullopt;  // the recurrence itself
  inferring_.insert(name);
  auto s = infer(*d->second.stmt->value);
  inferring_.erase(name);
  return s;
}

namespace {

using Part = InferredPart;

// The shape of an elementwise combination (a + b, where(c, a, b), a call's
// arguments): their broadcast when all are known. With some unknown, a known
// shape that is not a scalar stands for them all (the unknown ones broadcast
// to it, or the model is wrong and lowering says so). Known scalars beside
// unknowns are the whole only when the unknowns are the recurrence itself
// (sₜ = a*sₜ₋₁ + 1 is a scalar); beside an opaque operand they tell nothing
// (2*[xₜ, hₜ₋₁] is not a scalar).
std::optional<Shape> combined(const std::vector<Part>& parts) {
  std::optional<Shape> widest;
  bool unknown = false, opaque = false;
  for (const Part& p : parts) {
    if (!p.shape) {
      unknown = true;
      opaque = opaque || p.opaque;
      continue;
    }
    if (!widest) {
      widest = *p.shape;
      continue;
    }
    if (unknown) {
      if (p.shape->rank() > widest->rank()) widest = *p.shape;
      continue;
    }
    ir::IShape out;
    if (!ir::broadcast(ir::IShape(*widest), ir::IShape(*p.shape), out)) return std::nullopt;
    widest = out.example();
  }
  if (opaque && widest && widest->rank() == 0) return std::nullopt;
  return widest;
}

}  // namespace

// infer(e) with its own opaque flag (Part), which also reaches the caller's.
InferredPart Model::Lowering::part(const Expr& e) {
  const bool outer = opaque_;
  opaque_ = false;
  Part p{infer(e), false};
  p.opaque = opaque_;
  opaque_ = outer || opaque_;
  return p;
}

std::optional<Shape> Model::Lowering::infer(const Expr& e) {
  switch (e.kind) {
    case ExprKind::Number:
      return Shape{};
    case ExprKind::Name:
      if (e.name.timed && e.name.offset < 0) {
        // An earlier step already read has its leaf, of the value's shape.
        if (auto b = bound_.find(e.name.text); b != bound_.end() && b->second.node)
          return lower::declared_shape(b->second.node, b->second.onehot);
        return infer(current(e.name).text);
      }
      return infer(e.name.text);
    case ExprKind::Unary:
    case ExprKind::Postfix: {
      auto x = infer(*e.args[0]);
      if (x && e.op == Op::Transpose && x->rank() == 2) return Shape{(*x)[1], (*x)[0]};
      return x;
    }
    case ExprKind::Norm:
      return Shape{};
    case ExprKind::Binary: {
      const Part pa = part(*e.args[0]), pb = part(*e.args[1]);
      const std::optional<Shape>&a = pa.shape, &b = pb.shape;
      if (e.op == Op::MatMul) {
        if (a && a->rank() == 2 && (!b || b->rank() == 1)) return Shape{(*a)[0]};
        if (b && b->rank() == 2 && (!a || a->rank() == 1)) return Shape{(*b)[1]};
        if (a && b && a->rank() == 2 && b->rank() == 2) return Shape{(*a)[0], (*b)[1]};
        if (a && b) return Shape{};
        opaque_ = true;  // a product of unknowns: not a scalar, whatever is beside it
        return std::nullopt;
      }
      return combined({pa, pb});
    }
    case ExprKind::Call: {
      const std::string& f = e.name.text;
      if (f == "Σ" || f == "sum" || f == "mean" || f == "norm" ||
          ((f == "max" || f == "min") && e.args.size() == 1))
        return Shape{};
      if (e.args.empty()) return std::nullopt;
      std::vector<Part> args;
      for (const ExprPtr& a : e.args) args.push_back(part(*a));
      return combined(args);
    }
    case ExprKind::Concat: {
      // [a, b] of vectors: the sum of their lengths.
      std::int64_t n = 0;
      for (const ExprPtr& a : e.args) {
        const std::optional<Shape> s = infer(*a);
        if (!s || s->rank() > 1) {
          opaque_ = true;
          return std::nullopt;
        }
        n += s->rank() == 0 ? 1 : (*s)[0];
      }
      return Shape{n};
    }
    default:
      opaque_ = true;
      return std::nullopt;
  }
}

}  // namespace eq
