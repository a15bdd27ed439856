// The graph IR: a DAG of immutable, typed, shaped nodes. Nodes are
// hash-consed: building the same op with the same inputs and attributes
// returns the node that already exists, so common subexpressions are shared
// by construction. Factories check arity, shapes and dtypes and throw
// eq::Error with a plain message when they do not fit (lowering checks first
// and reports a diagnostic with the source text instead).
#pragma once

#include <cstdint>
#include <deque>
#include <memory>
#include <string>
#include <unordered_map>
#include <vector>

#include "eq/compiler/ir/op.hpp"
#include "eq/compiler/ir/shape.hpp"
#include "eq/runtime/init.hpp"
#include "eq/runtime/tensor.hpp"

namespace eq {
class SourceFile;
}

namespace eq::ir {

class Graph;

// Where a node came from: a byte range of a source file (a `.eq` file or a
// string given to Parser::parse). Nodes built by C++ code have none.
struct Origin {
  std::shared_ptr<const SourceFile> file;
  std::uint32_t begin = 0, end = 0;
  explicit operator bool() const { return file != nullptr; }
};

// Attributes of an op; each op reads only the fields its row speaks of.
struct Attrs {
  int axis = 0;              // reduce: the first reduced axis
  bool trans_a = false;      // matmul: op(a) = aᵀ
  bool trans_b = false;      // matmul: op(b) = bᵀ
  std::int64_t size = 0;     // scatter: columns of the result; onehot: classes
  IShape shape;              // reshape / expand / sum_to: the target shape
  double value = 0;          // constant: its value
  DType dtype = DType::f32;  // cast / onehot: the result's dtype
  std::int64_t start = 0;    // slice / unslice: the first index along axis
  std::int64_t stop = 0;     // slice: one past the last
  // The noise ops: random_normal {mean, stddev}, random_uniform {lo, hi},
  // dropout_mask {p, 0}; and which draw of the program (kernels::NoiseKey).
  double noise[2] = {0, 0};
  std::uint64_t stream = 0;

  friend bool operator==(const Attrs&, const Attrs&) = default;
};

using NodeId = std::int32_t;

struct NodeData {
  Op op;
  std::vector<NodeId> inputs;
  Attrs attrs;
  IShape shape;
  DType dtype;
  std::string name;  // inputs and params: their name; others: optional
  Origin origin;
};

// A handle to a node: the graph and an index. Cheap to copy; a default
// constructed Node is "null" (no node), used for "no gradient". It points
// into its Graph: the Graph must outlive every Node of it, and every
// Program and Machine compiled from it (as a container outlives iterators).
class Node {
 public:
  Node() = default;
  Node(Graph* graph, NodeId id) : graph_(graph), id_(id) {}

  explicit operator bool() const { return graph_ != nullptr; }
  Graph& graph() const;  // eq::Error on a null Node
  NodeId id() const { return id_; }
  const NodeData& data() const;
  Op op() const { return data().op; }
  const IShape& shape() const { return data().shape; }
  DType dtype() const { return data().dtype; }
  const Attrs& attrs() const { return data().attrs; }
  const std::string& name() const { return data().name; }
  int arity() const { return static_cast<int>(data().inputs.size()); }
  // Operand i, 0 ≤ i < arity(); another i is an eq::Error.
  Node input(int i) const {
    if (i < 0 || i >= arity()) no_such_input(i);
    return Node(graph_, data().inputs[static_cast<std::size_t>(i)]);
  }

  friend bool operator==(const Node& a, const Node& b) {
    return a.graph_ == b.graph_ && a.id_ == b.id_;
  }

 private:
  [[noreturn]] void no_such_input(int i) const;

  Graph* graph_ = nullptr;
  NodeId id_ = -1;
};

class Graph {
 public:
  explicit Graph(DType dtype = DType::f32) : dtype_(dtype) {}
  Graph(const Graph&) = delete;
  Graph& operator=(const Graph&) = delete;

  // The float type of constants and of leaves made without one.
  DType dtype() const { return dtype_; }

  // Leaves. Inputs (data fed per step) carry the batch axis; params do not.
  // `onehot_classes` > 0 makes an i32 input of class indices that stands for
  // a one-hot vector of that many classes. Names must be unique among leaves.
  Node input(const std::string& name, Shape per_example);
  Node input_indices(const std::string& name, Shape per_example = {});
  // An input of one class index per example standing for a one-hot vector
  // of `classes` entries (docs/language.md §3 `onehot[V]`): i32 [B], attrs().size = classes.
  // With `per_example` = [T], T indices per example standing for a [T, classes]
  // one-hot matrix (§9.7 `onehot[T, V]`): i32 [B, T].
  Node input_onehot(const std::string& name, std::int64_t classes, Shape per_example = {});
  // A parameter, with the initialiser eq::Machine::initialize() fills it
  // with: g.param("W", {H, V}, eq::init::glorot) or eq::init::normal(0, 0.1).
  // Without one, its values are the program's to set (Machine::set_param).
  Node param(const std::string& name, Shape shape);
  Node param(const std::string& name, Shape shape, Initializer init);
  Node param(const std::string& name, Shape shape, Initializer (*init)()) {
    return param(name, shape, init());
  }
  // The initialiser a param was made with, or null.
  const Initializer* initializer(Node param) const;
  Node constant(double value, DType dtype);
  Node constant(double value) { return constant(value, dtype_); }

  // The general factory: checks the op's arity and shape rule, then returns
  // the existing node for (op, inputs, attrs) or a new one.
  Node make(Op op, std::vector<Node> inputs, Attrs attrs = {}, Origin origin = {});

  const NodeData& data(NodeId id) const { return nodes_[static_cast<std::size_t>(id)]; }
  Node node(NodeId id) { return Node(this, id); }
  int size() const { return static_cast<int>(nodes_.size()); }
  const std::vector<Node>& inputs() const { return inputs_; }
  const std::vector<Node>& params() const { return params_; }
  // The leaf (input or param) of that name, in any spelling the parser
  // accepts ("W_i" finds "Wᵢ"); throws eq::Error naming the nearest leaf
  // when there is none. find_leaf() returns a null Node instead.
  Node leaf(const std::string& name) const;
  Node find_leaf(const std::string& name) const;

  // Names a node for printing and for Machine look-ups (does not change identity).
  void set_name(Node n, const std::string& name);
  // Remembers where a node came from, if it had no origin yet.
  void set_origin(Node n, const Origin& origin);

 private:
  Node add(NodeData data);
  struct KeyHash {
    std::size_t operator()(const NodeData& d) const;
  };
  struct KeyEq {
    bool operator()(const NodeData& a, const NodeData& b) const;
  };

  DType dtype_;
  // A deque, not a vector: adding a node never moves the others, so the
  // references that Node::shape(), data() and friends hand out stay valid
  // while further nodes are built (e.g. expand(reshape(g, …), x.shape())).
  std::deque<NodeData> nodes_;
  std::unordered_map<NodeData, NodeId, KeyHash, KeyEq> interned_;
  std::vector<Node> inputs_, params_;
  // Every leaf by the canonical spelling of its name ("W_i", "W_{i}" and
  // "Wᵢ" are one name), so that no two leaves share one.
  std::unordered_map<std::string, Node> leaf_names_;
  std::unordered_map<NodeId, Initializer> initializers_;
};

// The shape rule of every op (shape_rules.cc): the type of (op, inputs,
// attrs), or a message saying why they do not fit.
struct TypeResult {
  bool ok = false;
  IShape shape;
  DType dtype = DType::f32;
  std::string why;
};
TypeResult infer_type(Op op, const std::vector<Node>& inputs, const Attrs& attrs);

// The one walk over what a computation needs: keep[id] is 1 for each root
// and every node a root reads, directly or not. Ids are a topological order,
// so one pass from the highest id down suffices.
std::vector<char> reachable(const Graph& graph, const std::vector<Node>& roots);

// "file:line:col" of a node's origin, or "" for a node built by C++ code.
std::string location(const Node& n);
// `message` as an error diagnostic at a node's place in its source
// (file:line:col, the line, carets), without a final newline;
// `fallback + ": " + message` for a node with no place (one a program built).
std::string error_at(const Origin& origin, const std::string& message, const std::string& fallback);

// A node as messages name it: 'W' for a named node, %12 for another.
std::string label(const Node& n);

}  // namespace eq::ir
