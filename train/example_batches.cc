#include "eq/train/example_batches.hpp"

#include <algorithm>
#include <cmath>

#include "eq/runtime/error.hpp"
#include "eq/runtime/format.hpp"
#include "eq/train/memory_plan.hpp"
#include "eq/train/program.hpp"

namespace eq {
namespace {

// Generator streams of the run's seed (stream 0 initialises: trainer.cc).
constexpr std::uint64_t kShuffleStream = 1, kSplitStream = 2;

}  // namespace

std::int64_t held_out_examples(std::int64_t n, double validate, const std::string& source) {
  const std::int64_t n_val = held_out_count(validate, n);
  if (validate > 0 && (n_val < 1 || n_val >= n))
    throw Error(source + ": validate = " + format_number(validate) + " of " + std::to_string(n) +
                " examples leaves an empty split");
  return n_val;
}

ExampleBatches::ExampleBatches(Setup& setup, const Shard& shard)
    : model_(*setup.model),
      config_(setup.config),
      shard_(shard),
      shuffle_rng_(setup.config.seed, kShuffleStream) {
  const std::string& name = model_.source().name();
  if (model_.timed())
    throw Error(name + ": a time model (names with ₜ) trains on text windows, not example batches");
  require_loss(model_, false);
  const std::int64_t n = setup.data.size();
  if (n < 1)
    throw Error(setup.data.source.empty()
                    ? name +
                          ": no data to train on (a Setup made with load_data = false has "
                          "none)"
                    : setup.data.source + ": the data has no examples");

  // The split: a seeded permutation; the first share is held out.
  std::vector<std::int64_t> all(static_cast<std::size_t>(n));
  for (std::int64_t i = 0; i < n; ++i) all[static_cast<std::size_t>(i)] = i;
  Rng split(config_.seed, kSplitStream);
  split.shuffle(all);
  const std::int64_t n_val = held_out_examples(n, config_.validate, setup.data.source);
  val_rows_.assign(all.begin(), all.begin() + n_val);
  train_rows_.assign(all.begin() + n_val, all.end());
  std::sort(train_rows_.begin(), train_rows_.end());  // shuffling starts from data order
  std::sort(val_rows_.begin(), val_rows_.end());
  const auto n_train = static_cast<std::int64_t>(train_rows_.size());
  const std::int64_t smallest = n_train % config_.batch ? n_train % config_.batch : config_.batch;
  // Every process takes part of every batch, the last of an epoch too.
  if (smallest < shard_.count) {
    const std::string whole = std::to_string(n_train / config_.batch) + " batch" +
                              (n_train / config_.batch == 1 ? "" : "es") + " of " +
                              std::to_string(config_.batch);
    throw Error(
        setup.data.source + ": " + std::to_string(n_train) + " training examples make " +
        (smallest == config_.batch ? "batches of " + std::to_string(smallest)
                                   : whole + " and a last one of " + std::to_string(smallest)) +
        " each epoch, too few to share among " + std::to_string(shard_.count) +
        " processes (each takes part of every batch); lower their number or " +
        (smallest == config_.batch
             ? std::string("raise batch")
             : "choose a batch whose last one holds at least " + std::to_string(shard_.count)));
  }

  // Weights trained on from keep the scaling they learnt with (Setup::start_scale).
  if (!setup.start_scale) {
    scale_ = fit_scale(setup.data, model_, train_rows_, config_.scale);
  } else {
    scale_ = *setup.start_scale;
    // An input the weights have no scaling for (one an edited model added),
    // in a run that scales: fitted, as a fresh run would (a second review
    // found it left unscaled, unsaid). Weights trained unscaled stay so.
    if (!scale_.empty() && config_.scale != Scaling::none)
      for (auto& [name, fitted] : fit_scale(setup.data, model_, train_rows_, config_.scale))
        scale_.emplace(name, std::move(fitted));
  }
  const std::int64_t eval_batch = std::max<std::int64_t>(config_.batch, 256);
  batches_ = std::make_unique<Batches>(setup.data, model_, scale_, eval_batch);

  program_ = shard_.count > 1 ? shared_training_program(model_) : training_program(model_);
  acc_ = accuracy_pair(model_, *batches_);
  std::vector<ir::Node> extra;
  if (acc_.output) extra.push_back(acc_.output);
  // Both programs are compiled, and their memory estimated, before either
  // allocates (the data is loaded already: the memory free now excludes it).
  Program train = compile(model_.graph(), program_.outputs(extra), training_options());
  Program eval = evaluation_program(model_, true);
  const MemoryNeed needs[] = {
      {"the training program", plan_bytes(train.tape, std::min(config_.batch, n_train))},
      {"the optimizer state", param_bytes(train.tape) * solver_slots(config_.solver)},
      {"the validation program", plan_bytes(eval.tape, batches_->max_batch())}};
  check_memory("training " + name, needs, local_copies(shard_.count));
  machine_ = std::make_unique<Machine>(std::move(train));
  evaluator_ = std::make_unique<Evaluator>(model_, std::move(eval));
  evaluator_->set_noise_seed(config_.seed);
  order_.reserve(train_rows_.size());
  epoch_rng_ = shuffle_rng_.serialize();
}

ExampleBatches::~ExampleBatches() = default;

std::int64_t ExampleBatches::steps_per_epoch() const {
  return (train_size() + config_.batch - 1) / config_.batch;
}

std::span<const std::int64_t> ExampleBatches::rows(std::int64_t epoch_step) const {
  const auto at = static_cast<std::size_t>(epoch_step * config_.batch);
  const auto b = static_cast<std::int64_t>(
      std::min(order_.size() - at, static_cast<std::size_t>(config_.batch)));
  return std::span<const std::int64_t>(order_).subspan(
      at + static_cast<std::size_t>(shard_.begin(b)),
      static_cast<std::size_t>(shard_.end(b) - shard_.begin(b)));
}

void ExampleBatches::begin_epoch() {
  epoch_rng_ = shuffle_rng_.serialize();
  order_ = train_rows_;  // same size: no allocation after the first epoch
  shuffle_rng_.shuffle(order_);
}

std::int64_t ExampleBatches::noise_row(const StepContext& step) const {
  const auto at = static_cast<std::size_t>(step.epoch_step * config_.batch);
  return shard_.begin(static_cast<std::int64_t>(
      std::min(order_.size() - at, static_cast<std::size_t>(config_.batch))));
}

void ExampleBatches::let(const StepContext& step) {
  const std::span<const std::int64_t> share = rows(step.epoch_step);
  batches_->let(*machine_, share);
  // The step's whole batch: the last one of an epoch may be partial.
  const auto at = static_cast<std::int64_t>(step.epoch_step * config_.batch);
  const std::int64_t whole =
      std::min<std::int64_t>(static_cast<std::int64_t>(order_.size()) - at, config_.batch);
  set_share(*machine_, program_, static_cast<std::int64_t>(share.size()), whole);
}

StepResult ExampleBatches::finish(const StepContext& step) {
  StepResult r;
  r.examples = static_cast<std::int64_t>(rows(step.epoch_step).size());
  if (acc_.output)
    r.correct = count_correct(acc_, machine_->view(acc_.output), *batches_, r.examples);
  return r;
}

Metrics ExampleBatches::validate() {
  const std::vector<std::int64_t>& rows = val_rows_.empty() ? train_rows_ : val_rows_;
  const auto n = static_cast<std::int64_t>(rows.size());
  const auto share =
      std::span(rows).subspan(static_cast<std::size_t>(shard_.begin(n)),
                              static_cast<std::size_t>(shard_.end(n) - shard_.begin(n)));
  if (share.empty()) return {};  // more ranks than held-out examples
  evaluator_->copy_params(*machine_);
  const std::int64_t batch = std::max<std::int64_t>(config_.batch, 256);
  return evaluator_->evaluate(*batches_, share, batch, shard_.begin(n));
}

void ExampleBatches::save(SafetensorsFile&, TrainPosition& position, Communicator&) {
  // Between epochs the next shuffle has not been drawn: save the generator as it is now.
  position.rng = position.epoch_step == 0 ? shuffle_rng_.serialize() : epoch_rng_;
}

void ExampleBatches::restore(const SafetensorsFile& ck, const TrainPosition& position) {
  try {
    shuffle_rng_.deserialize(position.rng);
  } catch (const Error& e) {
    throw Error(ck.path + ": metadata 'eq.rng': " + e.what());
  }
  epoch_rng_ = position.rng;
  if (position.epoch_step > 0) {  // redraw the order of the epoch in progress
    Rng rng = shuffle_rng_;
    order_ = train_rows_;
    rng.shuffle(order_);
    shuffle_rng_ = rng;
  }
}

}  // namespace eq
