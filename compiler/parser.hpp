// eq::Parser: the embeddable front of eq. It holds a symbol dictionary
// (name → graph node) over one Graph. A program binds names to nodes with
// set(), then parses equations written as text into new nodes:
//
//   eq::Graph g;
//   eq::Parser p(g);
//   p.set("xₜ", g.input("x", {65}));
//   p.set("Wᵢ", g.param("Wᵢ", {128, 65}));
//   eq::Node i = p.parse("σ(Wᵢ·xₜ + Uᵢ·hₜ₋₁ + Bᵢ)");
//
// Names are canonical (docs/language.md §1): set("W_i") and set("Wᵢ") bind the same
// name. Errors throw eq::Error whose text is the full diagnostic, with the
// source line and carets.
#pragma once

#include <map>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "eq/compiler/ir/builders.hpp"
#include "eq/compiler/lower/expr.hpp"

namespace eq {

using ir::Graph;
using ir::Node;

class Parser {
 public:
  explicit Parser(Graph& graph);

  // Binds a name (any spelling) to a node, replacing an earlier binding.
  // An i32 input made by Graph::input_onehot is bound as a one-hot value.
  void set(std::string_view name, Node node);
  // The node bound to a name, or a null Node.
  Node get(std::string_view name) const;
  // Names bound so far, canonical, sorted.
  std::vector<std::string> names() const;

  // Parses one expression into a node of the graph.
  Node parse(std::string_view expression);
  // Parses `name = expression`, binds the name, returns its node.
  Node define(std::string_view equation);

  Graph& graph() { return graph_; }

 private:
  class Dictionary;
  // parse / define on the stack they run on (with_stack_for, nesting.hpp).
  Node parse_here(std::string_view expression);
  Node define_here(std::string_view equation);
  Graph& graph_;
  std::map<std::string, lower::Binding> bindings_;
  int parsed_ = 0;
  std::uint64_t next_stream_ = 0;  // each dropout(x, p) parsed draws a stream of its own
};

}  // namespace eq
