#include "eq/train/window_run.hpp"

#include <cstring>

#include "eq/grammar/diagnostics.hpp"
#include "eq/runtime/error.hpp"
#include "eq/runtime/kernels.hpp"

namespace eq {

TextLeaves text_leaves(const Model& model, bool text) {
  TextLeaves l;
  for (const ModelLeaf& leaf : model.inputs())
    if ((leaf.onehot || !text) && leaf.timed) l.input = leaf.name;
  for (const ModelLeaf& leaf : model.targets())
    if ((leaf.onehot || !text) && leaf.timed) l.target = leaf.name;
  if ((l.input.empty() || l.target.empty()) && text)
    throw Error(model.source().name() +
                ": text data binds a one-hot input xₜ (the symbol at t) and a "
                "one-hot target yₜ (the symbol at t+1); declare both");
  if (l.input.empty() || l.target.empty())
    throw Error(model.source().name() +
                ": a time model over rows binds an input xₜ and a target yₜ "
                "(columns of the same row); declare both");
  // Any other input or target would have no data (it failed at the first
  // step: "input 'zₜ' was never given a value").
  for (const auto* leaves : {&model.inputs(), &model.targets()})
    for (const ModelLeaf& leaf : *leaves) {
      if (leaf.name == l.input || leaf.name == l.target) continue;
      const bool input = leaves == &model.inputs();
      Diagnostics d;
      const std::string what = std::string(input ? "input " : "target ") + leaf.name;
      d.error(leaf.decl,
              text ? what +
                         " has no data: text data gives a time model one one-hot input (the "
                         "symbol at t, " +
                         l.input +
                         ") and one one-hot target (the symbol at "
                         "t+1, " +
                         l.target + "); compute " + leaf.name + " from them, or make it a param"
                   : what + ": a time model over rows reads one input (" + l.input +
                         ") and one target (" + l.target + ") a step; make " +
                         (input ? "the inputs one input over their columns (`input " + l.input +
                                      " : [2]`, data x = 0:2)"
                                : std::string("the targets one target over their columns")) +
                         ", or compute " + leaf.name + " from the others");
      throw Error(d.render());
    }
  return l;
}

Sequence sequence_of(const Setup& setup) {
  const Model& model = *setup.model;
  Sequence s;
  s.text = setup.text.numel() > 0;
  if (s.text) {
    s.leaves = text_leaves(model, true);
    s.inputs = s.targets = &setup.text;
    return s;
  }
  const DataColumn* x = nullptr;
  const DataColumn* y = nullptr;
  if (!setup.data.columns.empty()) {
    s.leaves = text_leaves(model, false);
    x = setup.data.find(s.leaves.input);
    y = setup.data.find(s.leaves.target);
  }
  if (!x || !y)
    throw Error(
        model.source().name() +
        ": a time model trains on text (`data = text(\"file.txt\")`) "
        "or on rows of numbers, a row a step (`data = csv(\"series.csv\", x = 0:3, y = 3)`)");
  s.inputs = &x->values;
  s.targets = &y->values;
  return s;
}

TextStreams Sequence::streams(std::int64_t begin, std::int64_t end, std::int64_t count,
                              std::int64_t window, std::string_view source) const {
  return text ? TextStreams(*inputs, begin, end, count, window, source)
              : TextStreams(*inputs, *targets, begin, end, count, window, source);
}

WindowRun::WindowRun(const Model& model, const Window& unrolled, const TextLeaves& leaves,
                     const TextStreams& text, Program program)
    : model_(model),
      unrolled_(unrolled),
      leaves_(leaves),
      text_(text),
      machine_(std::make_unique<Machine>(std::move(program))) {
  for (const UnrolledState& s : unrolled_.states)
    for (const ir::Node& leaf : s.carry_in)
      carry_.emplace_back(leaf.dtype(), leaf.shape().example().with_front(text_.streams()));
  for (const UnrolledState& s : unrolled_.states)
    if (s.reset)
      reset_.emplace_back(s.reset.dtype(), s.reset.shape().example().with_front(text_.streams()));
  xs_ = text_.make_step_tensors();
  ys_ = text_.make_target_tensors();
}

void WindowRun::reset() {
  fresh_ = true;
  std::size_t k = 0;
  for (const UnrolledState& s : unrolled_.states)
    for (std::size_t j = 0; j < s.carry_in.size(); ++j, ++k) {
      Tensor& c = carry_[k];
      if (s.init_param.empty()) {
        kernels::fill(c.view(), s.init_value);
        continue;
      }
      for (const ModelParam& param : model_.params())
        if (param.name == s.init_param) {
          ConstView v = machine_->param(param.node);
          const std::size_t row = static_cast<std::size_t>(v.numel()) * dtype_size(v.dtype);
          for (std::int64_t b = 0; b < text_.streams(); ++b)
            std::memcpy(static_cast<char*>(c.raw()) + static_cast<std::size_t>(b) * row, v.data,
                        row);
        }
    }
}

void WindowRun::let(std::int64_t w) {
  Machine& m = *machine_;
  text_.fill(w, xs_, ys_);
  const std::vector<ir::Node>& in = unrolled_.inputs.at(leaves_.input);
  const std::vector<ir::Node>& out = unrolled_.inputs.at(leaves_.target);
  for (std::size_t t = 0; t < xs_.size(); ++t) {
    m.let(in[t], xs_[t]);
    m.let(out[t], ys_[t]);
  }
  std::size_t k = 0;
  for (const UnrolledState& s : unrolled_.states)
    for (const ir::Node& leaf : s.carry_in) m.let(leaf, carry_[k++]);
  k = 0;
  for (const UnrolledState& s : unrolled_.states)
    if (s.reset) {
      kernels::fill(reset_[k].view(), fresh_ ? 1.0 : 0.0);
      m.let(s.reset, reset_[k++]);
    }
}

void WindowRun::carry_on() {
  fresh_ = false;
  std::size_t k = 0;
  for (const UnrolledState& s : unrolled_.states)
    for (const ir::Node& last : s.carry_out) {
      ConstView v = machine_->view(last);
      std::memcpy(carry_[k++].raw(), v.data,
                  static_cast<std::size_t>(v.numel()) * dtype_size(v.dtype));
    }
}

}  // namespace eq
