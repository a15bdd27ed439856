// What a saved model keeps besides its weights (docs/language.md §8), and the
// safetensors files of weights and checkpoints.
//
// Weights file: one tensor per parameter under its canonical name, and in
// `__metadata__` (string → string; structured values as JSON text):
//   eq.format      "1"
//   eq.source      the whole `.eq` text;  eq.source_name  its file name
//   eq.dims        {"H": 128, ...}  every resolved dim
//   eq.labels      {"y": ["setosa", ...]}  class labels of one-hot targets
//   eq.vocabulary  the text vocabulary (UTF-8), when the data was text
//   eq.seed        the run's seed;  eq.dtype  "f32" / "f64"
//   eq.scale       {"x": {"offset": [...], "factor": [...]}} feature scaling
// A checkpoint adds the optimizer state as tensors "__opt__.<param>.<slot>"
// and the position: eq.step (solver steps taken), eq.epoch and
// eq.epoch_step (where in the epoch order), eq.rng (the shuffling generator
// as it was when the current epoch's order was drawn), eq.optimizer.
#pragma once

#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include "eq/runtime/safetensors.hpp"
#include "eq/runtime/solvers.hpp"

namespace eq {

// Per-feature affine scaling of an input: x' = (x − offset) · factor.
struct FeatureScale {
  std::vector<double> offset, factor;
};

struct TrainPosition {
  std::int64_t step = 0;         // solver steps taken
  std::int64_t epoch = 0;        // the epoch in progress (0-based)
  std::int64_t epoch_step = 0;   // batches of it already done
  std::string rng;               // Rng::serialize() before this epoch's shuffle
  std::string optimizer;         // SolverConfig::describe(), for messages
  std::int64_t epoch_steps = 0;  // steps per epoch of the run that saved it (0: not recorded)
  // The epoch's running metrics over its epoch_step batches, so that a run
  // resumed mid-epoch reports the whole epoch (absent in older files: the
  // resumed steps alone).
  double epoch_loss_sum = 0;  // Σ batch loss × batch examples
  std::int64_t epoch_examples = 0, epoch_correct = 0;
};

struct SavedModel {
  std::string source_name, source;
  std::map<std::string, std::int64_t> dims;
  std::map<std::string, std::vector<std::string>> labels;
  std::string vocabulary;
  std::uint64_t seed = 0;
  DType dtype = DType::f32;
  std::map<std::string, FeatureScale> scale;
  std::optional<TrainPosition> position;  // checkpoints only
};

// The prefix of optimizer state tensors in a checkpoint.
inline constexpr const char* kOptimizerPrefix = "__opt__.";

std::map<std::string, std::string> encode_metadata(const SavedModel& saved);
// Throws eq::Error naming `path` when a key eq needs is missing or malformed
// (a safetensors file not written by eq has no eq.source).
SavedModel decode_metadata(const std::map<std::string, std::string>& metadata,
                           const std::string& path);

// The solver's state as checkpoint tensors ("__opt__.<param>.<slot>"), and
// back: restore checks each tensor's dtype and shape and sets the step count.
// When the file's state tensors are not the ones `solver` takes (another
// optimizer saved them), none is restored and restore returns false: the
// caller warns that the state is dropped.
void save_solver(Solver& solver, SafetensorsFile& file);
bool restore_solver(Solver& solver, const SafetensorsFile& file, std::int64_t step);

}  // namespace eq
