#include "train/text_windows.hpp"

#include <cstring>

#include "runtime/checked.hpp"
#include "runtime/error.hpp"
#include "runtime/format.hpp"
#include "train/memory_plan.hpp"

namespace eq {
namespace {

constexpr const char* kStatePrefix = "__state__.";

}  // namespace

TextWindows::TextWindows(Setup& setup, const Shard& shard) : model_(*setup.model) {
  const TrainConfig& config = setup.config;
  const std::string& name = model_.source().name();
  if (!model_.loss()) throw Error(name + ": the model has no `lossₜ` equation to minimise");
  const Sequence seq = sequence_of(setup);
  const TextLeaves leaves = seq.leaves;
  unit_ = seq.unit();
  window_ = config.window > 0 ? config.window : 50;

  symbols_ = seq.size();
  const std::int64_t n = symbols_;
  train_end_ = held_out_start(n, config.validate);
  train_streams_ =
      std::make_unique<TextStreams>(seq.streams(0, train_end_, config.batch, window_, setup.data.source));
  if (shard.count > 1) {
    if (config.batch < shard.count)
      throw Error(name + ": batch = " + std::to_string(config.batch) + " streams cannot be shared by " +
                  std::to_string(shard.count) + " processes; lower their number or raise batch");
    const std::int64_t first = shard.begin(config.batch);
    first_stream_ = first;
    train_streams_ = std::make_unique<TextStreams>(
        train_streams_->share(first, shard.end(config.batch) - first));
  }
  if (train_end_ < n) {
    if (n - train_end_ < window_ + seq.lookahead())
      throw Error(name + ": validate = " + format_number(config.validate) + " holds out " +
                  std::to_string(n - train_end_) + " " + unit_ + ", fewer than one window of " +
                  std::to_string(window_) + " steps" + (seq.text ? " plus one" : "") +
                  "; raise validate or lower window");
    std::int64_t b = streams_for(n - train_end_, config.batch, window_);
    val_streams_ = std::make_unique<TextStreams>(seq.streams(train_end_, n, b, window_, setup.data.source));
  }

  unrolled_ = unroll(model_, static_cast<int>(window_));
  program_ = training_program(model_, &unrolled_);
  std::vector<ir::Node> carry_out;
  for (const UnrolledState& s : unrolled_.states)
    carry_out.insert(carry_out.end(), s.carry_out.begin(), s.carry_out.end());
  Program train = compile(model_.graph(), program_.outputs(carry_out), training_options());
  // Held-out windows need no gradients.
  TextScorer::Compiled scoring = TextScorer::compile(model_, unrolled_);
  const TextStreams& held_out = val_streams_ ? *val_streams_ : *train_streams_;
  const MemoryNeed needs[] = {
      {"the training program", plan_bytes(train.tape, train_streams_->streams())},
      {"the optimizer state", param_bytes(train.tape) * solver_slots(config.solver)},
      {"the held-out scoring", plan_bytes(scoring.program.tape, held_out.streams())}};
  check_memory("training " + name, needs);
  train_ = std::make_unique<WindowRun>(model_, unrolled_, leaves, *train_streams_, std::move(train));
  scorer_ = std::make_unique<TextScorer>(model_, unrolled_, held_out, std::move(scoring));
  scorer_->set_noise_seed(config.seed);
}

TextWindows::~TextWindows() = default;

StepResult TextWindows::finish(const StepContext&) {
  train_->carry_on();
  StepResult r;
  r.examples = symbols_per_step();
  return r;
}

Metrics TextWindows::validate() {
  for (const ModelParam& p : model_.params()) {
    View src = train_->machine().param(p.node), dst = scorer_->machine().param(p.node);
    std::memcpy(dst.data, src.data, src.bytes());
  }
  return scorer_->score();
}

void TextWindows::save(SafetensorsFile& ck, TrainPosition&) {
  std::size_t k = 0;
  for (const UnrolledState& s : unrolled_.states)
    for (std::size_t j = 0; j < s.carry_in.size(); ++j)
      ck.tensors.emplace_back(kStatePrefix + s.name + "[-" + std::to_string(j + 1) + "]", train_->carry()[k++]);
}

void TextWindows::restore(const SafetensorsFile& ck, const TrainPosition&) {
  // Trainer::resume has checked the position against this run's epoch.
  std::size_t k = 0;
  for (const UnrolledState& st : unrolled_.states)
    for (std::size_t j = 0; j < st.carry_in.size(); ++j, ++k) {
      const std::string key = kStatePrefix + st.name + "[-" + std::to_string(j + 1) + "]";
      Tensor& c = train_->carry()[k];
      expect_tensor(ck, key, c.dtype(), c.shape());
      std::memcpy(c.raw(), ck.find(key)->raw(), c.bytes());
    }
}

}  // namespace eq
