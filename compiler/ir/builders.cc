#include "eq/compiler/ir/builders.hpp"

namespace eq::ir {

namespace {
Node make1(Op op, Node x, Attrs attrs) { return x.graph().make(op, {x}, attrs); }
Node reduce(Op op, Node x, int axis) {
  Attrs a;
  a.axis = axis;
  return make1(op, x, a);
}
}  // namespace

#define EQ_UNARY(name, ...) \
  Node name(Node x) { return x.graph().make(Op::name, {x}); }
#define EQ_BINARY(name, ...) \
  Node name(Node a, Node b) { return a.graph().make(Op::name, {a, b}); }
#define EQ_REDUCE(name, ...)                                        \
  Node name(Node x, int axis) { return reduce(Op::name, x, axis); } \
  Node name(Node x) { return reduce(Op::name, x, example_axis(x)); }
#define EQ_REDUCE_AXIS(name, ...) \
  Node name(Node x, int axis) { return reduce(Op::name, x, axis); }
#include "eq/compiler/ir/ops.def"

Node pow(Node a, double b) { return pow(a, constant_like(a, b)); }

Node constant_like(Node like, double value) {
  DType t = like.dtype() == DType::i32 ? like.graph().dtype() : like.dtype();
  return like.graph().constant(value, t);
}

int example_axis(Node x) { return x.shape().has_batch() ? 1 : 0; }

Node sum_last(Node x) { return sum(x, x.shape().rank() - 1); }

Node softmax(Node x) { return make1(Op::softmax, x, {}); }
Node logsoftmax(Node x) { return make1(Op::logsoftmax, x, {}); }

Node matmul(Node a, Node b, bool trans_a, bool trans_b) {
  Attrs at;
  // A vector has no transpose: the flag is meaningless there, so drop it and
  // keep one node per product.
  if (a.shape().rank() < 2) trans_a = false;
  if (b.shape().rank() < 2) trans_b = false;
  at.trans_a = trans_a;
  at.trans_b = trans_b;
  return a.graph().make(Op::matmul, {a, b}, at);
}

Node matmul_acc(Node c, Node a, Node b, bool trans_a, bool trans_b) {
  Attrs at;
  at.trans_a = trans_a;
  at.trans_b = trans_b;
  return c.graph().make(Op::matmul_acc, {c, a, b}, at);
}

Node matmul_sum(Node a, Node b, bool trans_a, bool trans_b) {
  Attrs at;
  at.trans_a = trans_a;
  at.trans_b = trans_b;
  return a.graph().make(Op::matmul_sum, {a, b}, at);
}

Node transpose(Node x) { return make1(Op::transpose, x, {}); }
Node gather(Node w, Node indices) { return w.graph().make(Op::gather, {w, indices}); }

Node scatter(Node g, Node indices, std::int64_t columns) {
  Attrs a;
  a.size = columns;
  return g.graph().make(Op::scatter, {g, indices}, a);
}

Node gather_rows(Node w, Node indices) { return w.graph().make(Op::gather_rows, {w, indices}); }

Node scatter_acc(Node c, Node g, Node indices) {
  return c.graph().make(Op::scatter_acc, {c, g, indices}, Attrs{});
}

Node scatter_rows(Node g, Node indices, std::int64_t rows) {
  Attrs a;
  a.size = rows;
  return g.graph().make(Op::scatter_rows, {g, indices}, a);
}

Node lookup(Node indices, Node w, bool trans_w) {
  if (!trans_w) return gather_rows(w, indices);
  if (indices.shape().rank() == 1) return gather(w, indices);
  return gather_rows(transpose(w), indices);
}

Node onehot(Node indices, std::int64_t classes, DType dtype) {
  Attrs a;
  a.size = classes;
  a.dtype = dtype;
  return make1(Op::onehot, indices, a);
}

Node reshape(Node x, IShape shape) {
  if (x.shape() == shape) return x;
  Attrs a;
  a.shape = shape;
  return make1(Op::reshape, x, a);
}

Node expand(Node x, IShape shape) {
  if (x.shape() == shape) return x;
  Attrs a;
  a.shape = shape;
  return make1(Op::expand, x, a);
}

Node sum_to(Node x, IShape shape) {
  if (x.shape() == shape) return x;
  Attrs a;
  a.shape = shape;
  return make1(Op::sum_to, x, a);
}

Node cast(Node x, DType dtype) {
  if (x.dtype() == dtype) return x;
  Attrs a;
  a.dtype = dtype;
  return make1(Op::cast, x, a);
}

Node concat(std::vector<Node> parts) {
  // A program's mistakes are eq::Errors (an empty list crashed, a null part
  // came back as the result).
  if (parts.empty()) throw Error("concat of no parts: give it at least one node");
  for (const Node& p : parts)
    if (!p)
      throw Error(
          "a part of concat is a null eq::Node (a default-constructed Node, or a "
          "gradient that does not exist)");
  if (parts.size() == 1) return parts[0];
  Graph& g = parts[0].graph();
  return g.make(Op::concat, std::move(parts));
}

namespace {

// `axis` of x, for slice and unslice: an axis x has, else an eq::Error (it
// was an internal error, "IShape axis out of range", for a program's mistake).
void check_axis(const Node& x, int axis, const char* what) {
  if (!x)
    throw Error(std::string("the input of ") + what +
                " is a null eq::Node (a default-constructed Node, or a gradient that does "
                "not exist)");
  if (axis < 0 || axis >= x.shape().rank())
    throw Error(std::string(what) + ": axis " + std::to_string(axis) + " is out of range for " +
                x.shape().str() + " (axes 0 to " + std::to_string(x.shape().rank() - 1) + ")");
}

}  // namespace

Node slice(Node x, int axis, std::int64_t start, std::int64_t stop) {
  check_axis(x, axis, "slice");
  if (start == 0 && stop == x.shape()[axis]) return x;
  Attrs a;
  a.axis = axis;
  a.start = start;
  a.stop = stop;
  return make1(Op::slice, x, a);
}

Node unslice(Node x, int axis, std::int64_t start, std::int64_t size) {
  check_axis(x, axis, "unslice");
  if (start == 0 && size == x.shape()[axis]) return x;
  Attrs a;
  a.axis = axis;
  a.start = start;
  a.size = size;
  return make1(Op::unslice, x, a);
}

Node where(Node c, Node a, Node b) { return c.graph().make(Op::where, {c, a, b}); }

Node expand_back(Node g, Node like) {
  int missing = like.shape().rank() - g.shape().rank();
  return expand(reshape(g, g.shape().with_ones(missing)), like.shape());
}

Node batch_size(Node x) { return make1(Op::batch_size, x, {}); }

namespace {
Node noise(Graph& g, Op op, IShape shape, double a, double b, std::uint64_t stream) {
  Attrs at;
  at.shape = shape;
  at.dtype = g.dtype();
  at.noise[0] = a;
  at.noise[1] = b;
  at.stream = stream;
  return g.make(op, {}, at);
}
}  // namespace

Node random_normal(Graph& g, IShape shape, double mean, double stddev, std::uint64_t stream) {
  return noise(g, Op::random_normal, shape, mean, stddev, stream);
}
Node random_uniform(Graph& g, IShape shape, double lo, double hi, std::uint64_t stream) {
  return noise(g, Op::random_uniform, shape, lo, hi, stream);
}
Node dropout_mask(Graph& g, IShape shape, double p, std::uint64_t stream) {
  return noise(g, Op::dropout_mask, shape, p, 0, stream);
}
Node dropout(Node x, double p, std::uint64_t stream) {
  return x * dropout_mask(x.graph(), x.shape(), p, stream);
}

}  // namespace eq::ir
