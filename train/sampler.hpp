// Sampler: runs a time model one step at a time and feeds each sampled
// symbol back as the next input (`eqc sample`).
//
// It compiles the model's one-step graph (not an unrolled window) with the
// first `output` (a distribution over the vocabulary, e.g. ŷₜ = softmax(…))
// and every state's next value as outputs; each step lets the current symbol
// and the carried states in, runs, draws the next symbol from the output
// sharpened or flattened by the temperature, and carries the states on (a
// state read k steps back as k slots, StateCarry).
// `eqc predict` steps it through a text with reset() and feed(), reading
// the distribution of the next symbol after each.
#pragma once

#include <memory>
#include <string>
#include <vector>

#include "eq/compiler/lower/model.hpp"
#include "eq/compiler/machine.hpp"
#include "eq/runtime/random.hpp"
#include "eq/train/state_carry.hpp"

namespace eq {

class Sampler {
 public:
  // The model must be a time model with one one-hot input and an output of
  // the input's class count. Throws eq::Error otherwise.
  explicit Sampler(Model& model);

  // The Machine, to set the parameters before sampling.
  Machine& machine() { return *machine_; }
  // The class count of the one-hot input: symbols are 0 … classes − 1.
  std::int64_t classes() const { return classes_; }

  // Starts from the states' initial values, feeds `prime` (symbol indices),
  // then draws `count` symbols at `temperature` (> 0). Returns the drawn
  // symbols (not the prime). An empty prime starts from symbol 0.
  std::vector<std::int32_t> sample(const std::vector<std::int32_t>& prime, std::int64_t count,
                                   double temperature, Rng& rng);

  // What noise is drawn from (docs/language.md §9): step t since reset()
  // draws (seed, t, 0). 0 unless set.
  void set_noise_seed(std::uint64_t seed) { noise_seed_ = seed; }

  // The states back to their initial values, the step count to 0.
  void reset();
  // One step with `symbol` (in [0, classes())) as the input.
  void feed(std::int32_t symbol);
  // After feed(): the probability of each next symbol (a softmax output as
  // it is; any other output taken as logits and normalised).
  void probabilities(std::vector<double>& out) const;
  // After feed(): the output's values as they are (`eqc predict --values`).
  void values(std::vector<double>& out) const;
  // The output that values() reads.
  ir::Node output() const { return output_; }

 private:
  Model& model_;
  std::int64_t classes_ = 0;
  ir::Node input_, output_;
  std::unique_ptr<Machine> machine_;
  StateCarry carry_;
  Tensor symbol_;
  std::vector<double> weights_;
  std::uint64_t noise_seed_ = 0, steps_ = 0;
};

// `prime` (text) followed by `count` symbols drawn at `temperature`, as
// UTF-8; `vocabulary` is the saved one (symbol i is its i-th character),
// read from `origin` (named in errors). Throws eq::Error when the prime has a
// character outside the vocabulary or the vocabulary is not valid UTF-8.
std::string sample_text(Sampler& sampler, const std::string& vocabulary, const std::string& origin,
                        const std::string& prime, std::int64_t count, double temperature, Rng& rng);

// Draws an index from `probabilities` (n values ≥ 0, or logits when
// `logits`) at `temperature`: p_i^(1/T), renormalised.
std::int64_t draw(const double* values, std::int64_t n, bool logits, double temperature, Rng& rng,
                  std::vector<double>& scratch);

}  // namespace eq
