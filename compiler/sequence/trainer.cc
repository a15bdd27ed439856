#include "compiler/sequence/trainer.hpp"

#include <chrono>
#include <cmath>
#include <cstring>

#include "compiler/autodiff/grad.hpp"
#include "compiler/passes/pipeline.hpp"
#include "runtime/error.hpp"
#include "runtime/format.hpp"
#include "runtime/init.hpp"
#include "runtime/kernels.hpp"

namespace eq {
namespace {

constexpr std::uint64_t kInitStream = 0;
constexpr const char* kStatePrefix = "__state__.";

double seconds_since(std::chrono::steady_clock::time_point t) {
  return std::chrono::duration<double>(std::chrono::steady_clock::now() - t).count();
}

double scalar(ConstView v) { return v.dtype == DType::f32 ? *v.as<float>() : *v.as<double>(); }

// The most streams (≤ wanted) that still give every stream one full window.
std::int64_t streams_for(std::int64_t symbols, std::int64_t wanted, std::int64_t window) {
  std::int64_t b = wanted;
  while (b > 1 && symbols / b < window + 1) --b;
  return b;
}

}  // namespace

SequenceTrainer::SequenceTrainer(Setup& setup)
    : setup_(setup), model_(*setup.model), config_(setup.config) {
  const std::string& name = model_.source().name();
  if (!model_.loss()) throw Error(name + ": the model has no `lossₜ` equation to minimise");
  if (setup.text.numel() == 0)
    throw Error(name + ": a time model trains on text: set `data = text(\"file.txt\")`");
  for (const ModelLeaf& l : model_.inputs())
    if (l.onehot && analyze_name(l.name).timed) input_name_ = l.name;
  for (const ModelLeaf& l : model_.targets())
    if (l.onehot && analyze_name(l.name).timed) target_name_ = l.name;
  if (input_name_.empty() || target_name_.empty())
    throw Error(name + ": text data binds a one-hot input xₜ (the symbol at t) and a one-hot "
                       "target yₜ (the symbol at t+1); declare both");
  window_ = config_.window > 0 ? config_.window : 50;

  const std::int64_t n = setup.text.numel();
  train_end_ = n - static_cast<std::int64_t>(std::floor(config_.validate * static_cast<double>(n)));
  const std::string& text_file = setup.data.source;
  train_streams_ =
      std::make_unique<TextStreams>(setup.text, 0, train_end_, config_.batch, window_, text_file);
  if (train_end_ < n) {
    if (n - train_end_ < window_ + 1)
      throw Error(name + ": validate = " + format_number(config_.validate) + " holds out " +
                  std::to_string(n - train_end_) + " symbols, fewer than one window of " +
                  std::to_string(window_) + " steps plus one; raise validate or lower window");
    std::int64_t b = streams_for(n - train_end_, config_.batch, window_);
    val_streams_ = std::make_unique<TextStreams>(setup.text, train_end_, n, b, window_, text_file);
  }

  unrolled_ = unroll(model_, static_cast<int>(window_));
  std::vector<ir::Node> params;
  for (const ModelParam& p : model_.params()) params.push_back(p.node);
  // Stabilise before differentiating (passes/pipeline.hpp).
  objective_ = optimize(model_.graph(), {unrolled_.objective})[0];
  grads_ = grad(objective_, params);
  std::vector<ir::Node> carry_out;
  for (const UnrolledState& s : unrolled_.states)
    carry_out.insert(carry_out.end(), s.carry_out.begin(), s.carry_out.end());

  std::vector<ir::Node> outs{objective_};
  outs.insert(outs.end(), grads_.begin(), grads_.end());
  outs.insert(outs.end(), carry_out.begin(), carry_out.end());
  train_.machine = std::make_unique<Machine>(compile(model_.graph(), outs));
  train_.streams = train_streams_->streams();
  std::vector<ir::Node> eval_outs{objective_};
  eval_outs.insert(eval_outs.end(), carry_out.begin(), carry_out.end());
  eval_.machine = std::make_unique<Machine>(compile(model_.graph(), eval_outs));
  eval_.streams = val_streams_ ? val_streams_->streams() : train_.streams;
  for (Program* p : {&train_, &eval_})
    for (const UnrolledState& s : unrolled_.states)
      for (const ir::Node& leaf : s.carry_in)
        p->carry.emplace_back(leaf.dtype(), leaf.shape().example().with_front(p->streams));

  xs_ = train_streams_->make_step_tensors();
  ys_ = train_streams_->make_step_tensors();
  val_xs_ = (val_streams_ ? *val_streams_ : *train_streams_).make_step_tensors();
  val_ys_ = (val_streams_ ? *val_streams_ : *train_streams_).make_step_tensors();
  std::vector<SolverParam> sp;
  for (const ModelParam& p : model_.params()) sp.push_back({p.name, train_.machine->param(p.node)});
  solver_ = std::make_unique<Solver>(config_.solver, std::move(sp));
  grad_views_.resize(grads_.size());
}

SequenceTrainer::~SequenceTrainer() = default;

std::int64_t SequenceTrainer::total_steps() const {
  return config_.steps ? *config_.steps : config_.epochs * steps_per_epoch();
}

void SequenceTrainer::initialize() {
  Rng rng(config_.seed, kInitStream);
  for (const ModelParam& p : model_.params()) eq::initialize(p.init, train_.machine->param(p.node), rng);
  reset_carry(train_);
}

void SequenceTrainer::load_weights(const SafetensorsFile& weights) {
  set_params(model_, weights, *train_.machine);
  reset_carry(train_);
}

// Every stream starts from the state's initial value: a number, or a learnt
// parameter [H] repeated over the streams.
void SequenceTrainer::reset_carry(Program& p) {
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
          for (std::int64_t b = 0; b < p.streams; ++b)
            std::memcpy(static_cast<char*>(c.raw()) + static_cast<std::size_t>(b) * row, v.data, row);
        }
    }
}

double SequenceTrainer::run_window(Program& p, const TextStreams& streams, std::int64_t w, bool learn) {
  Machine& m = *p.machine;
  // Validation may have fewer streams than training: each has its tensors.
  std::vector<Tensor>* x = learn ? &xs_ : &val_xs_;
  std::vector<Tensor>* y = learn ? &ys_ : &val_ys_;
  streams.fill(w, *x, *y);
  const std::vector<ir::Node>& in = unrolled_.inputs.at(input_name_);
  const std::vector<ir::Node>& out = unrolled_.inputs.at(target_name_);
  for (std::int64_t t = 0; t < window_; ++t) {
    m.let(in[static_cast<std::size_t>(t)], (*x)[static_cast<std::size_t>(t)]);
    m.let(out[static_cast<std::size_t>(t)], (*y)[static_cast<std::size_t>(t)]);
  }
  std::size_t k = 0;
  for (const UnrolledState& s : unrolled_.states)
    for (const ir::Node& leaf : s.carry_in) m.let(leaf, p.carry[k++]);
  m.run();
  const double loss = scalar(m.view(objective_));
  stop_if_not_finite(m, loss, step() + 1);
  if (learn) {
    for (std::size_t i = 0; i < grads_.size(); ++i) grad_views_[i] = m.view(grads_[i]);
    solver_->step(grad_views_);
  }
  k = 0;
  for (const UnrolledState& s : unrolled_.states)
    for (const ir::Node& last : s.carry_out) {
      ConstView v = m.view(last);
      std::memcpy(p.carry[k++].raw(), v.data, static_cast<std::size_t>(v.numel()) * dtype_size(v.dtype));
    }
  return loss;
}

Metrics SequenceTrainer::validate() {
  for (const ModelParam& p : model_.params()) {
    View src = train_.machine->param(p.node), dst = eval_.machine->param(p.node);
    std::memcpy(dst.data, src.data, static_cast<std::size_t>(src.numel()) * dtype_size(src.dtype));
  }
  const TextStreams& s = val_streams_ ? *val_streams_ : *train_streams_;
  reset_carry(eval_);
  Metrics m;
  double total = 0;
  for (std::int64_t w = 0; w < s.windows(); ++w) total += run_window(eval_, s, w, false);
  m.loss = total / static_cast<double>(s.windows());
  m.examples = s.windows() * s.streams() * window_;
  return m;
}

void SequenceTrainer::train(const TrainHooks& hooks) {
  const std::int64_t per_epoch = steps_per_epoch(), total = total_steps();
  const std::int64_t epochs = config_.steps ? (total + per_epoch - 1) / per_epoch : config_.epochs;
  const auto start = std::chrono::steady_clock::now();
  auto epoch_start = start;
  const std::int64_t first_step = step();
  while (step() < total) {
    if (position_.epoch_step == 0) {
      reset_carry(train_);
      epoch_loss_ = 0;
      epoch_windows_ = 0;
      epoch_start = std::chrono::steady_clock::now();
    }
    const double loss = run_window(train_, *train_streams_, position_.epoch_step, true);
    epoch_loss_ += loss;
    ++epoch_windows_;
    ++position_.epoch_step;
    if (hooks.on_step)
      hooks.on_step(step_progress(position_, epochs, per_epoch, step(), total, first_step, loss,
                                  static_cast<double>((step() - first_step) * symbols_per_step()),
                                  seconds_since(start)));
    const bool epoch_done = position_.epoch_step == per_epoch;
    if (epoch_done || step() == total) {
      EpochReport r;
      r.epoch = position_.epoch + 1;
      r.step = step();
      r.seconds = seconds_since(epoch_start);
      r.train.loss = epoch_loss_ / static_cast<double>(std::max<std::int64_t>(epoch_windows_, 1));
      r.train.examples = epoch_windows_ * symbols_per_step();
      if (val_streams_) r.validation = validate();
      if (epoch_done) ++position_.epoch, position_.epoch_step = 0;
      if (hooks.on_epoch) hooks.on_epoch(r);
    }
    if (hooks.checkpoint_every > 0 && step() % hooks.checkpoint_every == 0 && hooks.on_checkpoint)
      hooks.on_checkpoint(checkpoint());
  }
}

SafetensorsFile SequenceTrainer::weights() {
  SafetensorsFile f;
  f.tensors = param_tensors(model_, *train_.machine);
  f.metadata = encode_metadata(saved_model(setup_));
  return f;
}

SafetensorsFile SequenceTrainer::checkpoint() {
  SafetensorsFile f = weights();
  save_solver(*solver_, f);
  std::size_t k = 0;
  for (const UnrolledState& s : unrolled_.states)
    for (std::size_t j = 0; j < s.carry_in.size(); ++j)
      f.tensors.emplace_back(kStatePrefix + s.name + "[-" + std::to_string(j + 1) + "]", train_.carry[k++]);
  SavedModel s = saved_model(setup_);
  TrainPosition p = position_;
  p.step = step();
  p.optimizer = config_.solver.describe();
  s.position = p;
  f.metadata = encode_metadata(s);
  return f;
}

void SequenceTrainer::resume(const SafetensorsFile& ck) {
  SavedModel s = decode_metadata(ck.metadata, ck.path);
  if (!s.position) throw Error(ck.path + ": not a checkpoint (no optimizer state or step count)");
  set_params(model_, ck, *train_.machine);
  if (s.position->epoch_step >= steps_per_epoch())
    throw Error(ck.path + ": the checkpoint stopped at window " + std::to_string(s.position->epoch_step + 1) +
                " of an epoch, but this run's epoch has " + std::to_string(steps_per_epoch()) +
                " windows: resume with the window, batch and text it was trained with");
  restore_solver(*solver_, ck, s.position->step);
  position_ = *s.position;
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
