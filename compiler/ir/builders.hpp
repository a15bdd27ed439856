// Builders: C++ functions and operators that make graph nodes, so code that
// does not want strings can write `sigmoid(W·x + b)` as
// `sigmoid(matmul(W, x) + b)`. Each one calls Graph::make (checked,
// hash-consed). Numbers mixed with nodes become constants of the node's dtype.
#pragma once

#include "compiler/ir/graph.hpp"

namespace eq::ir {

// One builder per elementwise function of the op table (neg, sigmoid, tanh, …).
#define EQ_OP(name, arity, kind, flags, spellings, ...) EQ_OP_##kind(name)
#define EQ_OP_unary(name) Node name(Node x);
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

Node add(Node a, Node b);
Node sub(Node a, Node b);
Node mul(Node a, Node b);
Node div(Node a, Node b);
Node pow(Node a, Node b);
Node max(Node a, Node b);
Node min(Node a, Node b);
Node equal(Node a, Node b);  // 1 where a == b, else 0

// A constant like `like` (same graph and dtype).
Node constant_like(Node like, double value);

inline Node operator+(Node a, Node b) { return add(a, b); }
inline Node operator-(Node a, Node b) { return sub(a, b); }
inline Node operator*(Node a, Node b) { return mul(a, b); }
inline Node operator/(Node a, Node b) { return div(a, b); }
inline Node operator-(Node a) { return neg(a); }
inline Node operator+(Node a, double b) { return add(a, constant_like(a, b)); }
inline Node operator-(Node a, double b) { return sub(a, constant_like(a, b)); }
inline Node operator*(Node a, double b) { return mul(a, constant_like(a, b)); }
inline Node operator/(Node a, double b) { return div(a, constant_like(a, b)); }
inline Node operator+(double a, Node b) { return add(constant_like(b, a), b); }
inline Node operator-(double a, Node b) { return sub(constant_like(b, a), b); }
inline Node operator*(double a, Node b) { return mul(constant_like(b, a), b); }
inline Node operator/(double a, Node b) { return div(constant_like(b, a), b); }
Node pow(Node a, double b);

// Reductions over the trailing axes from `axis` on (default: every axis
// after the batch axis, i.e. one example's value — docs/language.md §5).
Node sum(Node x, int axis);
Node sum(Node x);
Node amax(Node x, int axis);
Node amax(Node x);
Node amin(Node x, int axis);
Node amin(Node x);
Node sum_last(Node x);  // over the last axis only
// The first axis a per-example reduction of x reduces.
int example_axis(Node x);

Node softmax(Node x);
Node logsoftmax(Node x);
// op(a)·op(b); vectors and matrices as numpy's matmul. Transposes are flags.
Node matmul(Node a, Node b, bool trans_a = false, bool trans_b = false);
Node transpose(Node x);
Node gather(Node w, Node indices);
Node scatter(Node g, Node indices, std::int64_t columns);
Node onehot(Node indices, std::int64_t classes, DType dtype);
Node reshape(Node x, IShape shape);
Node expand(Node x, IShape shape);
Node sum_to(Node x, IShape shape);
Node cast(Node x, DType dtype);

// g, the result of a reduction of `like` over trailing axes, given back
// `like`'s shape: trailing axes of size 1 added, then broadcast.
Node expand_back(Node g, Node like);
// The batch size B of a batched x, as a scalar of x's dtype (mean over a batch).
Node batch_size(Node x);

}  // namespace eq::ir
