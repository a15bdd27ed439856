#include "eq/train/series_predict.hpp"

#include <cstring>

#include "eq/compiler/machine.hpp"
#include "eq/runtime/error.hpp"
#include "eq/runtime/kernels.hpp"
#include "eq/train/evaluate.hpp"

namespace eq {

Tensor predict_series(Model& model, const SafetensorsFile& weights, const Dataset& data,
                      std::uint64_t noise_seed) {
  if (!model.timed()) throw Error("predicting a series needs a time model (one with hₜ and hₜ₋₁)");
  if (model.outputs().empty()) throw Error("predicting a series needs an output (`output ŷₜ`)");
  const ir::Node output = model.outputs()[0].second;
  std::vector<ir::Node> outputs{output};
  for (const ModelState& s : model.states()) {
    if (s.delay != 1)
      throw Error("predicting a series supports states one step back; '" + s.leaf + "' looks " +
                  std::to_string(s.delay) + " steps back");
    outputs.push_back(s.next);
  }
  Machine vm(compile(model.graph(), outputs));
  set_params(model, weights, vm);

  // Each input's column, and a one-example tensor of the graph's dtype it is
  // copied into row by row (the columns hold f64 numbers or i32 indices).
  struct Feed {
    ir::Node node;
    const Tensor* column;
    Tensor step;
  };
  std::vector<Feed> feeds;
  for (const ModelLeaf& leaf : model.inputs()) {
    const DataColumn* c = data.find(leaf.name);
    if (!c) throw Error(data.source + ": no data for input " + leaf.name);
    feeds.push_back({leaf.node, &c->values,
                     Tensor(leaf.node.dtype(), leaf.node.shape().example().with_front(1))});
  }
  // The states from their initial values (a constant, or a learnt param).
  std::vector<Tensor> carry;
  for (const ModelState& s : model.states()) {
    carry.emplace_back(model.graph().dtype(), s.node.shape().example().with_front(1));
    if (s.init_param.empty()) {
      kernels::fill(carry.back().view(), s.init_value);
      continue;
    }
    for (const ModelParam& p : model.params())
      if (p.name == s.init_param) kernels::copy(vm.param(p.node), carry.back().view());
  }

  const std::int64_t rows = data.size();
  const Shape one = output.shape().example();
  Tensor out(output.dtype(), one.with_front(rows));
  const std::int64_t width = one.numel();
  for (std::int64_t r = 0; r < rows; ++r) {
    for (Feed& f : feeds) {
      const std::int64_t n = f.step.numel();
      for (std::int64_t i = 0; i < n; ++i) f.step.set(i, f.column->at(r * n + i));
      vm.let(f.node, f.step);
    }
    for (std::size_t i = 0; i < carry.size(); ++i) vm.let(model.states()[i].node, carry[i]);
    vm.runtime().set_noise(noise_seed, static_cast<std::uint64_t>(r), 0);
    vm.run();
    const Tensor y = vm.value(output);
    for (std::int64_t i = 0; i < width; ++i) out.set(r * width + i, y.at(i));
    for (std::size_t i = 0; i < carry.size(); ++i) {
      ConstView next = vm.view(model.states()[i].next);
      std::memcpy(carry[i].raw(), next.data, carry[i].bytes());
    }
  }
  return out;
}

}  // namespace eq
