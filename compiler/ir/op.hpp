// Op: the enumerator of every IR operation, generated from ops.def, and the
// facts about each op that code outside the table reads (name, arity, kind,
// flags, spellings, tape kernel, attribute). The shape rules are in
// shape_rules.cc and the gradients in autodiff/vjp.cc, both generated from
// the same rows.
#pragma once

#include <cstdint>
#include <optional>
#include <string_view>
#include <vector>

#include "eq/runtime/tape.hpp"

namespace eq::ir {

enum class Op : std::uint8_t {
#define EQ_OP(name, ...) name,
#include "eq/compiler/ir/ops.def"
};

enum class OpKind : std::uint8_t { leaf, unary, binary, reduce, special };

namespace op_flag {
inline constexpr unsigned none = 0;
inline constexpr unsigned elementwise = 1;
inline constexpr unsigned commutative = 2;
inline constexpr unsigned cheap = 4;
}  // namespace op_flag

// The field of ir::Attrs an op is parametrised by; printed after its name.
enum class OpAttr : std::uint8_t { none, axis, trans, size, shape, dtype, range, noise };

// The tape instruction that computes an op: the runtime kernel and, for the
// unary, binary and reduce kernels, which function (the value of a
// kernels::Unary / Binary / Reduce). The tape compiler, fusion and constant
// folding all read this one mapping.
struct OpKernel {
  runtime::Kernel kernel;
  std::uint8_t sub = 0;
};

struct OpInfo {
  std::string_view name;
  int arity;
  OpKind kind;
  unsigned flags;
  std::string_view spellings;      // space separated; "" when not callable by name
  std::optional<OpKernel> kernel;  // none for leaves: they are buffers, not instructions
  OpAttr attr;

  bool elementwise() const { return flags & op_flag::elementwise; }
  bool commutative() const { return flags & op_flag::commutative; }
  bool cheap() const { return flags & op_flag::cheap; }
};

const OpInfo& info(Op op);
inline std::string_view op_name(Op op) { return info(op).name; }
int op_count();
// The noise ops (random_normal, random_uniform, dropout_mask): no inputs,
// drawn afresh at every run.
inline bool is_noise(Op op) { return info(op).attr == OpAttr::noise; }

// The op a function name of the language stands for ("σ", "sigmoid", "ln", …),
// if it names one. Composite functions (mean, norm) are not ops: see lowering.
std::optional<Op> op_for_spelling(std::string_view spelling);

}  // namespace eq::ir
