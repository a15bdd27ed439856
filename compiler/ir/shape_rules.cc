// The shape and dtype rule of every op: one function per kind (unary,
// binary, reduce) and one per special op, named in its row of ops.def; the
// dispatch is generated from the rows. Messages here are for C++ callers of
// the graph factories; lowering checks operands itself and reports
// source-level diagnostics.
#include <cmath>
#include <string>
#include <utility>

#include "eq/compiler/ir/graph.hpp"

namespace eq::ir {
namespace {

TypeResult ok(IShape shape, DType dtype) { return {true, shape, dtype, {}}; }
TypeResult fail(std::string why) { return {false, {}, DType::f32, std::move(why)}; }

bool is_float(DType t) { return t == DType::f32 || t == DType::f64; }

std::string describe(const Node& n) {
  return n.shape().str() + " " + std::string(dtype_name(n.dtype()));
}

using Inputs = std::vector<Node>;

// ---- the kinds ------------------------------------------------------------

TypeResult unary_type(const OpInfo& oi, const Inputs& in, const Attrs&) {
  if (!is_float(in[0].dtype()))
    return fail(std::string(oi.name) + ": needs float data, got " + describe(in[0]));
  return ok(in[0].shape(), in[0].dtype());
}

TypeResult binary_type(const OpInfo& oi, const Inputs& in, const Attrs&) {
  if (in[0].dtype() != in[1].dtype() || !is_float(in[0].dtype()))
    return fail(std::string(oi.name) + ": operands must share a float dtype: " + describe(in[0]) +
                " and " + describe(in[1]));
  IShape out;
  if (!broadcast(in[0].shape(), in[1].shape(), out))
    return fail(std::string(oi.name) + ": shapes do not broadcast: " + in[0].shape().str() +
                " and " + in[1].shape().str());
  return ok(out, in[0].dtype());
}

TypeResult reduce_type(const OpInfo& oi, const Inputs& in, const Attrs& at) {
  if (at.axis < 0 || at.axis > in[0].shape().rank())
    return fail(std::string(oi.name) + ": axis " + std::to_string(at.axis) + " out of range for " +
                in[0].shape().str());
  return ok(in[0].shape().prefix(at.axis), in[0].dtype());
}

// ---- the special ops, as their rows name them -------------------------------

TypeResult last_axis_type(const OpInfo& oi, const Inputs& in, const Attrs&) {
  const Node& x = in[0];
  if (!is_float(x.dtype())) return fail(std::string(oi.name) + ": needs float data");
  if (x.shape().rank() == 0 || (x.shape().has_batch() && x.shape().rank() == 1))
    return fail(std::string(oi.name) + ": needs a vector, got " + x.shape().str());
  return ok(x.shape(), x.dtype());
}

// A stack of per-example matrices [B, r, c] (docs/language.md §9), and a
// matrix shared by every example.
bool is_stack(const IShape& s) { return s.has_batch() && s.rank() == 3; }
bool is_shared_matrix(const IShape& s) { return !s.has_batch() && s.rank() == 2; }

// op(m) of one example's matrix (or a shared one): {rows, cols}.
std::pair<std::int64_t, std::int64_t> op_dims(const IShape& s, bool trans) {
  const std::int64_t r = s[s.rank() - 2], c = s[s.rank() - 1];
  return trans ? std::pair{c, r} : std::pair{r, c};
}

// One product per example: a stack with a stack or a shared matrix, giving
// a stack [B, m, n]; or, summed over the batch (matmul_sum), two stacks
// giving one [m, n].
TypeResult per_example_product(const char* name, const Inputs& in, const Attrs& at, bool summed) {
  const IShape &a = in[0].shape(), &b = in[1].shape();
  const std::string shown =
      a.str() + (at.trans_a ? "ᵀ" : "") + " · " + b.str() + (at.trans_b ? "ᵀ" : "");
  const bool fits =
      summed ? is_stack(a) && is_stack(b)
             : (is_stack(a) || is_shared_matrix(a)) && (is_stack(b) || is_shared_matrix(b));
  if (!fits)
    return fail(std::string(name) +
                (summed ? ": needs two stacks of per-example matrices: "
                        : ": a stack of per-example matrices multiplies a stack "
                          "or a shared matrix: ") +
                shown);
  const auto [m, ka] = op_dims(a, at.trans_a);
  const auto [kb, n] = op_dims(b, at.trans_b);
  if (ka != kb) return fail(std::string(name) + ": inner sizes differ: " + shown);
  const Shape s{m, n};
  return ok(summed ? IShape(s) : IShape::batched(s), in[0].dtype());
}

TypeResult matmul_sum_type(const OpInfo&, const Inputs& in, const Attrs& at) {
  const Node &a = in[0], &b = in[1];
  if (a.dtype() != b.dtype() || !is_float(a.dtype()))
    return fail("matmul_sum: operands must share a float dtype: " + describe(a) + " · " +
                describe(b));
  return per_example_product("matmul_sum", in, at, true);
}

TypeResult matmul_type(const OpInfo& info, const Inputs& in, const Attrs& at);

TypeResult matmul_acc_type(const OpInfo& info, const Inputs& in, const Attrs& at) {
  const Node& c = in[0];
  if (in[1].shape().rank() != 2 || in[2].shape().rank() != 2)
    return fail("matmul_acc: operands must be matrices: " + describe(in[1]) + " · " +
                describe(in[2]));
  TypeResult product = matmul_type(info, {in[1], in[2]}, at);
  if (!product.ok) return product;
  if (product.shape.has_batch() || !(product.shape == c.shape()) || product.dtype != c.dtype())
    return fail("matmul_acc: " + describe(c) + " + a product of another type");
  return product;
}

TypeResult matmul_type(const OpInfo&, const Inputs& in, const Attrs& at) {
  const Node &a = in[0], &b = in[1];
  if (a.dtype() != b.dtype() || !is_float(a.dtype()))
    return fail("matmul: operands must share a float dtype: " + describe(a) + " · " + describe(b));
  if (is_stack(a.shape()) || is_stack(b.shape()))
    return per_example_product("matmul", in, at, false);
  int ra = a.shape().rank(), rb = b.shape().rank();
  if ((ra == 1 && a.shape().has_batch()) || (rb == 1 && b.shape().has_batch()))
    return fail("matmul: a batch of scalars is not a vector: " + a.shape().str() + " · " +
                b.shape().str());
  if (ra < 1 || ra > 2 || rb < 1 || rb > 2)
    return fail("matmul: operands must be vectors or matrices: " + a.shape().str() + " · " +
                b.shape().str());
  // op(a) is [m, k] (or [k] for a vector); op(b) is [k, n] (or [k]).
  std::int64_t m = 0, ka, kb, n = 0;
  if (ra == 2) {
    m = at.trans_a ? a.shape()[1] : a.shape()[0];
    ka = at.trans_a ? a.shape()[0] : a.shape()[1];
  } else {
    ka = a.shape()[0];
  }
  if (rb == 2) {
    kb = at.trans_b ? b.shape()[1] : b.shape()[0];
    n = at.trans_b ? b.shape()[0] : b.shape()[1];
  } else {
    kb = b.shape()[0];
  }
  std::string shown =
      a.shape().str() + (at.trans_a ? "ᵀ" : "") + " · " + b.shape().str() + (at.trans_b ? "ᵀ" : "");
  if (ka != kb) return fail("matmul: inner sizes differ: " + shown);
  if (n == IShape::kBatch) return fail("matmul: the batch axis cannot become a column: " + shown);
  std::vector<std::int64_t> dims;
  if (ra == 2) dims.push_back(m);
  if (rb == 2) dims.push_back(n);
  bool batched = !dims.empty() && dims[0] == IShape::kBatch;
  if (batched) dims.erase(dims.begin());
  Shape s{std::span<const std::int64_t>(dims)};
  return ok(batched ? IShape::batched(s) : IShape(s), a.dtype());
}

// One axis reduced and kept with size 1.
TypeResult reduce_axis_type(const OpInfo& oi, const Inputs& in, const Attrs& at) {
  const Node& x = in[0];
  if (!is_float(x.dtype())) return fail(std::string(oi.name) + ": needs float data");
  const int first = x.shape().has_batch() ? 1 : 0;
  if (at.axis < first || at.axis >= x.shape().rank())
    return fail(std::string(oi.name) + ": axis " + std::to_string(at.axis) + " of " +
                x.shape().str());
  Shape e = x.shape().example();
  std::vector<std::int64_t> dims(e.begin(), e.end());
  dims[static_cast<std::size_t>(at.axis - first)] = 1;
  Shape s{std::span<const std::int64_t>(dims)};
  return ok(x.shape().has_batch() ? IShape::batched(s) : IShape(s), x.dtype());
}

// Parts joined along the last axis; the leading axes broadcast.
TypeResult concat_type(const OpInfo&, const Inputs& in, const Attrs&) {
  IShape lead;
  std::int64_t last = 0;
  for (const Node& p : in) {
    if (p.dtype() != in[0].dtype() || !is_float(p.dtype()))
      return fail("concat: parts must share a float dtype: " + describe(in[0]) + " and " +
                  describe(p));
    if (p.shape().rank() < 1 || p.shape()[p.shape().rank() - 1] == IShape::kBatch)
      return fail("concat: a part needs a last axis: " + p.shape().str());
    if (!broadcast(lead, p.shape().prefix(p.shape().rank() - 1), lead))
      return fail("concat: leading axes do not broadcast: " + lead.str() + " and " +
                  p.shape().str());
    last += p.shape()[p.shape().rank() - 1];
  }
  return ok(lead.with_last(last), in[0].dtype());
}

// x[start:stop] along one axis (not the batch axis).
TypeResult slice_type(const OpInfo&, const Inputs& in, const Attrs& at) {
  const Node& x = in[0];
  const int first = x.shape().has_batch() ? 1 : 0;
  if (at.axis < first || at.axis >= x.shape().rank() || at.start < 0 ||
      at.stop > x.shape()[at.axis] || at.start >= at.stop)
    return fail("slice: [" + std::to_string(at.start) + ":" + std::to_string(at.stop) +
                "] along axis " + std::to_string(at.axis) + " of " + x.shape().str());
  Shape e = x.shape().example();
  std::vector<std::int64_t> dims(e.begin(), e.end());
  dims[static_cast<std::size_t>(at.axis - first)] = at.stop - at.start;
  Shape s{std::span<const std::int64_t>(dims)};
  return ok(x.shape().has_batch() ? IShape::batched(s) : IShape(s), x.dtype());
}

TypeResult unslice_type(const OpInfo&, const Inputs& in, const Attrs& at) {
  const Node& x = in[0];
  const int first = x.shape().has_batch() ? 1 : 0;
  if (at.axis < first || at.axis >= x.shape().rank() || at.start < 0 ||
      at.start + x.shape()[at.axis] > at.size)
    return fail("unslice: " + x.shape().str() + " at " + std::to_string(at.start) + " along axis " +
                std::to_string(at.axis) + " into " + std::to_string(at.size));
  Shape e = x.shape().example();
  std::vector<std::int64_t> dims(e.begin(), e.end());
  dims[static_cast<std::size_t>(at.axis - first)] = at.size;
  Shape s{std::span<const std::int64_t>(dims)};
  return ok(x.shape().has_batch() ? IShape::batched(s) : IShape(s), x.dtype());
}

// where(c, a, b): one float dtype, the three shapes broadcast together.
TypeResult where_type(const OpInfo&, const Inputs& in, const Attrs&) {
  if (in[0].dtype() != in[1].dtype() || in[1].dtype() != in[2].dtype() || !is_float(in[0].dtype()))
    return fail("where: operands must share a float dtype: " + describe(in[0]) + ", " +
                describe(in[1]) + " and " + describe(in[2]));
  IShape ab, out;
  if (!broadcast(in[1].shape(), in[2].shape(), ab) || !broadcast(in[0].shape(), ab, out))
    return fail("where: shapes do not broadcast: " + in[0].shape().str() + ", " +
                in[1].shape().str() + " and " + in[2].shape().str());
  return ok(out, in[0].dtype());
}

TypeResult transpose_type(const OpInfo&, const Inputs& in, const Attrs&) {
  const Node& x = in[0];
  if (x.shape().rank() < 2) return ok(x.shape(), x.dtype());
  if (x.shape().has_batch() && x.shape().rank() == 2)
    return fail("transpose: cannot swap the batch axis of " + x.shape().str());
  return ok(x.shape().swapped_last_two(), x.dtype());
}

TypeResult gather_type(const OpInfo&, const Inputs& in, const Attrs&) {
  const Node &x = in[0], &idx = in[1];
  if (x.shape().rank() != 2 || x.shape().has_batch() || !is_float(x.dtype()))
    return fail("gather: needs a float matrix, got " + describe(x));
  if (idx.dtype() != DType::i32 || idx.shape().rank() != 1)
    return fail("gather: needs i32 indices of rank 1, got " + describe(idx));
  return ok(idx.shape().with_last(x.shape()[0]), x.dtype());
}

TypeResult scatter_type(const OpInfo&, const Inputs& in, const Attrs& at) {
  const Node &x = in[0], &idx = in[1];
  if (!is_float(x.dtype()) || x.shape().rank() != 2 || idx.shape().rank() != 1 ||
      x.shape()[0] != idx.shape()[0] || idx.dtype() != DType::i32 || at.size <= 0)
    return fail("scatter: needs g [b, m], i32 indices [b] and a size: " + describe(x) + ", " +
                describe(idx));
  return ok(IShape(Shape{x.shape()[1], at.size}), x.dtype());
}

TypeResult scatter_acc_type(const OpInfo&, const Inputs& in, const Attrs&) {
  const Node &c = in[0], &x = in[1], &idx = in[2];
  if (!is_float(c.dtype()) || c.shape().rank() != 2 || c.shape().has_batch() ||
      x.shape().rank() != 2 || idx.shape().rank() != 1 || x.shape()[0] != idx.shape()[0] ||
      idx.dtype() != DType::i32 || x.shape()[1] != c.shape()[0] || x.dtype() != c.dtype())
    return fail("scatter_acc: needs c [m, n], g [b, m] of c's dtype and i32 indices [b]: " +
                describe(c) + ", " + describe(x) + ", " + describe(idx));
  return ok(c.shape(), c.dtype());
}

TypeResult gather_rows_type(const OpInfo&, const Inputs& in, const Attrs&) {
  const Node &x = in[0], &idx = in[1];
  if (x.shape().rank() != 2 || x.shape().has_batch() || !is_float(x.dtype()))
    return fail("gather_rows: needs a float matrix, got " + describe(x));
  if (idx.dtype() != DType::i32)
    return fail("gather_rows: needs i32 indices, got " + describe(idx));
  return ok(idx.shape().with_last(x.shape()[1]), x.dtype());
}

TypeResult scatter_rows_type(const OpInfo&, const Inputs& in, const Attrs& at) {
  const Node &x = in[0], &idx = in[1];
  const int r = x.shape().rank();
  if (idx.dtype() != DType::i32 || !is_float(x.dtype()) || at.size <= 0 || r == 0 ||
      !(x.shape().prefix(r - 1) == idx.shape()))
    return fail("scatter_rows: needs g [..., m], i32 indices [...] and a size: " + describe(x) +
                ", " + describe(idx));
  return ok(IShape(Shape{at.size, x.shape()[r - 1]}), x.dtype());
}

TypeResult onehot_type(const OpInfo&, const Inputs& in, const Attrs& at) {
  const Node& x = in[0];
  if (x.dtype() != DType::i32 || at.size <= 0 || !is_float(at.dtype))
    return fail("onehot: needs i32 indices and a class count");
  return ok(x.shape().with_last(at.size), at.dtype);
}

TypeResult reshape_type(const OpInfo&, const Inputs& in, const Attrs& at) {
  const Node& x = in[0];
  if (x.shape().has_batch() != at.shape.has_batch() ||
      x.shape().example().numel() != at.shape.example().numel())
    return fail("reshape: cannot reshape " + x.shape().str() + " to " + at.shape.str());
  return ok(at.shape, x.dtype());
}

TypeResult expand_type(const OpInfo&, const Inputs& in, const Attrs& at) {
  const Node& x = in[0];
  IShape out;
  if (!broadcast(x.shape(), at.shape, out) || !(out == at.shape))
    return fail("expand: cannot broadcast " + x.shape().str() + " to " + at.shape.str());
  return ok(at.shape, x.dtype());
}

TypeResult sum_to_type(const OpInfo&, const Inputs& in, const Attrs& at) {
  const Node& x = in[0];
  IShape out;
  if (!broadcast(x.shape(), at.shape, out) || !(out == x.shape()))
    return fail("sum_to: cannot sum " + x.shape().str() + " to " + at.shape.str());
  return ok(at.shape, x.dtype());
}

TypeResult cast_type(const OpInfo&, const Inputs& in, const Attrs& at) {
  const Node& x = in[0];
  if (!is_float(x.dtype()) || !is_float(at.dtype)) return fail("cast: needs float data");
  return ok(x.shape(), at.dtype);
}

TypeResult batch_size_type(const OpInfo&, const Inputs& in, const Attrs&) {
  const Node& x = in[0];
  if (!x.shape().has_batch()) return fail("batch_size: " + x.shape().str() + " has no batch axis");
  return ok(IShape(), is_float(x.dtype()) ? x.dtype() : DType::f32);
}

// The noise ops: the shape and dtype they are given; the numbers checked.
TypeResult noise_type(const OpInfo& oi, const Inputs&, const Attrs& at) {
  if (!is_float(at.dtype)) return fail(std::string(oi.name) + ": needs a float dtype");
  const double a = at.noise[0], b = at.noise[1];
  if (oi.name == "dropout_mask" && !(a >= 0 && a < 1))
    return fail("dropout: the drop probability must be in [0, 1); got " + std::to_string(a));
  if (oi.name == "random_normal" && !(std::isfinite(a) && std::isfinite(b) && b >= 0))
    return fail("normal(μ, σ): μ must be finite and σ finite and ≥ 0");
  if (oi.name == "random_uniform" && !(std::isfinite(a) && std::isfinite(b) && a <= b))
    return fail("uniform(a, b): needs finite a ≤ b");
  return ok(at.shape, at.dtype);
}

}  // namespace

TypeResult infer_type(Op op, const std::vector<Node>& in, const Attrs& at) {
  const OpInfo& oi = info(op);
  switch (op) {
#define EQ_LEAF(name, ...) \
  case Op::name:           \
    return fail("leaves have no shape rule");
#define EQ_UNARY(name, ...) \
  case Op::name:            \
    return unary_type(oi, in, at);
#define EQ_BINARY(name, ...) \
  case Op::name:             \
    return binary_type(oi, in, at);
#define EQ_REDUCE(name, ...) \
  case Op::name:             \
    return reduce_type(oi, in, at);
#define EQ_SPECIAL(name, arity, flags, spellings, type_rule, ...) \
  case Op::name:                                                  \
    return type_rule(oi, in, at);
#include "eq/compiler/ir/ops.def"
  }
  return fail("no shape rule for " + std::string(oi.name));
}

}  // namespace eq::ir
