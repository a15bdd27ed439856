#include "eq/compiler/ir/printer.hpp"

#include <sstream>

namespace eq::ir {
namespace {

// What to print: what the roots need, or every node when there are none.
std::vector<char> shown(const Graph& graph, const std::vector<Node>& roots) {
  if (roots.empty()) return std::vector<char>(static_cast<std::size_t>(graph.size()), 1);
  return reachable(graph, roots);
}

std::string number(double v) {
  std::ostringstream s;
  s.precision(9);
  s << v;
  return s.str();
}

}  // namespace

std::string attrs_text(const Node& n) {
  const Attrs& a = n.attrs();
  switch (info(n.op()).attr) {
    case OpAttr::none:
      return "";
    case OpAttr::axis:
      return "[axis " + std::to_string(a.axis) + "]";
    case OpAttr::trans:
      return std::string(a.trans_a ? "[aᵀ]" : "") + (a.trans_b ? "[bᵀ]" : "");
    case OpAttr::size:
      return "[" + std::to_string(a.size) + "]";
    case OpAttr::shape:
      return "[" + a.shape.str() + "]";
    case OpAttr::dtype:
      return "[" + std::string(dtype_name(a.dtype)) + "]";
    case OpAttr::range:
      return "[axis " + std::to_string(a.axis) + ", " + std::to_string(a.start) + ":" +
             (n.op() == Op::slice ? std::to_string(a.stop) : "") + "]";
    case OpAttr::noise:
      return "[" + number(a.noise[0]) +
             (n.op() == Op::dropout_mask ? "" : ", " + number(a.noise[1])) + "; stream " +
             std::to_string(a.stream) + "]";
  }
  return "";
}

std::string print_ir(const Graph& graph, const std::vector<Node>& roots) {
  std::vector<char> keep = shown(graph, roots);
  Graph& g = const_cast<Graph&>(graph);
  std::ostringstream out;
  for (NodeId i = 0; i < graph.size(); ++i) {
    if (!keep[static_cast<std::size_t>(i)]) continue;
    Node n = g.node(i);
    out << "%" << i;
    if (!n.name().empty()) out << " " << n.name();
    out << " = ";
    if (n.op() == Op::constant)
      out << "const " << number(n.attrs().value);
    else
      out << op_name(n.op()) << attrs_text(n);
    for (int k = 0; k < n.arity(); ++k) out << (k ? ", %" : " %") << n.input(k).id();
    out << " : " << dtype_name(n.dtype()) << n.shape().str();
    std::string w = location(n);
    if (!w.empty()) out << "  # " << w;
    out << "\n";
  }
  return out.str();
}

std::string print_dot(const Graph& graph, const std::vector<Node>& roots) {
  std::vector<char> keep = shown(graph, roots);
  Graph& g = const_cast<Graph&>(graph);
  std::ostringstream out;
  out << "digraph eq {\n  rankdir=BT;\n  node [shape=box, fontname=\"monospace\"];\n";
  for (NodeId i = 0; i < graph.size(); ++i) {
    if (!keep[static_cast<std::size_t>(i)]) continue;
    Node n = g.node(i);
    std::string label = n.op() == Op::constant ? number(n.attrs().value)
                                               : std::string(op_name(n.op())) + attrs_text(n);
    if (!n.name().empty()) label = n.name() + " = " + label;
    std::string escaped;
    for (char c : label) {
      if (c == '"' || c == '\\') escaped += '\\';
      escaped += c;
    }
    const char* style = n.op() == Op::param   ? ", style=filled, fillcolor=\"#e8f0ff\""
                        : n.op() == Op::input ? ", style=filled, fillcolor=\"#eaffea\""
                                              : "";
    out << "  n" << i << " [label=\"" << escaped << "\\n"
        << n.shape().str() << "\"" << style << "];\n";
    for (int k = 0; k < n.arity(); ++k) out << "  n" << n.input(k).id() << " -> n" << i << ";\n";
  }
  out << "}\n";
  return out.str();
}

}  // namespace eq::ir
