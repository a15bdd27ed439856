// Reverse-mode automatic differentiation on the graph IR.
//
// grad(y, wrt) adds to y's graph the nodes of ∂y/∂w for each w in wrt and
// returns them (same shapes as the w's). It walks the nodes between wrt and
// y in reverse topological order and applies each op's vector–Jacobian
// product from the op table (compiler/ir/ops.def). Because VJPs are built
// with the same builders as the forward graph, gradients are ordinary nodes:
// printable, optimisable, and differentiable again.
//
// y should be a scalar; a y with more elements is differentiated as Σy (so a
// batched per-example loss gives the gradient of the batch's total).
// A w that y does not depend on gets a zero of its shape.
#pragma once

#include <vector>

#include "eq/compiler/ir/graph.hpp"

namespace eq {

std::vector<ir::Node> grad(ir::Node y, const std::vector<ir::Node>& wrt);

namespace autodiff {
// The VJP row of n's op: one gradient per input (null: none).
std::vector<ir::Node> vjp(ir::Node n, ir::Node g);
}  // namespace autodiff

}  // namespace eq
