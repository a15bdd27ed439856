#include "compiler/ir/op.hpp"

#include <array>

namespace eq::ir {
namespace {

using namespace op_flag;

constexpr std::array kInfos = {
#define EQ_OP(name_, arity_, kind_, flags_, spellings_, ...) \
  OpInfo{#name_, arity_, OpKind::kind_, flags_, spellings_},
#include "compiler/ir/ops.def"
#undef EQ_OP
};

}  // namespace

const OpInfo& info(Op op) { return kInfos[static_cast<std::size_t>(op)]; }
int op_count() { return static_cast<int>(kInfos.size()); }

std::optional<Op> op_for_spelling(std::string_view spelling) {
  for (std::size_t i = 0; i < kInfos.size(); ++i) {
    std::string_view rest = kInfos[i].spellings;
    while (!rest.empty()) {
      std::size_t space = rest.find(' ');
      std::string_view word = rest.substr(0, space);
      if (word == spelling) return static_cast<Op>(i);
      if (space == std::string_view::npos) break;
      rest.remove_prefix(space + 1);
    }
  }
  return std::nullopt;
}

}  // namespace eq::ir
