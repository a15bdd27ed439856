// ExampleBatches: the TrainingData of an ordinary model (training_data.hpp)
// — examples in shuffled batches.
//
// The data is split once (seeded) into a training part and a held-out
// validation share; each epoch visits the training part in a fresh seeded
// shuffle, in batches of `batch`, the last one partial. The training program
// is training_program()'s objective and gradients plus the output accuracy
// is read from. A checkpoint keeps the shuffling generator's state before
// the epoch's shuffle, so a resumed run draws the same batches. With a
// Shard, each step runs on that share of its batch (every batch must have
// at least one example per share) and validation scores that share of the
// held-out examples.
#pragma once

#include <map>
#include <memory>
#include <string>
#include <vector>

#include "eq/runtime/random.hpp"
#include "eq/train/setup.hpp"
#include "eq/train/training_data.hpp"

namespace eq {

// Examples held out of `n` for validation (validate: the share, 0 … 1);
// eq::Error, naming `source`, when that leaves one side empty.
std::int64_t held_out_examples(std::int64_t n, double validate, const std::string& source);

class ExampleBatches : public TrainingData {
 public:
  // Rejects time models (TextWindows trains those), models without `loss`,
  // data with fewer examples than a split needs, and batches too small to
  // share.
  explicit ExampleBatches(Setup& setup, const Shard& shard = {});
  ~ExampleBatches() override;

  Machine& machine() override { return *machine_; }
  const TrainingProgram& program() const override { return program_; }
  std::int64_t steps_per_epoch() const override;
  std::int64_t train_size() const override { return static_cast<std::int64_t>(train_rows_.size()); }
  std::int64_t validation_size() const override {
    return static_cast<std::int64_t>(val_rows_.size());
  }
  const char* unit() const override { return "examples"; }
  bool scores_accuracy() const override { return static_cast<bool>(acc_.output); }

  void begin_epoch() override;
  void let(const StepContext& step) override;
  std::int64_t noise_row(const StepContext& step) const override;
  StepResult finish(const StepContext& step) override;
  Metrics validate() override;
  void save(SafetensorsFile& checkpoint, TrainPosition& position, Communicator& comm) override;
  void restore(const SafetensorsFile& checkpoint, const TrainPosition& position) override;
  void describe(SavedModel& saved) const override { saved.scale = scale_; }

 private:
  // This share's rows of step `epoch_step` of the current order.
  std::span<const std::int64_t> rows(std::int64_t epoch_step) const;

  Model& model_;
  const TrainConfig& config_;
  Shard shard_;
  std::vector<std::int64_t> train_rows_, val_rows_, order_;
  std::map<std::string, FeatureScale> scale_;
  std::unique_ptr<Batches> batches_;
  TrainingProgram program_;
  AccuracyPair acc_;
  std::unique_ptr<Machine> machine_;
  std::unique_ptr<Evaluator> evaluator_;
  Rng shuffle_rng_;
  std::string epoch_rng_;  // shuffle_rng_ before the current epoch's shuffle
};

}  // namespace eq
