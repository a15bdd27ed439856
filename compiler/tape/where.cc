// Source locations of nodes, for listings and runtime errors.
#include "compiler/tape/compile.hpp"
#include "grammar/source.hpp"

namespace eq {

std::string where(const ir::Node& n) {
  const ir::Origin& o = n.data().origin;
  if (!o) return {};
  Location at = o.file->location(o.begin);
  return o.file->name() + ":" + std::to_string(at.line) + ":" + std::to_string(at.column);
}

}  // namespace eq
