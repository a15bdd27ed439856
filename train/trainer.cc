#include "eq/train/trainer.hpp"

#include <chrono>
#include <cmath>

#include "eq/runtime/error.hpp"
#include "eq/runtime/init.hpp"
#include "eq/runtime/random.hpp"
#include "eq/train/example_batches.hpp"
#include "eq/train/text_windows.hpp"

namespace eq {
namespace {

// Independent generator streams of one seed, so that e.g. a change in the
// number of parameters never shifts the shuffles (ExampleBatches draws
// streams 1 and 2). Step seeds use one stream per step, far above these.
constexpr std::uint64_t kInitStream = 0;
constexpr std::uint64_t kStepSeedStreams = std::uint64_t{1} << 32;

double seconds_since(std::chrono::steady_clock::time_point t) {
  return std::chrono::duration<double>(std::chrono::steady_clock::now() - t).count();
}

double scalar(ConstView v) { return v.dtype == DType::f32 ? *v.as<float>() : *v.as<double>(); }

// After a step whose objective `loss` is not finite: re-runs the step in
// checking mode to find the first NaN / Inf and throws an eq::Error naming
// the step and that equation. Returns when `loss` is finite.
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

// The metrics of every rank's share of the held-out data, as one run over
// all of it would give them: losses and counts add up, and so do the
// confusion matrices (a rank with an empty share has none, so the class
// count comes from the ranks that have one).
Metrics sum_over_ranks(Communicator& comm, const Metrics& mine) {
  double loss = mine.loss * static_cast<double>(mine.examples);
  const bool scored = mine.accuracy.has_value();
  std::int64_t counts[4] = {
      mine.examples, scored ? std::llround(*mine.accuracy * static_cast<double>(mine.examples)) : 0,
      scored ? 1 : 0, mine.classes};
  comm.allreduce_sum(std::span(&loss, 1));
  comm.allreduce_sum(std::span<std::int64_t>(counts));
  Metrics m;
  m.examples = counts[0];
  m.loss = m.examples ? loss / static_cast<double>(m.examples) : 0;
  if (counts[2] > 0 && m.examples)
    m.accuracy = static_cast<double>(counts[1]) / static_cast<double>(m.examples);
  m.classes = counts[2] > 0 ? counts[3] / counts[2] : 0;
  if (m.classes > 0) {
    m.confusion = mine.confusion;
    m.confusion.resize(static_cast<std::size_t>(m.classes * m.classes), 0);
    comm.allreduce_sum(std::span<std::int64_t>(m.confusion));
  }
  return m;
}

}  // namespace

std::uint64_t step_seed(std::uint64_t seed, std::int64_t step) {
  return Rng(seed, kStepSeedStreams + static_cast<std::uint64_t>(step)).next_u64();
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

std::unique_ptr<TrainingData> training_data(Setup& setup, const Shard& shard) {
  check_train_config(setup.config, setup.source_name);
  if (shard.count < 1 || shard.index < 0 || shard.index >= shard.count)
    throw Error("shard " + std::to_string(shard.index) + " of " + std::to_string(shard.count) +
                " does not exist");
  if (setup.model->timed()) return std::make_unique<TextWindows>(setup, shard);
  return std::make_unique<ExampleBatches>(setup, shard);
}

Shard shard_of(const Communicator& comm) { return Shard{comm.rank(), comm.size()}; }

Trainer::Trainer(Setup& setup, Communicator& comm)
    : Trainer(setup, training_data(setup, shard_of(comm)), comm) {}

Trainer::Trainer(Setup& setup, std::unique_ptr<TrainingData> data, Communicator& comm)
    : setup_(setup), comm_(comm), data_(std::move(data)) {
  check_train_config(setup_.config, setup_.source_name);
  Machine& m = data_->machine();
  std::vector<SolverParam> sp;
  for (const ModelParam& p : setup_.model->params()) sp.push_back({p.name, m.param(p.node)});
  solver_ = std::make_unique<Solver>(setup_.config.solver, std::move(sp));
  grad_views_.resize(data_->program().grads.size());
  if (comm_.size() > 1) sum_ = std::make_unique<GradientSum>(comm_);
  total_steps();  // an epoch count past int64 steps is an error now, not a negative count
}

Trainer::~Trainer() = default;

std::int64_t Trainer::total_steps() const {
  const TrainConfig& c = setup_.config;
  if (c.steps) return *c.steps;
  const std::int64_t per_epoch = steps_per_epoch();
  std::int64_t total;
  if (__builtin_mul_overflow(c.epochs, per_epoch, &total))
    throw Error(setup_.source_name + ": epochs = " + std::to_string(c.epochs) + " of " +
                std::to_string(per_epoch) +
                " steps each is more steps than a run can count (at "
                "most 9223372036854775807); give fewer epochs");
  return total;
}

void Trainer::share_parameters() {
  if (comm_.size() == 1) return;
  for (const ModelParam& p : setup_.model->params()) {
    View v = machine().param(p.node);
    comm_.broadcast(std::span(static_cast<std::byte*>(v.data),
                              static_cast<std::size_t>(v.numel()) * dtype_size(v.dtype)));
  }
}

void Trainer::initialize() {
  Rng rng(setup_.config.seed, kInitStream);
  for (const ModelParam& p : setup_.model->params())
    eq::initialize(p.init, machine().param(p.node), rng);
  share_parameters();
  data_->parameters_changed();
}

namespace {

// set_params, and when the weights do not fit and were saved from another
// model's source, a message that says so, quoting where the sources part.
void set_params_of(const Setup& setup, const SafetensorsFile& weights, Machine& to) {
  try {
    set_params(*setup.model, weights, to);
  } catch (const Error& e) {
    if (!weights.metadata.contains("eq.source")) throw;
    const std::string differs =
        model_difference(setup, decode_metadata(weights.metadata, weights.path));
    if (differs.empty()) throw;
    throw Error(std::string(e.what()) + "\n" + weights.path + ": " + differs);
  }
}

}  // namespace

void Trainer::load_weights(const SafetensorsFile& weights) {
  set_params_of(setup_, weights, machine());
  share_parameters();
  data_->parameters_changed();
}

std::string Trainer::resume(const SafetensorsFile& ck) {
  // A checkpoint made in memory (Trainer::checkpoint()) has no path.
  const std::string name = ck.path.empty() ? std::string("the weights given to resume()") : ck.path;
  SavedModel s = decode_metadata(ck.metadata, name);
  if (!s.position) throw Error(name + ": not a checkpoint (no optimizer state or step count)");
  // The data order of the epoch in progress is redrawn from the saved
  // generator: only the same steps per epoch (batch, split, data) continue it.
  const TrainPosition& at = *s.position;
  const std::int64_t steps = steps_per_epoch();
  if ((at.epoch_steps > 0 && at.epoch_steps != steps) || at.epoch_step >= steps)
    throw Error(name + ": the checkpoint stopped at step " + std::to_string(at.epoch_step) +
                " of an epoch of " +
                (at.epoch_steps > 0 ? std::to_string(at.epoch_steps) : std::string("unknown")) +
                " steps, but this run's epoch has " + std::to_string(steps) +
                ": resume with the batch, validation share, window and data it was trained "
                "with");
  set_params_of(setup_, ck, machine());
  data_->restore(ck, *s.position);
  std::string warning;
  if (!restore_solver(*solver_, ck, s.position->step)) {
    const std::string now = setup_.config.solver.describe();
    warning =
        "warning: " + name + " was saved by " +
        (s.position->optimizer.empty() ? std::string("another optimizer") : s.position->optimizer) +
        ", this run uses " + now + ": the saved optimizer state is dropped, and " +
        std::string(solver_name(setup_.config.solver.kind)) + " starts afresh at step " +
        std::to_string(s.position->step) + "\n";
  }
  position_ = *s.position;
  epoch_loss_ = position_.epoch_loss_sum;
  epoch_examples_ = position_.epoch_examples;
  epoch_correct_ = position_.epoch_correct;
  return warning;
}

// One step: the data in, the run, the checks, the sum over ranks, the update.
StepResult Trainer::run_step(const TrainHooks& hooks) {
  const TrainingProgram& program = data_->program();
  Machine& m = machine();
  StepContext at{step() + 1, position_.epoch, position_.epoch_step, 0};
  at.seed = step_seed(setup_.config.seed, at.step);
  StepResult r;
  // With other ranks, an error here must reach them in the sum they are
  // waiting in (GradientSum), not leave them there.
  std::optional<std::string> error;
  try {
    data_->let(at);
    // Noise and dropout (docs/language.md §9) draw for example r of this step
    // from (seed, step, r) alone: a resumed run, or a rank's share, draws the
    // numbers the whole batch would.
    m.runtime().set_noise(setup_.config.seed, static_cast<std::uint64_t>(at.step),
                          data_->noise_row(at));
    if (hooks.before_run) hooks.before_run(m, at);
    m.run();
    const double loss = scalar(m.view(program.objective));
    stop_if_not_finite(m, loss, at.step);
    r = data_->finish(at);
    r.loss = loss;
    for (std::size_t i = 0; i < grad_views_.size(); ++i) grad_views_[i] = m.view(program.grads[i]);
  } catch (const Error& e) {
    if (!sum_) throw;
    error = e.what();
  }
  if (sum_) sum_->sum(grad_views_, r, error);
  solver_->step(grad_views_);
  return r;
}

Metrics Trainer::validate() {
  Metrics m = data_->validate();
  return comm_.size() > 1 ? sum_over_ranks(comm_, m) : m;
}

// The epoch's running metrics, and the held-out ones when a share is held out.
EpochReport Trainer::epoch_report(double seconds) {
  EpochReport e;
  e.epoch = position_.epoch + 1;
  e.step = step();
  e.seconds = seconds;
  e.train.examples = epoch_examples_;
  e.train.loss = epoch_examples_ ? epoch_loss_ / static_cast<double>(epoch_examples_) : 0;
  if (data_->scores_accuracy() && epoch_examples_)
    e.train.accuracy = static_cast<double>(epoch_correct_) / static_cast<double>(epoch_examples_);
  if (data_->validation_size() > 0) e.validation = validate();
  return e;
}

void Trainer::train(const TrainHooks& hooks) {
  const std::int64_t per_epoch = steps_per_epoch(), total = total_steps();
  const std::int64_t epochs =
      setup_.config.steps ? (total + per_epoch - 1) / per_epoch : setup_.config.epochs;
  // The ranks start the clock together: otherwise the first step's sum waits
  // for the slowest rank's start-up (compiling, loading its data), and rank
  // 0's first epoch and its examples/s count that wait as training.
  if (comm_.size() > 1) comm_.barrier();
  const auto start = std::chrono::steady_clock::now();
  auto epoch_start = start;
  double epochs_seconds = 0;  // of the epochs of this run already finished
  const std::int64_t first_step = step();
  std::int64_t examples_done = 0;
  while (step() < total) {
    if (position_.epoch_step == 0) {
      data_->begin_epoch();
      epoch_loss_ = 0;
      epoch_examples_ = epoch_correct_ = 0;
      epoch_start = std::chrono::steady_clock::now();
    }
    const StepResult r = run_step(hooks);
    epoch_loss_ += r.loss * static_cast<double>(r.examples);
    epoch_examples_ += r.examples;
    epoch_correct_ += r.correct;
    examples_done += r.examples;
    ++position_.epoch_step;
    const bool reports = comm_.rank() == 0;
    if (reports && hooks.on_step) {
      StepProgress p{position_.epoch + 1,
                     epochs,
                     position_.epoch_step,
                     per_epoch,
                     step(),
                     total,
                     r.loss,
                     0,
                     0,
                     0};
      p.seconds = epochs_seconds + seconds_since(epoch_start);
      const double seconds = seconds_since(start);
      if (seconds > 0) p.examples_per_second = static_cast<double>(examples_done) / seconds;
      if (step() > first_step)
        p.eta_seconds = seconds / static_cast<double>(step() - first_step) *
                        static_cast<double>(total - step());
      hooks.on_step(p);
    }
    const bool epoch_done = position_.epoch_step == per_epoch;
    if (epoch_done || step() == total) {
      const EpochReport e = epoch_report(seconds_since(epoch_start));
      epochs_seconds += e.seconds;
      if (epoch_done) ++position_.epoch, position_.epoch_step = 0;
      if (reports && hooks.on_epoch) hooks.on_epoch(e);
    }
    // Every rank makes the checkpoint (it gathers the carried states), so every
    // rank must agree on when: checkpoint_every decides, not whether a rank has
    // a hook.
    const bool every_rank = comm_.size() > 1;
    if (hooks.checkpoint_every > 0 && step() % hooks.checkpoint_every == 0 &&
        (hooks.on_checkpoint || every_rank)) {
      SafetensorsFile ck = checkpoint();
      if (reports && hooks.on_checkpoint) hooks.on_checkpoint(ck);
    }
    // A stop asked on any rank stops every rank after the same step.
    if (hooks.stop) {
      std::int64_t stop = hooks.stop() ? 1 : 0;
      if (comm_.size() > 1) comm_.allreduce_sum(std::span<std::int64_t>(&stop, 1));
      if (stop > 0) {
        if (hooks.on_stop) hooks.on_stop();
        return;
      }
    }
  }
}

SafetensorsFile Trainer::weights() {
  SafetensorsFile f;
  f.tensors = param_tensors(*setup_.model, machine());
  SavedModel s = saved_model(setup_);
  data_->describe(s);
  f.metadata = encode_metadata(s);
  return f;
}

SafetensorsFile Trainer::checkpoint() {
  SafetensorsFile f = weights();
  save_solver(*solver_, f);
  TrainPosition p = position_;
  data_->save(f, p, comm_);
  p.step = step();
  p.epoch_steps = steps_per_epoch();
  p.optimizer = setup_.config.solver.describe();
  // At an epoch's end the sums are the finished epoch's: none carry over.
  const bool mid_epoch = p.epoch_step > 0;
  p.epoch_loss_sum = mid_epoch ? epoch_loss_ : 0;
  p.epoch_examples = mid_epoch ? epoch_examples_ : 0;
  p.epoch_correct = mid_epoch ? epoch_correct_ : 0;
  SavedModel s = saved_model(setup_);
  data_->describe(s);
  s.position = p;
  f.metadata = encode_metadata(s);
  return f;
}

}  // namespace eq
