// Stable text forms of the graph IR: one node a line, and Graphviz dot.
// Deterministic (node ids, never pointers or hash order), so they serve
// `eqc ir`, `eqc graph` and golden tests alike.
#pragma once

#include <string>
#include <vector>

#include "eq/compiler/ir/graph.hpp"

namespace eq::ir {

// "%7 = matmul[bᵀ] %x, %W : f32[B, 128]  # lstm.eq:12:9", for every node
// that `roots` need (all nodes when roots is empty). Named nodes show their
// name: "%3 hₜ = …".
std::string print_ir(const Graph& graph, const std::vector<Node>& roots = {});

// Graphviz dot of the same nodes, labelled with op (or name) and shape.
std::string print_dot(const Graph& graph, const std::vector<Node>& roots = {});

// The attributes of a node as printed after its op ("[axis 1]", "[aᵀ]", …).
std::string attrs_text(const Node& n);

}  // namespace eq::ir
