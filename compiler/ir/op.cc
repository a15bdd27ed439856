#include "eq/compiler/ir/op.hpp"

#include <array>

namespace eq::ir {
namespace {

using namespace op_flag;
using runtime::Kernel;

template <class Sub>
constexpr OpKernel kernel(Kernel k, Sub sub) {
  return {k, static_cast<std::uint8_t>(sub)};
}

constexpr std::array kInfos = {
#define EQ_LEAF(name_, flags_) \
  OpInfo{#name_, 0, OpKind::leaf, flags_, "", std::nullopt, OpAttr::none},
#define EQ_UNARY(name_, flags_, spellings_, ...)                                \
  OpInfo{#name_,      1,          OpKind::unary,                                \
         flags_,      spellings_, kernel(Kernel::unary, kernels::Unary::name_), \
         OpAttr::none},
#define EQ_BINARY(name_, flags_, spellings_, ...)                                 \
  OpInfo{#name_,      2,          OpKind::binary,                                 \
         flags_,      spellings_, kernel(Kernel::binary, kernels::Binary::name_), \
         OpAttr::none},
#define EQ_REDUCE(name_, reduce_, spellings_, ...)                                  \
  OpInfo{#name_,      1,          OpKind::reduce,                                   \
         none,        spellings_, kernel(Kernel::reduce, kernels::Reduce::reduce_), \
         OpAttr::axis},
#define EQ_SPECIAL(name_, arity_, flags_, spellings_, rule_, kernel_, attr_, ...)              \
  OpInfo{#name_,       arity_, OpKind::special, flags_, spellings_, OpKernel{Kernel::kernel_}, \
         OpAttr::attr_},
#define EQ_REDUCE_AXIS(name_, reduce_, ...)                                      \
  OpInfo{#name_,      1,  OpKind::special,                                       \
         none,        "", kernel(Kernel::reduce_axis, kernels::Reduce::reduce_), \
         OpAttr::axis},
#include "eq/compiler/ir/ops.def"
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
