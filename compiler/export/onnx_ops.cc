// The ONNX row of every op. Where ONNX has no operator of the same meaning
// the emitter composes one from a few; each says why the composition holds.
// Numerics: log1p and expm1 become Log(1 + x) and Exp(x) − 1, which lose
// relative accuracy near 0 but keep the absolute error at a float's epsilon.
#include "eq/compiler/export/onnx_ops.hpp"

#include <array>

#include "eq/grammar/diagnostics.hpp"
#include "eq/runtime/error.hpp"

namespace eq::onnx_export {
namespace {

using ir::Node;
using ir::Op;

// Rows whose ONNX text is one operator of the same meaning.
void direct(const Emit& e) { e.g.op(std::string(onnx_row(e.n.op()).onnx), e.in, e.out); }

void constant(const Emit& e) {
  e.g.add("Identity", {e.g.scalar(e.n.attrs().value, e.n.dtype())}, {e.out});
}

void log1p(const Emit& e) {
  e.g.op("Log", {e.g.op("Add", {e.in[0], e.g.scalar(1, e.n.dtype())})}, e.out);
}

void expm1(const Emit& e) {
  e.g.op("Sub", {e.g.op("Exp", {e.in[0]}), e.g.scalar(1, e.n.dtype())}, e.out);
}

void square(const Emit& e) { e.g.op("Mul", {e.in[0], e.in[0]}, e.out); }

// step(x) = 1 where x > 0, else 0 (as the kernel: runtime/scalar_math.hpp).
void step(const Emit& e) {
  set_int(e.g.add("Cast", {e.g.op("Greater", {e.in[0], e.g.scalar(0, e.n.dtype())})}, {e.out}),
          "to", onnx_type(e.n.dtype()));
}

void equal(const Emit& e) {
  set_int(e.g.add("Cast", {e.g.op("Equal", e.in)}, {e.out}), "to", onnx_type(e.n.dtype()));
}

// The trailing axes [axis, rank) of a reduction.
std::vector<std::int64_t> trailing_axes(const Emit& e) {
  std::vector<std::int64_t> axes;
  for (int a = e.n.attrs().axis; a < e.n.input(0).shape().rank(); ++a) axes.push_back(a);
  return axes;
}

// Opset 17: ReduceSum takes its axes as an input, ReduceMax / ReduceMin as
// an attribute (until opset 18). No axes is no reduction, not "all axes".
void reduce(const Emit& e) {
  const std::vector<std::int64_t> axes = trailing_axes(e);
  if (axes.empty()) {
    e.g.op("Identity", e.in, e.out);
    return;
  }
  const std::string op(onnx_row(e.n.op()).onnx);
  onnx::NodeProto& n = op == "ReduceSum" ? e.g.add(op, {e.in[0], e.g.int64s(axes)}, {e.out})
                                         : e.g.add(op, {e.in[0]}, {e.out});
  if (op != "ReduceSum") set_ints(n, "axes", axes);
  set_int(n, "keepdims", 0);
}

void last_axis(const Emit& e) {
  set_int(e.g.add(std::string(onnx_row(e.n.op()).onnx), e.in, {e.out}), "axis", -1);
}

// Swaps the last two axes of a value of rank ≥ 2.
std::string swap_last_two(OnnxGraph& g, const std::string& x, int rank,
                          const std::string& out = "") {
  std::vector<std::int64_t> perm;
  for (int a = 0; a < rank; ++a) perm.push_back(a);
  std::swap(perm[static_cast<std::size_t>(rank - 2)], perm[static_cast<std::size_t>(rank - 1)]);
  onnx::NodeProto& n = g.add("Transpose", {x}, {out.empty() ? g.fresh() : out});
  set_ints(n, "perm", perm);
  return n.output(0);
}

void transpose(const Emit& e) {
  const int rank = e.n.input(0).shape().rank();
  if (rank < 2)
    e.g.op("Identity", e.in, e.out);  // a vector is its own transpose (numpy)
  else
    swap_last_two(e.g, e.in[0], rank, e.out);
}

// op(a)·op(b), each of rank 1 or 2 (numpy matmul), or per-example products
// with a stack [B, r, c] (ONNX MatMul broadcasts a shared matrix over the
// stack as numpy does). Two rank-2 matrices are one Gemm with its transpose
// flags; otherwise a transposed matrix operand is a Transpose of its last
// two axes before MatMul (a vector's transpose is itself).
std::string product(const Emit& e, const std::string& out = "") {
  const ir::Attrs& at = e.n.attrs();
  const int ra = e.n.input(0).shape().rank(), rb = e.n.input(1).shape().rank();
  std::string a = at.trans_a && ra >= 2 ? swap_last_two(e.g, e.in[0], ra) : e.in[0];
  std::string b = at.trans_b && rb >= 2 ? swap_last_two(e.g, e.in[1], rb) : e.in[1];
  return e.g.op("MatMul", {a, b}, out);
}

// Σ over the batch of the per-example products: MatMul, then ReduceSum over
// axis 0 (only training programs hold it, but a graph may be exported whole).
void matmul_sum(const Emit& e) {
  onnx::NodeProto& n = e.g.add("ReduceSum", {product(e), e.g.int64s({0})}, {e.out});
  set_int(n, "keepdims", 0);
}

// [a, b, …] along the last axis: each part first expanded to the result's
// leading axes (a shared row joins a batch; Expand broadcasts as numpy).
void concat(const Emit& e) {
  const ir::IShape& whole = e.n.shape();
  std::vector<std::string> parts;
  for (int i = 0; i < e.n.arity(); ++i) {
    const ir::IShape& s = e.n.input(i).shape();
    const ir::IShape target = whole.prefix(whole.rank() - 1).with_last(s[s.rank() - 1]);
    if (s == target) {
      parts.push_back(e.in[static_cast<std::size_t>(i)]);
      continue;
    }
    parts.push_back(e.g.op("Expand", {e.in[static_cast<std::size_t>(i)],
                                      e.g.shape_operand(target, s.has_batch() ? 1 : -1)}));
  }
  set_int(e.g.add("Concat", parts, {e.out}), "axis", -1);
}

void matmul(const Emit& e) {
  const ir::Attrs& at = e.n.attrs();
  const int ra = e.n.input(0).shape().rank(), rb = e.n.input(1).shape().rank();
  const bool stacks = e.n.shape().has_batch() && e.n.shape().rank() == 3;
  if (ra == 2 && rb == 2 && !stacks) {
    onnx::NodeProto& n = e.g.add("Gemm", e.in, {e.out});
    if (at.trans_a) set_int(n, "transA", 1);
    if (at.trans_b) set_int(n, "transB", 1);
    return;
  }
  product(e, e.out);
}

// c + op(a)·op(b), matrices: Gemm's own C term (α = β = 1).
void matmul_acc(const Emit& e) {
  onnx::NodeProto& n = e.g.add("Gemm", {e.in[1], e.in[2], e.in[0]}, {e.out});
  if (e.n.attrs().trans_a) set_int(n, "transA", 1);
  if (e.n.attrs().trans_b) set_int(n, "transB", 1);
}

// 1.0 where idx == k for k in [0, classes), along a new last axis: a one-hot
// row per index, of `dtype`.
std::string one_hot(OnnxGraph& g, const std::string& idx, std::int64_t classes, DType dtype,
                    const std::string& out = "") {
  onnx::NodeProto& u = g.add("Unsqueeze", {idx, g.int64s({-1})}, {g.fresh()});
  std::string hit = g.op("Equal", {u.output(0), g.int32_range(classes)});
  onnx::NodeProto& c = g.add("Cast", {hit}, {out.empty() ? g.fresh() : out});
  set_int(c, "to", onnx_type(dtype));
  return c.output(0);
}

void onehot(const Emit& e) { one_hot(e.g, e.in[0], e.n.attrs().size, e.n.dtype(), e.out); }

// gather(w [m, k], idx [b]) → [b, m]: column idx[i] of w is row i, i.e.
// the rows of wᵀ that idx picks.
void gather(const Emit& e) {
  std::string wt = swap_last_two(e.g, e.in[0], 2);
  set_int(e.g.add("Gather", {wt, e.in[1]}, {e.out}), "axis", 0);
}

// scatter(g [b, m], idx [b]) → [m, size]: column idx[i] gets g's row i,
// summed over repeats — gᵀ · onehot(idx), exactly gather's adjoint.
void scatter(const Emit& e) {
  const Node& g = e.n.input(0);
  std::string hot = one_hot(e.g, e.in[1], e.n.attrs().size, g.dtype());
  e.g.op("MatMul", {swap_last_two(e.g, e.in[0], 2), hot}, e.out);
}

// scatter_acc(c, g, idx) = c + gᵀ·onehot(idx): Gemm with C, as matmul_acc.
void scatter_acc(const Emit& e) {
  std::string hot = one_hot(e.g, e.in[2], e.n.shape()[1], e.n.input(1).dtype());
  set_int(e.g.add("Gemm", {e.in[1], hot, e.in[0]}, {e.out}), "transA", 1);
}

// gather_rows(w [n, m], idx [...]) → [..., m]: ONNX's own Gather on axis 0.
void gather_rows(const Emit& e) {
  set_int(e.g.add("Gather", {e.in[0], e.in[1]}, {e.out}), "axis", 0);
}

// scatter_rows(g [..., m], idx [...]) → [size, m]: row idx[i] gets g's row i,
// summed over repeats — onehot(idx)ᵀ · g over the flattened indices.
void scatter_rows(const Emit& e) {
  const Node& g = e.n.input(0);
  const std::int64_t m = g.shape()[g.shape().rank() - 1];
  std::string idx = e.g.op("Reshape", {e.in[1], e.g.int64s({-1})});
  std::string rows = e.g.op("Reshape", {e.in[0], e.g.int64s({-1, m})});
  std::string hot = one_hot(e.g, idx, e.n.attrs().size, g.dtype());
  e.g.op("MatMul", {swap_last_two(e.g, hot, 2), rows}, e.out);
}

// The batch axis of a reshape target is the input's own (both are batched
// or neither is: reshape_type), so its size is "copy the input's" (0).
void reshape(const Emit& e) {
  e.g.op("Reshape", {e.in[0], e.g.shape_operand(e.n.attrs().shape, 0)}, e.out);
}

// Expand broadcasts both ways: a size-1 target axis keeps the input's
// size. So a batched input keeps its batch with 1; an unbatched one
// expanded to a batched shape needs the run-time batch size.
void expand(const Emit& e) {
  const bool input_batched = e.n.input(0).shape().has_batch();
  e.g.op("Expand", {e.in[0], e.g.shape_operand(e.n.attrs().shape, input_batched ? 1 : -1)}, e.out);
}

// sum_to(x, shape): sum the axes broadcasting added (leading ones) or
// stretched (size 1 in the target), keeping them, then drop the leading
// ones with a Reshape (whose batch axis, when the target has one, is
// still x's axis 0: a batched target means no axis was added in front).
void sum_to(const Emit& e) {
  const ir::IShape& from = e.n.input(0).shape();
  const ir::IShape& to = e.n.attrs().shape;
  const int lead = from.rank() - to.rank();
  std::vector<std::int64_t> axes;
  for (int a = 0; a < from.rank(); ++a)
    if (a < lead || from[a] != to[a - lead]) axes.push_back(a);
  std::string summed = e.in[0];
  if (!axes.empty()) {
    onnx::NodeProto& n = e.g.add("ReduceSum", {e.in[0], e.g.int64s(axes)}, {e.g.fresh()});
    set_int(n, "keepdims", 1);
    summed = n.output(0);
  }
  e.g.op("Reshape", {summed, e.g.shape_operand(to, 0)}, e.out);
}

void cast(const Emit& e) {
  set_int(e.g.add("Cast", e.in, {e.out}), "to", onnx_type(e.n.attrs().dtype));
}

// The batch size as a scalar of the node's dtype.
void batch_size(const Emit& e) {
  onnx::NodeProto& c = e.g.add("Cast", {e.g.batch()}, {e.g.fresh()});
  set_int(c, "to", onnx_type(e.n.dtype()));
  e.g.op("Squeeze", {c.output(0), e.g.int64s({0})}, e.out);
}

// Comparisons: 1 or 0 in the node's dtype, as eq computes them.
void compare(const Emit& e) {
  std::string test;
  switch (e.n.op()) {
    case Op::ne:
      test = e.g.op("Not", {e.g.op("Equal", e.in)});
      break;
    case Op::lt:
      test = e.g.op("Less", e.in);
      break;
    case Op::gt:
      test = e.g.op("Greater", e.in);
      break;
    case Op::le:
      test = e.g.op("LessOrEqual", e.in);
      break;
    default:
      test = e.g.op("GreaterOrEqual", e.in);
      break;
  }
  set_int(e.g.add("Cast", {test}, {e.out}), "to", onnx_type(e.n.dtype()));
}

// gelu(x) = x/2 · (1 + erf(x/√2)): opset 17 has no Gelu.
void gelu(const Emit& e) {
  const std::string scaled = e.g.op("Mul", {e.in[0], e.g.scalar(0.7071067811865476, e.n.dtype())});
  const std::string one_plus = e.g.op("Add", {e.g.op("Erf", {scaled}), e.g.scalar(1, e.n.dtype())});
  e.g.op("Mul", {e.g.op("Mul", {e.in[0], e.g.scalar(0.5, e.n.dtype())}), one_plus}, e.out);
}

// where(c, a, b): c ≠ 0 picks a.
void where(const Emit& e) {
  onnx::NodeProto& c = e.g.add("Cast", {e.in[0]}, {e.g.fresh()});
  set_int(c, "to", onnx::TensorProto::BOOL);
  e.g.op("Where", {c.output(0), e.in[1], e.in[2]}, e.out);
}

// One axis, kept with size 1 (ReduceSum takes its axes as an input in opset 17).
void reduce_axis(const Emit& e) {
  const std::vector<std::int64_t> axes{e.n.attrs().axis};
  const std::string op(onnx_row(e.n.op()).onnx);
  onnx::NodeProto& n = op == "ReduceSum" ? e.g.add(op, {e.in[0], e.g.int64s(axes)}, {e.out})
                                         : e.g.add(op, {e.in[0]}, {e.out});
  if (op != "ReduceSum") set_ints(n, "axes", axes);
  set_int(n, "keepdims", 1);
}

void slice(const Emit& e) {
  const ir::Attrs& a = e.n.attrs();
  e.g.op("Slice", {e.in[0], e.g.int64s({a.start}), e.g.int64s({a.stop}), e.g.int64s({a.axis})},
         e.out);
}

// Noise: zeros of the node's (run-time) shape, then RandomNormalLike /
// RandomUniformLike of them. ONNX Runtime draws its own numbers: the
// distribution is the same, the values are not eq's (Philox) ones.
void noise(const Emit& e) {
  const ir::Attrs& a = e.n.attrs();
  const std::string zeros = e.g.op("ConstantOfShape", {e.g.shape_operand(a.shape, -1)});
  const bool normal = e.n.op() == Op::random_normal;
  onnx::NodeProto& n = e.g.add(normal ? "RandomNormalLike" : "RandomUniformLike", {zeros}, {e.out});
  set_int(n, "dtype", onnx_type(e.n.dtype()));
  set_float(n, normal ? "mean" : "low", a.noise[0]);
  set_float(n, normal ? "scale" : "high", a.noise[1]);
}

// One row per op, in ops.def's order (checked below).
constexpr OnnxRow kRows[] = {
    {Op::input, "a graph input (bound by the exporter)", nullptr},
    {Op::param, "an initializer (bound by the exporter)", nullptr},
    {Op::constant, "Constant", constant},
    {Op::neg, "Neg", direct},
    {Op::sigmoid, "Sigmoid", direct},
    {Op::tanh, "Tanh", direct},
    {Op::relu, "Relu", direct},
    {Op::softplus, "Softplus", direct},
    {Op::exp, "Exp", direct},
    {Op::log, "Log", direct},
    {Op::log1p, "Log(Add(x, 1))", log1p},
    {Op::expm1, "Sub(Exp(x), 1)", expm1},
    {Op::sqrt, "Sqrt", direct},
    {Op::abs, "Abs", direct},
    {Op::sin, "Sin", direct},
    {Op::cos, "Cos", direct},
    {Op::square, "Mul(x, x)", square},
    {Op::sign, "Sign", direct},
    {Op::step, "Cast(Greater(x, 0))", step},
    {Op::floor, "Floor", direct},
    {Op::recip, "Reciprocal", direct},
    {Op::erf, "Erf", direct},
    {Op::gelu, "Mul(x/2, Add(1, Erf(x/√2)))", gelu},
    {Op::gelu_grad, "a gradient helper: prediction programs do not hold it", nullptr},
    {Op::elu, "Elu", direct},
    {Op::elu_grad, "a gradient helper: prediction programs do not hold it", nullptr},
    {Op::add, "Add", direct},
    {Op::sub, "Sub", direct},
    {Op::mul, "Mul", direct},
    {Op::div, "Div", direct},
    {Op::pow, "Pow", direct},
    {Op::max, "Max", direct},
    {Op::min, "Min", direct},
    {Op::eq, "Cast(Equal(a, b))", equal},
    {Op::ne, "Cast(Not(Equal(a, b)))", compare},
    {Op::lt, "Cast(Less(a, b))", compare},
    {Op::gt, "Cast(Greater(a, b))", compare},
    {Op::le, "Cast(LessOrEqual(a, b))", compare},
    {Op::ge, "Cast(GreaterOrEqual(a, b))", compare},
    {Op::leaky_relu, "PRelu", direct},
    {Op::leaky_relu_grad, "a gradient helper: prediction programs do not hold it", nullptr},
    {Op::sum, "ReduceSum", reduce},
    {Op::amax, "ReduceMax", reduce},
    {Op::amin, "ReduceMin", reduce},
    {Op::logsumexp, "ReduceLogSumExp", reduce},
    {Op::sum_axis, "ReduceSum", reduce_axis},
    {Op::amax_axis, "ReduceMax", reduce_axis},
    {Op::amin_axis, "ReduceMin", reduce_axis},
    {Op::logsumexp_axis, "ReduceLogSumExp", reduce_axis},
    {Op::where, "Where(Cast(c, bool), a, b)", where},
    {Op::softmax, "Softmax", last_axis},
    {Op::logsoftmax, "LogSoftmax", last_axis},
    {Op::matmul, "Gemm, or MatMul after Transpose", matmul},
    {Op::matmul_sum, "ReduceSum(MatMul(…), axis 0)", matmul_sum},
    {Op::matmul_acc, "Gemm with C", matmul_acc},
    {Op::transpose, "Transpose", transpose},
    {Op::gather, "Gather(Transpose(w), idx)", gather},
    {Op::scatter, "MatMul(Transpose(g), onehot(idx))", scatter},
    {Op::scatter_acc, "Gemm(g, onehot(idx), c), transA", scatter_acc},
    {Op::gather_rows, "Gather(w, idx, axis 0)", gather_rows},
    {Op::scatter_rows, "MatMul(Transpose(onehot(idx)), g)", scatter_rows},
    {Op::onehot, "Cast(Equal(Unsqueeze(idx), 0..n-1))", onehot},
    {Op::concat, "Concat(Expand(part), …)", concat},
    {Op::slice, "Slice", slice},
    {Op::unslice, "a gradient helper: prediction programs do not hold it", nullptr},
    {Op::reshape, "Reshape", reshape},
    {Op::expand, "Expand", expand},
    {Op::sum_to, "Reshape(ReduceSum(x, keepdims))", sum_to},
    {Op::cast, "Cast", cast},
    {Op::batch_size, "Squeeze(Cast(Shape(x)[0]))", batch_size},
    {Op::random_normal, "RandomNormalLike(ConstantOfShape(shape))", noise},
    {Op::random_uniform, "RandomUniformLike(ConstantOfShape(shape))", noise},
    {Op::dropout_mask, "training only: programs that do not train replace it by 1", nullptr},
};

// Every op of ops.def has its row, at its enumerator's index: adding an op
// there without a row here (or out of order) fails the build.
constexpr Op kOps[] = {
#define EQ_OP(name, ...) Op::name,
#include "eq/compiler/ir/ops.def"
};
static_assert(std::size(kRows) == std::size(kOps),
              "every op of compiler/ir/ops.def needs its ONNX row in compiler/export/onnx_ops.cc");
constexpr bool rows_in_order() {
  for (std::size_t i = 0; i < std::size(kOps); ++i)
    if (kRows[i].op != kOps[i]) return false;
  return true;
}
static_assert(rows_in_order(), "the ONNX rows must follow compiler/ir/ops.def's order");

}  // namespace

const OnnxRow& onnx_row(ir::Op op) { return kRows[static_cast<std::size_t>(op)]; }

void cannot_export(const ir::Node& n, std::string_view why) {
  const std::string message =
      "cannot export op " + std::string(ir::op_name(n.op())) + " to ONNX: " + std::string(why);
  throw Error(ir::error_at(n.data().origin, message, "eqc export"));
}

}  // namespace eq::onnx_export
