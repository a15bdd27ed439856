// Builders: C++ functions and operators that make graph nodes, so code that
// does not want strings can write `sigmoid(W·x + b)` as
// `sigmoid(matmul(W, x) + b)`. Each one calls Graph::make (checked,
// hash-consed). Numbers mixed with nodes become constants of the node's dtype.
#pragma once

#include "eq/compiler/ir/graph.hpp"

namespace eq::ir {

// One builder per unary, binary and reduce row of the op table, named after
// it: neg(x), sigmoid(x), …, add(a, b), …, sum(x, axis) and sum(x). A
// reduction without an axis reduces one example (every axis after the batch
// axis, docs/language.md §5).
#define EQ_UNARY(name, ...) Node name(Node x);
#define EQ_BINARY(name, ...) Node name(Node a, Node b);
#define EQ_REDUCE(name, ...)   \
  Node name(Node x, int axis); \
  Node name(Node x);
// The one-axis reductions: `axis` as stored (a batched value's batch is axis 0).
#define EQ_REDUCE_AXIS(name, ...) Node name(Node x, int axis);
#include "eq/compiler/ir/ops.def"

// 1 where a == b, else 0: the builder of the `eq` row under a readable name.
inline Node equal(Node a, Node b) { return eq(a, b); }

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

Node sum_last(Node x);  // over the last axis only
// The first axis a per-example reduction of x reduces.
int example_axis(Node x);

// The special rows' builders, written by hand (their attributes differ).
Node softmax(Node x);
Node logsoftmax(Node x);
// op(a)·op(b); vectors and matrices as numpy's matmul. Transposes are flags.
Node matmul(Node a, Node b, bool trans_a = false, bool trans_b = false);
// Σ over the batch of op(a_b)·op(b_b), two stacks of per-example matrices.
Node matmul_sum(Node a, Node b, bool trans_a = false, bool trans_b = false);
// c + op(a)·op(b), matrices only, an unbatched result of c's type.
Node matmul_acc(Node c, Node a, Node b, bool trans_a = false, bool trans_b = false);
Node transpose(Node x);
Node gather(Node w, Node indices);
Node scatter(Node g, Node indices, std::int64_t columns);
// c + scatter(g, indices, c's columns): c is [m, n], g [b, m].
Node scatter_acc(Node c, Node g, Node indices);
// The rows of w [n, m] that indices (i32, any shape) name, and the adjoint.
Node gather_rows(Node w, Node indices);
Node scatter_rows(Node g, Node indices, std::int64_t rows);
// onehot(indices)·op(w) without the one-hot: the rows of w, or with trans_w
// the columns of w (a column gather for one index per example, else the
// rows of wᵀ).
Node lookup(Node indices, Node w, bool trans_w);
Node onehot(Node indices, std::int64_t classes, DType dtype);
Node reshape(Node x, IShape shape);
Node expand(Node x, IShape shape);
Node sum_to(Node x, IShape shape);
Node cast(Node x, DType dtype);
// Parts joined along the last axis (leading axes broadcast).
Node concat(std::vector<Node> parts);
// x[start:stop] along `axis` (as stored), the axis kept.
Node slice(Node x, int axis, std::int64_t start, std::int64_t stop);
// Zeros with x's shape but `size` along `axis`, x placed at start there.
Node unslice(Node x, int axis, std::int64_t start, std::int64_t size);
// a where c ≠ 0, else b (c is 1 / 0 data in the float dtype, as comparisons give).
Node where(Node c, Node a, Node b);

// g, the result of a reduction of `like` over trailing axes, given back
// `like`'s shape: trailing axes of size 1 added, then broadcast.
Node expand_back(Node g, Node like);
// The batch size B of a batched x, as a scalar of x's dtype (mean over a batch).
Node batch_size(Node x);

// Noise (docs/language.md §9), in the graph's dtype: values of `shape` (a
// batched shape draws one row per example) drawn afresh at every run;
// `stream` tells the draws of one program apart.
Node random_normal(Graph& g, IShape shape, double mean, double stddev, std::uint64_t stream);
Node random_uniform(Graph& g, IShape shape, double lo, double hi, std::uint64_t stream);
Node dropout_mask(Graph& g, IShape shape, double p, std::uint64_t stream);
// dropout(x, p): x · dropout_mask of x's shape (a program that does not
// train replaces the mask by 1).
Node dropout(Node x, double p, std::uint64_t stream);

}  // namespace eq::ir
