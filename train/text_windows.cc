#include "eq/train/text_windows.hpp"

#include <algorithm>
#include <cstring>

#include "eq/runtime/checked.hpp"
#include "eq/runtime/error.hpp"
#include "eq/runtime/format.hpp"
#include "eq/train/memory_plan.hpp"
#include "eq/train/program.hpp"

namespace eq {
namespace {

constexpr const char* kStatePrefix = "__state__.";

}  // namespace

TextWindows::TextWindows(Setup& setup, const Shard& shard)
    : model_(*setup.model), shard_(shard), batch_(setup.config.batch) {
  const TrainConfig& config = setup.config;
  const std::string& name = model_.source().name();
  require_loss(model_, true);
  const Sequence seq = sequence_of(setup);
  if (!seq.text && config.scale != Scaling::none)
    throw Error(name + ": scale = " + std::string(scaling_name(config.scale)) +
                " is not applied to the rows of a series yet; scale them in the equations "
                "(sₜ = xₜ / 100)");
  const TextLeaves leaves = seq.leaves;
  unit_ = seq.unit();
  window_ = config.window_steps();

  symbols_ = seq.size();
  const std::int64_t n = symbols_;
  train_end_ = held_out_start(n, config.validate);
  train_streams_ = std::make_unique<TextStreams>(
      seq.streams(0, train_end_, config.batch, window_, setup.data.source));
  if (shard.count > 1) {
    if (config.batch < shard.count)
      throw Error(name + ": batch = " + std::to_string(config.batch) +
                  " streams cannot be shared by " + std::to_string(shard.count) +
                  " processes; lower their number or raise batch");
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
    val_streams_ =
        std::make_unique<TextStreams>(seq.streams(train_end_, n, b, window_, setup.data.source));
    // This share's part of the held-out streams; with more shares than
    // streams, some have none.
    if (shard.end(b) > shard.begin(b))
      val_streams_ = std::make_unique<TextStreams>(
          val_streams_->share(shard.begin(b), shard.end(b) - shard.begin(b)));
    else
      val_streams_.reset();
  }

  unrolled_ = unroll(model_, static_cast<int>(window_));
  program_ = shard.count > 1 ? shared_training_program(model_, &unrolled_)
                             : training_program(model_, &unrolled_);
  std::vector<ir::Node> carry_out;
  for (const UnrolledState& s : unrolled_.states)
    carry_out.insert(carry_out.end(), s.carry_out.begin(), s.carry_out.end());
  Program train = compile(model_.graph(), program_.outputs(carry_out), training_options());
  // Held-out windows need no gradients. A share scores its part of the
  // held-out streams, or none when there are fewer streams than shares.
  TextScorer::Compiled scoring = TextScorer::compile(model_, unrolled_);
  const TextStreams* held_out = val_streams_     ? val_streams_.get()
                                : train_end_ < n ? nullptr
                                                 : train_streams_.get();
  const MemoryNeed needs[] = {
      {"the training program", plan_bytes(train.tape, train_streams_->streams())},
      {"the optimizer state", param_bytes(train.tape) * solver_slots(config.solver)},
      {"the held-out scoring",
       held_out ? plan_bytes(scoring.program.tape, held_out->streams()) : 0}};
  check_memory("training " + name, needs, local_copies(shard.count));
  train_ =
      std::make_unique<WindowRun>(model_, unrolled_, leaves, *train_streams_, std::move(train));
  set_share(train_->machine(), program_, train_streams_->streams(), batch_);
  if (held_out) {
    scorer_ = std::make_unique<TextScorer>(model_, unrolled_, *held_out, std::move(scoring));
    scorer_->set_noise_seed(config.seed);
  }
}

TextWindows::~TextWindows() = default;

StepResult TextWindows::finish(const StepContext&) {
  train_->carry_on();
  StepResult r;
  r.examples = symbols_per_step();
  return r;
}

Metrics TextWindows::validate() {
  if (!scorer_) return {};
  for (const ModelParam& p : model_.params()) {
    View src = train_->machine().param(p.node), dst = scorer_->machine().param(p.node);
    std::memcpy(dst.data, src.data, src.bytes());
  }
  return scorer_->score();
}

// The carried states of every share, gathered in rank order: shares are
// consecutive streams, so rank 0 lays the blocks back to back.
void TextWindows::save(SafetensorsFile& ck, TrainPosition&, Communicator& comm) {
  std::size_t k = 0;
  for (const UnrolledState& s : unrolled_.states)
    for (std::size_t j = 0; j < s.carry_in.size(); ++j) {
      const Tensor& mine = train_->carry()[k++];
      const std::vector<std::string> blocks =
          comm.gather(std::string_view(static_cast<const char*>(mine.raw()), mine.bytes()));
      if (comm.rank() != 0) continue;
      Tensor whole(mine.dtype(), mine.shape().drop_front().with_front(batch_));
      auto* out = static_cast<char*>(whole.raw());
      for (const std::string& b : blocks) out = std::copy(b.begin(), b.end(), out);
      EQ_ASSERT(out == static_cast<char*>(whole.raw()) + whole.bytes(),
                "gathered states do not fill the batch");
      ck.tensors.emplace_back(kStatePrefix + s.name + "[-" + std::to_string(j + 1) + "]",
                              std::move(whole));
    }
}

void TextWindows::restore(const SafetensorsFile& ck, const TrainPosition&) {
  // Trainer::resume has checked the position against this run's epoch.
  std::size_t k = 0;
  for (const UnrolledState& st : unrolled_.states)
    for (std::size_t j = 0; j < st.carry_in.size(); ++j, ++k) {
      const std::string key = kStatePrefix + st.name + "[-" + std::to_string(j + 1) + "]";
      Tensor& c = train_->carry()[k];
      expect_tensor(ck, key, c.dtype(), c.shape().drop_front().with_front(batch_));
      // This share's streams: rows [begin, end) of the whole batch.
      const std::size_t row = c.bytes() / static_cast<std::size_t>(c.shape()[0]);
      std::memcpy(c.raw(),
                  static_cast<const char*>(ck.find(key)->raw()) +
                      row * static_cast<std::size_t>(shard_.begin(batch_)),
                  c.bytes());
    }
  train_->restored();
}

}  // namespace eq
