#include "compiler/ir/builders.hpp"

namespace eq::ir {

#define EQ_OP(name, arity, kind, flags, spellings, ...) EQ_OP_##kind(name)
#define EQ_OP_unary(name) \
  Node name(Node x) { return x.graph().make(Op::name, {x}); }
#define EQ_OP_leaf(name)
#define EQ_OP_binary(name)
#define EQ_OP_reduce(name)
#define EQ_OP_special(name)
#include "compiler/ir/ops.def"
#undef EQ_OP
#undef EQ_OP_unary
#undef EQ_OP_leaf
#undef EQ_OP_binary
#undef EQ_OP_reduce
#undef EQ_OP_special

namespace {
Node make2(Op op, Node a, Node b) { return a.graph().make(op, {a, b}); }
Node make1(Op op, Node x, Attrs attrs) { return x.graph().make(op, {x}, attrs); }
}  // namespace

Node add(Node a, Node b) { return make2(Op::add, a, b); }
Node sub(Node a, Node b) { return make2(Op::sub, a, b); }
Node mul(Node a, Node b) { return make2(Op::mul, a, b); }
Node div(Node a, Node b) { return make2(Op::div, a, b); }
Node pow(Node a, Node b) { return make2(Op::pow, a, b); }
Node max(Node a, Node b) { return make2(Op::max, a, b); }
Node min(Node a, Node b) { return make2(Op::min, a, b); }
Node equal(Node a, Node b) { return make2(Op::eq, a, b); }
Node pow(Node a, double b) { return pow(a, constant_like(a, b)); }

Node constant_like(Node like, double value) {
  DType t = like.dtype() == DType::i32 ? like.graph().dtype() : like.dtype();
  return like.graph().constant(value, t);
}

int example_axis(Node x) { return x.shape().has_batch() ? 1 : 0; }

namespace {
Node reduce(Op op, Node x, int axis) {
  Attrs a;
  a.axis = axis;
  return make1(op, x, a);
}
}  // namespace

Node sum(Node x, int axis) { return reduce(Op::sum, x, axis); }
Node sum(Node x) { return sum(x, example_axis(x)); }
Node amax(Node x, int axis) { return reduce(Op::amax, x, axis); }
Node amax(Node x) { return amax(x, example_axis(x)); }
Node amin(Node x, int axis) { return reduce(Op::amin, x, axis); }
Node amin(Node x) { return amin(x, example_axis(x)); }
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

Node transpose(Node x) { return make1(Op::transpose, x, {}); }
Node gather(Node w, Node indices) { return make2(Op::gather, w, indices); }

Node scatter(Node g, Node indices, std::int64_t columns) {
  Attrs a;
  a.size = columns;
  return g.graph().make(Op::scatter, {g, indices}, a);
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

Node expand_back(Node g, Node like) {
  int missing = like.shape().rank() - g.shape().rank();
  return expand(reshape(g, g.shape().with_ones(missing)), like.shape());
}

Node batch_size(Node x) { return make1(Op::batch_size, x, {}); }

}  // namespace eq::ir
