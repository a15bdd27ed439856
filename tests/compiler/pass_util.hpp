// Helpers for the pass tests: a node rendered as a term, for IR
// before / after checks that read like the identity.
#pragma once

#include <algorithm>
#include <sstream>
#include <string>

#include "eq/compiler/ir/graph.hpp"

namespace eq::testing {

// "log1p(x)", "add(6, x)", "expand(0)": leaves by name, constants by value,
// ops by name with their inputs (commutative ones sorted, so the order of
// node ids does not matter); shapes and attributes left out.
inline std::string render(ir::Node n) {
  using ir::Op;
  if (n.op() == Op::input || n.op() == Op::param) return n.name();
  if (n.op() == Op::constant) {
    std::ostringstream s;
    s << n.attrs().value;
    return s.str();
  }
  std::vector<std::string> args;
  for (int i = 0; i < n.arity(); ++i) args.push_back(render(n.input(i)));
  if (ir::info(n.op()).commutative()) std::sort(args.begin(), args.end());
  std::string s = std::string(ir::op_name(n.op())) + "(";
  for (std::size_t i = 0; i < args.size(); ++i) s += (i ? ", " : "") + args[i];
  return s + ")";
}

}  // namespace eq::testing
