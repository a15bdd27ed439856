#include "eq/compiler/ir/graph.hpp"

#include <algorithm>
#include <functional>

#include "eq/grammar/diagnostics.hpp"
#include "eq/grammar/names.hpp"
#include "eq/grammar/source.hpp"
#include "eq/grammar/suggest.hpp"
#include "eq/runtime/error.hpp"

namespace eq::ir {

namespace {
[[noreturn]] void null_node() {
  // A user's mistake, not ours: a Node default-constructed, or a gradient
  // that does not exist.
  throw Error(
      "this eq::Node is null (a default-constructed Node, or a gradient that does not "
      "exist): it stands for no node of a graph");
}
}  // namespace

Graph& Node::graph() const {
  if (graph_ == nullptr) null_node();
  return *graph_;
}

void Node::no_such_input(int i) const {
  throw Error("input(" + std::to_string(i) + ") of " + label(*this) + " (" +
              std::string(op_name(op())) + "): it has " + std::to_string(arity()) +
              (arity() == 1 ? " input" : " inputs") +
              (arity() ? ", 0 to " + std::to_string(arity() - 1) : std::string()));
}

const NodeData& Node::data() const {
  if (graph_ == nullptr) null_node();
  return graph_->data(id_);
}

namespace {
template <class T>
void mix(std::size_t& h, const T& v) {
  h ^= std::hash<T>{}(v) + 0x9e3779b97f4a7c15ULL + (h << 6) + (h >> 2);
}
bool is_leaf(Op op) { return info(op).kind == OpKind::leaf && op != Op::constant; }
}  // namespace

std::size_t Graph::KeyHash::operator()(const NodeData& d) const {
  std::size_t h = static_cast<std::size_t>(d.op);
  for (NodeId i : d.inputs) mix(h, i);
  const Attrs& a = d.attrs;
  mix(h, a.axis);
  mix(h, a.trans_a);
  mix(h, a.trans_b);
  mix(h, a.size);
  mix(h, a.start);
  mix(h, a.stop);
  mix(h, a.value);
  mix(h, a.noise[0]);
  mix(h, a.noise[1]);
  mix(h, a.stream);
  mix(h, static_cast<int>(a.dtype));
  mix(h, a.shape.rank());
  for (int i = 0; i < a.shape.rank(); ++i) mix(h, a.shape[i]);
  mix(h, static_cast<int>(d.dtype));
  return h;
}

bool Graph::KeyEq::operator()(const NodeData& a, const NodeData& b) const {
  return a.op == b.op && a.inputs == b.inputs && a.attrs == b.attrs && a.dtype == b.dtype;
}

Node Graph::add(NodeData data) {
  if (!is_leaf(data.op)) {
    auto found = interned_.find(data);
    if (found != interned_.end()) {
      Node existing(this, found->second);
      if (!nodes_[static_cast<std::size_t>(found->second)].origin && data.origin)
        nodes_[static_cast<std::size_t>(found->second)].origin = data.origin;
      return existing;
    }
  }
  NodeId id = static_cast<NodeId>(nodes_.size());
  nodes_.push_back(data);
  if (!is_leaf(data.op)) interned_.emplace(std::move(data), id);
  return Node(this, id);
}

Node Graph::find_leaf(const std::string& name) const {
  auto it = leaf_names_.find(canonical_name(name));
  return it == leaf_names_.end() ? Node() : it->second;
}

Node Graph::leaf(const std::string& name) const {
  if (Node n = find_leaf(name)) return n;
  std::vector<std::string> names;
  for (const auto* list : {&inputs_, &params_})
    for (const Node& n : *list) names.push_back(n.name());
  const std::string near = nearest_name(name, names);
  throw Error("this graph has no input or parameter named '" + name + "'" +
              (near.empty() ? std::string() : "; did you mean '" + near + "'?"));
}

Node Graph::input(const std::string& name, Shape per_example) {
  if (find_leaf(name)) throw Error("'" + name + "' is already an input or parameter of this graph");
  NodeData d{Op::input, {}, {}, IShape::batched(per_example), dtype_, name, {}};
  Node n = add(std::move(d));
  inputs_.push_back(n);
  leaf_names_[canonical_name(name)] = n;
  return n;
}

Node Graph::input_indices(const std::string& name, Shape per_example) {
  if (find_leaf(name)) throw Error("'" + name + "' is already an input or parameter of this graph");
  NodeData d{Op::input, {}, {}, IShape::batched(per_example), DType::i32, name, {}};
  Node n = add(std::move(d));
  inputs_.push_back(n);
  leaf_names_[canonical_name(name)] = n;
  return n;
}

Node Graph::input_onehot(const std::string& name, std::int64_t classes, Shape per_example) {
  if (classes <= 0) throw Error("onehot input '" + name + "' needs a positive class count");
  Node n = input_indices(name, per_example);
  nodes_[static_cast<std::size_t>(n.id())].attrs.size = classes;
  return n;
}

Node Graph::param(const std::string& name, Shape shape) {
  if (find_leaf(name)) throw Error("'" + name + "' is already an input or parameter of this graph");
  NodeData d{Op::param, {}, {}, IShape(shape), dtype_, name, {}};
  Node n = add(std::move(d));
  params_.push_back(n);
  leaf_names_[canonical_name(name)] = n;
  return n;
}

Node Graph::param(const std::string& name, Shape shape, Initializer init) {
  Node n = param(name, std::move(shape));
  initializers_.emplace(n.id(), init);
  return n;
}

const Initializer* Graph::initializer(Node param) const {
  const auto it = initializers_.find(param.id());
  return it == initializers_.end() ? nullptr : &it->second;
}

Node Graph::constant(double value, DType dtype) {
  Attrs a;
  a.value = value;
  return add(NodeData{Op::constant, {}, a, IShape(), dtype, "", {}});
}

Node Graph::make(Op op, std::vector<Node> inputs, Attrs attrs, Origin origin) {
  const OpInfo& oi = info(op);
  // The general factory is public: a program's wrong call is an eq::Error.
  if (oi.kind == OpKind::leaf)
    throw Error(std::string(oi.name) + " is a leaf: make it with Graph::input, param or constant");
  if (oi.arity < 0 ? inputs.empty() : static_cast<int>(inputs.size()) != oi.arity)
    throw Error(std::string(oi.name) + " takes " +
                (oi.arity < 0 ? std::string("at least one input")
                              : std::to_string(oi.arity) + (oi.arity == 1 ? " input" : " inputs")) +
                "; got " + std::to_string(inputs.size()));
  for (const Node& n : inputs) {
    if (!n)
      throw Error("an input of " + std::string(oi.name) +
                  " is a null eq::Node: this eq::Node is "
                  "null (a default-constructed Node, or a gradient that does not exist)");
    if (&n.graph() != this)
      throw Error("an input of " + std::string(oi.name) + " belongs to another eq::Graph");
  }
  // Commutative ops keep their inputs in one order, so a+b and b+a are one node.
  if (oi.commutative() && inputs[1].id() < inputs[0].id()) std::swap(inputs[0], inputs[1]);
  TypeResult t = infer_type(op, inputs, attrs);
  if (!t.ok) throw Error(t.why);
  NodeData d{op, {}, attrs, t.shape, t.dtype, "", std::move(origin)};
  for (const Node& n : inputs) d.inputs.push_back(n.id());
  return add(std::move(d));
}

void Graph::set_name(Node n, const std::string& name) {
  nodes_[static_cast<std::size_t>(n.id())].name = name;
}

void Graph::set_origin(Node n, const Origin& origin) {
  auto& d = nodes_[static_cast<std::size_t>(n.id())];
  if (!d.origin) d.origin = origin;
}

std::vector<char> reachable(const Graph& graph, const std::vector<Node>& roots) {
  std::vector<char> keep(static_cast<std::size_t>(graph.size()), 0);
  NodeId top = -1;
  for (const Node& r : roots) {
    keep[static_cast<std::size_t>(r.id())] = 1;
    top = std::max(top, r.id());
  }
  for (NodeId i = top; i >= 0; --i)
    if (keep[static_cast<std::size_t>(i)])
      for (NodeId in : graph.data(i).inputs) keep[static_cast<std::size_t>(in)] = 1;
  return keep;
}

std::string location(const Node& n) {
  const Origin& o = n.data().origin;
  if (!o) return {};
  Location at = o.file->location(o.begin);
  return o.file->name() + ":" + std::to_string(at.line) + ":" + std::to_string(at.column);
}

std::string error_at(const Origin& o, const std::string& message, const std::string& fallback) {
  if (!o) return fallback + ": " + message;
  Diagnostic d;
  d.span = Span{o.file.get(), o.begin, o.end};
  d.message = message;
  std::string text = render(d);
  if (!text.empty() && text.back() == '\n') text.pop_back();
  return text;
}

std::string label(const Node& n) {
  return n.name().empty() ? "%" + std::to_string(n.id()) : "'" + n.name() + "'";
}

}  // namespace eq::ir
