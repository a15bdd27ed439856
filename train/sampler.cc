#include "eq/train/sampler.hpp"

#include <algorithm>
#include <cmath>

#include "eq/runtime/data.hpp"
#include "eq/runtime/error.hpp"
#include "eq/runtime/kernels.hpp"
#include "eq/runtime/utf8.hpp"
#include "eq/train/vocabulary.hpp"

namespace eq {

Sampler::Sampler(Model& model) : model_(model), carry_(model, {}), symbol_(DType::i32, Shape{1}) {
  if (!model.timed())
    throw Error("sampling needs a time model (one with hₜ and hₜ₋₁); this one has no recurrence");
  for (const ModelLeaf& leaf : model.inputs())
    if (leaf.onehot) {
      input_ = leaf.node;
      classes_ = leaf.onehot;
      break;
    }
  if (!input_)
    throw Error("sampling needs a one-hot input (input xₜ : onehot[V]) to feed symbols back");
  for (const auto& [name, node] : model.outputs())
    if (node.shape().example() == Shape{classes_}) {
      output_ = node;
      break;
    }
  if (!output_)
    throw Error("sampling needs an output over the " + std::to_string(classes_) +
                " symbols (e.g. `output ŷₜ` with ŷₜ = softmax(…))");
  carry_ = StateCarry(model, {output_});
  std::vector<ir::Node> outputs{output_};
  for (ir::Node next : carry_.next_values()) outputs.push_back(next);
  check_reads_no_target(model, outputs, "sampling");
  machine_ = std::make_unique<Machine>(compile(model.graph(), outputs));
}

void Sampler::reset() {
  steps_ = 0;
  carry_.reset(model_, *machine_);
}

void Sampler::feed(std::int32_t symbol) {
  symbol_.data<std::int32_t>()[0] = symbol;
  machine_->let(input_, symbol_);
  carry_.let(*machine_);
  machine_->runtime().set_noise(noise_seed_, steps_++, 0);
  machine_->run();
  carry_.advance(*machine_);
}

std::int64_t draw(const double* values, std::int64_t n, bool logits, double temperature, Rng& rng,
                  std::vector<double>& scratch) {
  if (!(temperature > 0)) throw Error("the temperature must be greater than 0");
  scratch.resize(static_cast<std::size_t>(n));
  // In log space: log p / T, shifted by the max, so small T stays finite.
  double top = -INFINITY;
  for (std::int64_t i = 0; i < n; ++i) {
    double l = logits ? values[i] : std::log(std::max(values[i], 0.0));
    scratch[static_cast<std::size_t>(i)] = l / temperature;
    top = std::max(top, scratch[static_cast<std::size_t>(i)]);
  }
  double total = 0;
  for (double& w : scratch) total += (w = std::exp(w - top));
  double u = rng.uniform() * total;
  for (std::int64_t i = 0; i < n; ++i) {
    u -= scratch[static_cast<std::size_t>(i)];
    if (u < 0) return i;
  }
  return n - 1;
}

void Sampler::values(std::vector<double>& out) const {
  ConstView y = machine_->view(output_);
  out.resize(static_cast<std::size_t>(classes_));
  for (std::int64_t k = 0; k < classes_; ++k)
    out[static_cast<std::size_t>(k)] = y.dtype == DType::f32 ? y.as<float>()[k] : y.as<double>()[k];
}

void Sampler::probabilities(std::vector<double>& out) const {
  values(out);
  if (output_.op() == ir::Op::softmax) return;
  double top = -INFINITY, total = 0;
  for (double v : out) top = std::max(top, v);
  for (double& v : out) total += (v = std::exp(v - top));
  for (double& v : out) v /= total;
}

std::vector<std::int32_t> Sampler::sample(const std::vector<std::int32_t>& prime,
                                          std::int64_t count, double temperature, Rng& rng) {
  reset();
  for (std::int32_t s : prime)
    if (s < 0 || s >= classes_)
      throw Error("symbol " + std::to_string(s) + " is outside the vocabulary of " +
                  std::to_string(classes_));
  std::vector<std::int32_t> out;
  std::vector<std::int32_t> first = prime.empty() ? std::vector<std::int32_t>{0} : prime;
  for (std::int32_t s : first) feed(s);
  std::vector<double> probs(static_cast<std::size_t>(classes_));
  // A softmax output is a distribution; anything else is taken as logits.
  bool logits = output_.op() != ir::Op::softmax;
  for (std::int64_t i = 0; i < count; ++i) {
    ConstView y = machine_->view(output_);
    for (std::int64_t k = 0; k < classes_; ++k)
      probs[static_cast<std::size_t>(k)] =
          y.dtype == DType::f32 ? y.as<float>()[k] : y.as<double>()[k];
    std::int32_t next =
        static_cast<std::int32_t>(draw(probs.data(), classes_, logits, temperature, rng, weights_));
    out.push_back(next);
    if (i + 1 < count) feed(next);
  }
  return out;
}

std::string sample_text(Sampler& sampler, const std::string& vocabulary, const std::string& origin,
                        const std::string& prime, std::int64_t count, double temperature,
                        Rng& rng) {
  // Every symbol drawn names a character of the vocabulary (checked).
  const std::vector<std::string> symbols =
      vocabulary_symbols(vocabulary, origin, sampler.classes());
  std::vector<std::int32_t> prime_symbols;
  if (!prime.empty()) {
    Tensor t = encode_text(prime, vocabulary, origin, "--prime");
    for (std::int64_t i = 0; i < t.numel(); ++i) prime_symbols.push_back(t.data<std::int32_t>()[i]);
  }
  std::string text = prime;
  for (std::int32_t s : sampler.sample(prime_symbols, count, temperature, rng))
    text += symbols.at(static_cast<std::size_t>(s));
  return text;
}

}  // namespace eq
