// The IR verifier, run after every pass (CompileOptions::verify_each): each
// node the roots reach has inputs made before it, and the shape and dtype
// its op's rule (ir::infer_type) gives for its inputs. A failure is a
// compiler bug: EQ_ASSERT, naming the pass and the node.
#pragma once

#include <string_view>

#include "eq/compiler/passes/pass.hpp"

namespace eq::passes {

void verify(const Graph& graph, const std::vector<Node>& roots, std::string_view after_pass);

}  // namespace eq::passes
