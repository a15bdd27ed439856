#include "train/text_windows.hpp"

#include <cmath>
#include <cstring>

#include "runtime/error.hpp"
#include "runtime/format.hpp"
#include "runtime/kernels.hpp"

namespace eq {
namespace {

constexpr const char* kStatePrefix = "__state__.";

double scalar(ConstView v) { return v.dtype == DType::f32 ? *v.as<float>() : *v.as<double>(); }

// The most streams (≤ wanted) that still give every stream one full window.
std::int64_t streams_for(std::int64_t symbols, std::int64_t wanted, std::int64_t window) {
  std::int64_t b = wanted;
  while (b > 1 && symbols / b < window + 1) --b;
  return b;
}

}  // namespace

TextWindows::TextWindows(Setup& setup, const Shard& shard) : model_(*setup.model) {
  const TrainConfig& config = setup.config;
  const std::string& name = model_.source().name();
  if (!model_.loss()) throw Error(name + ": the model has no `lossₜ` equation to minimise");
  if (setup.text.numel() == 0)
    throw Error(name + ": a time model trains on text: set `data = text(\"file.txt\")`");
  for (const ModelLeaf& l : model_.inputs())
    if (l.onehot && l.timed) input_name_ = l.name;
  for (const ModelLeaf& l : model_.targets())
    if (l.onehot && l.timed) target_name_ = l.name;
  if (input_name_.empty() || target_name_.empty())
    throw Error(name + ": text data binds a one-hot input xₜ (the symbol at t) and a one-hot "
                       "target yₜ (the symbol at t+1); declare both");
  window_ = config.window > 0 ? config.window : 50;

  symbols_ = setup.text.numel();
  const std::int64_t n = symbols_;
  train_end_ = n - static_cast<std::int64_t>(std::floor(config.validate * static_cast<double>(n)));
  train_streams_ = std::make_unique<TextStreams>(setup.text, 0, train_end_, config.batch, window_);
  if (shard.count > 1) {
    if (config.batch < shard.count)
      throw Error(name + ": batch = " + std::to_string(config.batch) + " streams cannot be shared by " +
                  std::to_string(shard.count) + " processes; lower their number or raise batch");
    const std::int64_t first = shard.begin(config.batch);
    train_streams_ = std::make_unique<TextStreams>(
        train_streams_->share(first, shard.end(config.batch) - first));
  }
  if (train_end_ < n) {
    if (n - train_end_ < window_ + 1)
      throw Error(name + ": validate = " + format_number(config.validate) + " holds out " +
                  std::to_string(n - train_end_) + " symbols, fewer than one window of " +
                  std::to_string(window_) + " steps plus one; raise validate or lower window");
    std::int64_t b = streams_for(n - train_end_, config.batch, window_);
    val_streams_ = std::make_unique<TextStreams>(setup.text, train_end_, n, b, window_);
  }

  unrolled_ = unroll(model_, static_cast<int>(window_));
  program_ = training_program(model_, &unrolled_);
  std::vector<ir::Node> carry_out;
  for (const UnrolledState& s : unrolled_.states)
    carry_out.insert(carry_out.end(), s.carry_out.begin(), s.carry_out.end());
  train_.machine = std::make_unique<Machine>(compile(model_.graph(), program_.outputs(carry_out)));
  train_.text = train_streams_.get();
  // Held-out windows need no gradients.
  std::vector<ir::Node> eval_outs{program_.objective};
  eval_outs.insert(eval_outs.end(), carry_out.begin(), carry_out.end());
  eval_.machine = std::make_unique<Machine>(compile(model_.graph(), eval_outs));
  eval_.text = val_streams_ ? val_streams_.get() : train_streams_.get();
  for (Program* p : {&train_, &eval_}) {
    for (const UnrolledState& s : unrolled_.states)
      for (const ir::Node& leaf : s.carry_in)
        p->carry.emplace_back(leaf.dtype(), leaf.shape().example().with_front(p->text->streams()));
    p->xs = p->text->make_step_tensors();
    p->ys = p->text->make_step_tensors();
  }
}

TextWindows::~TextWindows() = default;

// Every stream starts from the state's initial value: a number, or a learnt
// parameter [H] repeated over the streams.
void TextWindows::reset_carry(Program& p) {
  std::size_t k = 0;
  for (const UnrolledState& s : unrolled_.states)
    for (std::size_t j = 0; j < s.carry_in.size(); ++j, ++k) {
      Tensor& c = p.carry[k];
      if (s.init_param.empty()) {
        kernels::fill(c.view(), s.init_value);
        continue;
      }
      for (const ModelParam& param : model_.params())
        if (param.name == s.init_param) {
          ConstView v = train_.machine->param(param.node);
          const std::size_t row = static_cast<std::size_t>(v.numel()) * dtype_size(v.dtype);
          for (std::int64_t b = 0; b < p.text->streams(); ++b)
            std::memcpy(static_cast<char*>(c.raw()) + static_cast<std::size_t>(b) * row, v.data, row);
        }
    }
}

void TextWindows::let_window(Program& p, std::int64_t w) {
  Machine& m = *p.machine;
  p.text->fill(w, p.xs, p.ys);
  const std::vector<ir::Node>& in = unrolled_.inputs.at(input_name_);
  const std::vector<ir::Node>& out = unrolled_.inputs.at(target_name_);
  for (std::int64_t t = 0; t < window_; ++t) {
    m.let(in[static_cast<std::size_t>(t)], p.xs[static_cast<std::size_t>(t)]);
    m.let(out[static_cast<std::size_t>(t)], p.ys[static_cast<std::size_t>(t)]);
  }
  std::size_t k = 0;
  for (const UnrolledState& s : unrolled_.states)
    for (const ir::Node& leaf : s.carry_in) m.let(leaf, p.carry[k++]);
}

void TextWindows::carry_on(Program& p) {
  std::size_t k = 0;
  for (const UnrolledState& s : unrolled_.states)
    for (const ir::Node& last : s.carry_out) {
      ConstView v = p.machine->view(last);
      std::memcpy(p.carry[k++].raw(), v.data, static_cast<std::size_t>(v.numel()) * dtype_size(v.dtype));
    }
}

StepResult TextWindows::finish(const StepContext&) {
  carry_on(train_);
  StepResult r;
  r.examples = symbols_per_step();
  return r;
}

Metrics TextWindows::validate() {
  for (const ModelParam& p : model_.params()) {
    View src = train_.machine->param(p.node), dst = eval_.machine->param(p.node);
    std::memcpy(dst.data, src.data, static_cast<std::size_t>(src.numel()) * dtype_size(src.dtype));
  }
  reset_carry(eval_);
  const TextStreams& s = *eval_.text;
  double total = 0;
  for (std::int64_t w = 0; w < s.windows(); ++w) {
    let_window(eval_, w);
    eval_.machine->run();
    total += scalar(eval_.machine->view(program_.objective));
    carry_on(eval_);
  }
  Metrics m;
  m.loss = total / static_cast<double>(s.windows());
  m.examples = s.windows() * s.streams() * window_;
  return m;
}

void TextWindows::save(SafetensorsFile& ck, TrainPosition&) {
  std::size_t k = 0;
  for (const UnrolledState& s : unrolled_.states)
    for (std::size_t j = 0; j < s.carry_in.size(); ++j)
      ck.tensors.emplace_back(kStatePrefix + s.name + "[-" + std::to_string(j + 1) + "]", train_.carry[k++]);
}

void TextWindows::restore(const SafetensorsFile& ck, const TrainPosition& position) {
  if (position.epoch_step >= steps_per_epoch())
    throw Error(ck.path + ": the checkpoint stopped at window " + std::to_string(position.epoch_step + 1) +
                " of an epoch, but this run's epoch has " + std::to_string(steps_per_epoch()) +
                " windows: resume with the window, batch and text it was trained with");
  std::size_t k = 0;
  for (const UnrolledState& st : unrolled_.states)
    for (std::size_t j = 0; j < st.carry_in.size(); ++j, ++k) {
      const std::string key = kStatePrefix + st.name + "[-" + std::to_string(j + 1) + "]";
      Tensor& c = train_.carry[k];
      expect_tensor(ck, key, c.dtype(), c.shape());
      std::memcpy(c.raw(), ck.find(key)->raw(), c.bytes());
    }
}

}  // namespace eq
