// Source locations of nodes, for listings and runtime errors.
#include "compiler/tape/compile.hpp"

namespace eq {

std::string where(const ir::Node& n) {
  // Filled in from the node's origin once the front end's SourceFile exists.
  (void)n;
  return {};
}

}  // namespace eq
