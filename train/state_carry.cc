#include "eq/train/state_carry.hpp"

#include <cstring>
#include <utility>

#include "eq/runtime/kernels.hpp"

namespace eq {

StateCarry::StateCarry(const Model& model, const std::vector<ir::Node>& outputs)
    : states_(carried_states(model, outputs)) {
  for (const CarriedState& s : states_) {
    // The graph's own leaves say the dtype and shape; one of them is read.
    ir::Node leaf;
    for (ir::Node l : s.leaves)
      if (l) leaf = l;
    slots_.emplace_back();
    for (std::size_t j = 0; j < s.depth(); ++j)
      slots_.back().emplace_back(leaf.dtype(), leaf.shape().example().with_front(1));
  }
}

std::vector<ir::Node> StateCarry::next_values() const {
  std::vector<ir::Node> out;
  for (const CarriedState& s : states_) out.push_back(s.next);
  return out;
}

void StateCarry::reset(const Model& model, Machine& m) {
  for (std::size_t i = 0; i < states_.size(); ++i)
    for (Tensor& slot : slots_[i]) {
      if (states_[i].init_param.empty()) {
        kernels::fill(slot.view(), states_[i].init_value);
        continue;
      }
      for (const ModelParam& p : model.params())
        if (p.name == states_[i].init_param) kernels::copy(m.param(p.node), slot.view());
    }
}

void StateCarry::let(Machine& m) const {
  for (std::size_t i = 0; i < states_.size(); ++i)
    for (std::size_t j = 0; j < states_[i].depth(); ++j)
      if (states_[i].leaves[j]) m.let(states_[i].leaves[j], slots_[i][j]);
}

void StateCarry::advance(const Machine& m) {
  for (std::size_t i = 0; i < states_.size(); ++i) {
    std::vector<Tensor>& slots = slots_[i];
    for (std::size_t j = slots.size() - 1; j > 0; --j) std::swap(slots[j], slots[j - 1]);
    ConstView next = m.view(states_[i].next);
    std::memcpy(slots[0].raw(), next.data, slots[0].bytes());
  }
}

}  // namespace eq
