#include "eq/train/series_predict.hpp"

#include "eq/compiler/machine.hpp"
#include "eq/runtime/error.hpp"
#include "eq/train/evaluate.hpp"
#include "eq/train/state_carry.hpp"

namespace eq {

Tensor predict_series(Model& model, const SafetensorsFile& weights, const Dataset& data,
                      std::uint64_t noise_seed) {
  if (!model.timed()) throw Error("predicting a series needs a time model (one with hₜ and hₜ₋₁)");
  if (model.outputs().empty()) throw Error("predicting a series needs an output (`output ŷₜ`)");
  const ir::Node output = model.outputs()[0].second;
  StateCarry carry(model, {output});
  std::vector<ir::Node> outputs{output};
  for (ir::Node next : carry.next_values()) outputs.push_back(next);
  check_reads_no_target(model, outputs, "the prediction");
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
  carry.reset(model, vm);

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
    carry.let(vm);
    vm.runtime().set_noise(noise_seed, static_cast<std::uint64_t>(r), 0);
    vm.run();
    const Tensor y = vm.value(output);
    for (std::int64_t i = 0; i < width; ++i) out.set(r * width + i, y.at(i));
    carry.advance(vm);
  }
  return out;
}

}  // namespace eq
