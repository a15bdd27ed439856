#include "compiler/train/session.hpp"

#include <chrono>
#include <cmath>
#include <cstring>

#include "compiler/autodiff/grad.hpp"
#include "compiler/ir/builders.hpp"
#include "compiler/passes/pipeline.hpp"
#include "runtime/error.hpp"
#include "runtime/init.hpp"

namespace eq {
namespace {

// Independent generator streams of one seed, so that e.g. a change in the
// number of parameters never shifts the shuffles.
constexpr std::uint64_t kInitStream = 0, kShuffleStream = 1, kSplitStream = 2;

double seconds_since(std::chrono::steady_clock::time_point t) {
  return std::chrono::duration<double>(std::chrono::steady_clock::now() - t).count();
}

}  // namespace

void stop_if_not_finite(Machine& machine, double loss, std::int64_t step) {
  if (std::isfinite(loss)) return;
  std::string where;
  machine.set_check_finite(true);
  try {
    machine.run();
  } catch (const Error& e) {
    where = e.what();
  }
  machine.set_check_finite(false);
  throw Error("training stopped at step " + std::to_string(step) + ": the loss is " +
              (std::isnan(loss) ? "NaN" : "infinite") +
              (where.empty() ? std::string() : "; the first non-finite value:\n" + where) +
              (where.empty() || where.back() == '\n' ? "" : "\n"));
}

StepProgress step_progress(const TrainPosition& position, std::int64_t epochs, std::int64_t per_epoch,
                           std::int64_t step, std::int64_t total, std::int64_t first_step, double loss,
                           double examples, double seconds) {
  StepProgress p{position.epoch + 1, epochs, position.epoch_step, per_epoch, step, total, loss, 0, 0};
  p.examples_per_second = seconds > 0 ? examples / seconds : 0;
  if (step > first_step) p.eta_seconds = seconds / static_cast<double>(step - first_step) * static_cast<double>(total - step);
  return p;
}

SavedModel saved_model(const Setup& setup) {
  SavedModel s;
  s.source_name = setup.source_name;
  s.source = setup.source;
  s.dims = setup.model->dims();
  s.labels = setup.labels;
  s.vocabulary = setup.vocabulary;
  s.seed = setup.config.seed;
  s.dtype = setup.config.dtype;
  return s;
}

Trainer::Trainer(Setup& setup)
    : setup_(setup), model_(*setup.model), config_(setup.config),
      shuffle_rng_(setup.config.seed, kShuffleStream) {
  const std::string& name = model_.source().name();
  if (model_.timed())
    throw Error(name + ": a time model (names with ₜ) trains with SequenceTrainer, not Trainer");
  if (!model_.loss()) throw Error(name + ": the model has no `loss` equation to minimise");
  const std::int64_t n = setup.data.size();
  if (n < 1) throw Error(setup.data.source + ": the data has no examples");

  // The split: a seeded permutation; the first share is held out.
  std::vector<std::int64_t> all(static_cast<std::size_t>(n));
  for (std::int64_t i = 0; i < n; ++i) all[static_cast<std::size_t>(i)] = i;
  Rng split(config_.seed, kSplitStream);
  split.shuffle(all);
  const auto n_val = static_cast<std::int64_t>(std::floor(config_.validate * static_cast<double>(n)));
  if (config_.validate > 0 && (n_val < 1 || n_val >= n))
    throw Error(setup.data.source + ": validate = " + std::to_string(config_.validate) + " of " +
                std::to_string(n) + " examples leaves an empty split");
  val_rows_.assign(all.begin(), all.begin() + n_val);
  train_rows_.assign(all.begin() + n_val, all.end());
  std::sort(train_rows_.begin(), train_rows_.end());  // shuffling starts from data order
  std::sort(val_rows_.begin(), val_rows_.end());

  scale_ = fit_scale(setup.data, model_, train_rows_, config_.scale);
  const std::int64_t eval_batch = std::max<std::int64_t>(config_.batch, 256);
  batches_ = std::make_unique<Batches>(setup.data, model_, scale_, eval_batch);

  // The training program.
  acc_ = accuracy_pair(model_);
  // Stabilise the loss before differentiating it (passes/pipeline.hpp):
  // log(softmax(z)) must become logsoftmax(z) for its gradient to stay finite.
  const ir::Node loss = optimize(model_.graph(), {model_.loss()})[0];
  objective_ = ir::sum(loss, 0) / ir::batch_size(loss);
  std::vector<ir::Node> params;
  for (const ModelParam& p : model_.params()) params.push_back(p.node);
  grads_ = grad(objective_, params);
  std::vector<ir::Node> outs{objective_};
  outs.insert(outs.end(), grads_.begin(), grads_.end());
  if (acc_.output) outs.push_back(acc_.output);
  machine_ = std::make_unique<Machine>(compile(model_.graph(), outs));
  evaluator_ = std::make_unique<Evaluator>(model_, true);

  std::vector<SolverParam> sp;
  for (const ModelParam& p : model_.params()) sp.push_back({p.name, machine_->param(p.node)});
  solver_ = std::make_unique<Solver>(config_.solver, std::move(sp));
  grad_views_.resize(grads_.size());
  order_.reserve(train_rows_.size());
  position_.rng = shuffle_rng_.serialize();
}

Trainer::~Trainer() = default;

std::int64_t Trainer::steps_per_epoch() const {
  return (train_examples() + config_.batch - 1) / config_.batch;
}

std::int64_t Trainer::total_steps() const {
  return config_.steps ? *config_.steps : config_.epochs * steps_per_epoch();
}

void Trainer::initialize() {
  Rng rng(config_.seed, kInitStream);
  for (const ModelParam& p : model_.params()) eq::initialize(p.init, machine_->param(p.node), rng);
}

void Trainer::load_weights(const SafetensorsFile& weights) { set_params(model_, weights, *machine_); }

void Trainer::resume(const SafetensorsFile& ck) {
  SavedModel s = decode_metadata(ck.metadata, ck.path);
  if (!s.position) throw Error(ck.path + ": not a checkpoint (no optimizer state or step count)");
  set_params(model_, ck, *machine_);
  restore_solver(*solver_, ck, s.position->step);
  position_ = *s.position;
  try {
    shuffle_rng_.deserialize(position_.rng);
  } catch (const Error& e) {
    throw Error(ck.path + ": metadata 'eq.rng': " + e.what());
  }
  if (position_.epoch_step > 0) {  // redraw the order of the epoch in progress
    Rng rng = shuffle_rng_;
    order_ = train_rows_;
    rng.shuffle(order_);
    shuffle_rng_ = rng;
  }
}

void Trainer::begin_epoch() {
  position_.rng = shuffle_rng_.serialize();
  order_ = train_rows_;  // same size: no allocation after the first epoch
  shuffle_rng_.shuffle(order_);
  epoch_loss_ = 0;
  epoch_examples_ = epoch_correct_ = 0;
}

void Trainer::run_step(std::span<const std::int64_t> rows) {
  batches_->let(*machine_, rows);
  machine_->run();
  ConstView obj = machine_->view(objective_);
  const double loss = obj.dtype == DType::f32 ? *obj.as<float>() : *obj.as<double>();
  stop_if_not_finite(*machine_, loss, step() + 1);
  for (std::size_t i = 0; i < grads_.size(); ++i) grad_views_[i] = machine_->view(grads_[i]);
  solver_->step(grad_views_);
  const auto b = static_cast<std::int64_t>(rows.size());
  epoch_loss_ += loss * static_cast<double>(b);
  epoch_examples_ += b;
  if (acc_.output) {
    ConstView y = machine_->view(acc_.output);
    const std::int32_t* k = batches_->staged_classes(acc_.target);
    const std::int64_t n = y.shape.last();
    const std::size_t rb = static_cast<std::size_t>(n) * dtype_size(y.dtype);
    for (std::int64_t i = 0; k && i < b; ++i)
      epoch_correct_ += argmax(static_cast<const char*>(y.data) + static_cast<std::size_t>(i) * rb,
                               y.dtype, n) == k[i];
  }
}

Metrics Trainer::validate() {
  evaluator_->copy_params(*machine_);
  const std::int64_t batch = std::max<std::int64_t>(config_.batch, 256);
  return evaluator_->evaluate(*batches_, val_rows_.empty() ? train_rows_ : val_rows_, batch);
}

void Trainer::train(const TrainHooks& hooks) {
  const std::int64_t per_epoch = steps_per_epoch(), total = total_steps();
  const std::int64_t epochs = config_.steps ? (total + per_epoch - 1) / per_epoch : config_.epochs;
  const auto start = std::chrono::steady_clock::now();
  auto epoch_start = start;
  const std::int64_t first_step = step();
  std::int64_t examples_done = 0;
  while (step() < total) {
    if (position_.epoch_step == 0) {
      begin_epoch();
      epoch_start = std::chrono::steady_clock::now();
    }
    const auto at = static_cast<std::size_t>(position_.epoch_step * config_.batch);
    const std::size_t b = std::min(order_.size() - at, static_cast<std::size_t>(config_.batch));
    const double loss_before = epoch_loss_;
    run_step(std::span<const std::int64_t>(order_).subspan(at, b));
    examples_done += static_cast<std::int64_t>(b);
    ++position_.epoch_step;
    if (hooks.on_step)
      hooks.on_step(step_progress(position_, epochs, per_epoch, step(), total, first_step,
                                  (epoch_loss_ - loss_before) / static_cast<double>(b),
                                  static_cast<double>(examples_done), seconds_since(start)));
    const bool epoch_done = position_.epoch_step == per_epoch;
    if (epoch_done || step() == total) {
      EpochReport r;
      r.epoch = position_.epoch + 1;
      r.step = step();
      r.seconds = seconds_since(epoch_start);
      r.train.examples = epoch_examples_;
      r.train.loss = epoch_examples_ ? epoch_loss_ / static_cast<double>(epoch_examples_) : 0;
      if (acc_.output && epoch_examples_)
        r.train.accuracy = static_cast<double>(epoch_correct_) / static_cast<double>(epoch_examples_);
      if (!val_rows_.empty()) r.validation = validate();
      if (epoch_done) ++position_.epoch, position_.epoch_step = 0;
      if (hooks.on_epoch) hooks.on_epoch(r);
    }
    if (hooks.checkpoint_every > 0 && step() % hooks.checkpoint_every == 0 && hooks.on_checkpoint)
      hooks.on_checkpoint(checkpoint());
  }
}

SavedModel Trainer::saved() const {
  SavedModel s = saved_model(setup_);
  s.scale = scale_;
  return s;
}

SafetensorsFile Trainer::weights() {
  SafetensorsFile f;
  f.tensors = param_tensors(model_, *machine_);
  f.metadata = encode_metadata(saved());
  return f;
}

SafetensorsFile Trainer::checkpoint() {
  SafetensorsFile f = weights();
  save_solver(*solver_, f);
  SavedModel s = saved();
  TrainPosition p = position_;
  p.step = step();
  // Between epochs the next shuffle has not been drawn: save the generator as it is now.
  if (p.epoch_step == 0) p.rng = shuffle_rng_.serialize();
  p.optimizer = config_.solver.describe();
  s.position = p;
  f.metadata = encode_metadata(s);
  return f;
}

}  // namespace eq
