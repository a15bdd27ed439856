#include "eq/train/evaluate.hpp"

#include <algorithm>
#include <cmath>
#include <cstring>

#include "eq/runtime/checked.hpp"
#include "eq/runtime/error.hpp"
#include "eq/runtime/format.hpp"

namespace eq {
namespace {

// A batch of no rows would never get through the data.
void check_batch(std::int64_t batch) {
  if (batch < 1)
    throw Error("the batch of an evaluation must be at least 1 example; got " +
                std::to_string(batch));
}

std::vector<std::int64_t> all_rows(std::int64_t n) {
  std::vector<std::int64_t> rows(static_cast<std::size_t>(n));
  for (std::int64_t i = 0; i < n; ++i) rows[static_cast<std::size_t>(i)] = i;
  return rows;
}

}  // namespace

std::map<std::string, FeatureScale> fit_scale(const Dataset& data, const Model& model,
                                              std::span<const std::int64_t> rows, Scaling how) {
  std::map<std::string, FeatureScale> out;
  if (how == Scaling::none || rows.empty()) return out;
  for (const ModelLeaf& leaf : model.inputs()) {
    const DataColumn* c = data.find(leaf.name);
    if (!c || leaf.onehot || c->values.dtype() == DType::i32) continue;
    const std::int64_t n = c->values.shape()[0];
    const std::int64_t f = n ? c->values.numel() / n : 0;
    const Tensor f64 = c->values.dtype() == DType::f64 ? Tensor() : c->values.to(DType::f64);
    const double* v = (c->values.dtype() == DType::f64 ? c->values : f64).data<double>();
    FeatureScale s;
    s.offset.assign(static_cast<std::size_t>(f), 0.0);
    s.factor.assign(static_cast<std::size_t>(f), 1.0);
    for (std::int64_t j = 0; j < f; ++j) {
      double lo = INFINITY, hi = -INFINITY, sum = 0, sq = 0;
      for (std::int64_t r : rows) {
        const double x = v[r * f + j];
        lo = std::min(lo, x), hi = std::max(hi, x), sum += x;
      }
      const double mean = sum / static_cast<double>(rows.size());
      for (std::int64_t r : rows) sq += (v[r * f + j] - mean) * (v[r * f + j] - mean);
      const double sd = std::sqrt(sq / static_cast<double>(rows.size()));
      // A constant feature is left unscaled (only shifted): dividing by 0 would make NaNs.
      if (how == Scaling::standard)
        s.offset[j] = mean, s.factor[j] = sd > 0 ? 1 / sd : 1;
      else
        s.offset[j] = lo, s.factor[j] = hi > lo ? 1 / (hi - lo) : 1;
    }
    out[leaf.name] = std::move(s);
  }
  return out;
}

Batches::Batches(const Dataset& data, const Model& model,
                 const std::map<std::string, FeatureScale>& scale, std::int64_t max_batch) {
  size_ = data.size();
  check_batch(max_batch);  // it became 1 unsaid (an API audit)
  // A batch larger than the data is the whole data: no staging row goes unused.
  max_batch_ = std::max<std::int64_t>(std::min(max_batch, size_), 1);
  auto bind = [&](const ModelLeaf& l) {
    const DataColumn* c = data.find(l.name);
    if (!c) return;
    Leaf leaf{l.name, l.node, Tensor(), Tensor(), 0, false};
    const DType dt = l.node.dtype();
    Tensor values = c->values;
    if (auto it = scale.find(l.name); it != scale.end() && values.dtype() != DType::i32) {
      if (values.dtype() != DType::f64) values = values.to(DType::f64);
      double* v = values.data<double>();
      const auto f = static_cast<std::int64_t>(it->second.offset.size());
      if (checked_mul(f, size_, "elements") != values.numel())
        throw Error("the saved scaling of " + l.name + " has " + std::to_string(f) +
                    " features but the data has " +
                    std::to_string(values.numel() / std::max<std::int64_t>(size_, 1)));
      for (std::int64_t i = 0; i < values.numel(); ++i)
        v[i] = (v[i] - it->second.offset[static_cast<std::size_t>(i % f)]) *
               it->second.factor[static_cast<std::size_t>(i % f)];
      // Unscaled data was checked at setup (check_range); scaled, here.
      if (dt == DType::f32)
        for (std::int64_t i = 0; i < values.numel(); ++i)
          if (std::isinf(static_cast<float>(v[i])))
            throw Error(data.source + ": " + c->origin + ", example " + std::to_string(i / f) +
                        ", feature " + std::to_string(i % f) + ": " +
                        format_number(c->values.at(i)) + " scales to " + format_number(v[i]) +
                        ", beyond the range of f32 (±3.4e38), the number type the model "
                        "computes in");
    }
    Shape example = l.node.shape().example();
    leaf.all = values.dtype() == dt ? values.reshaped(example.with_front(size_))
                                    : values.to(dt).reshaped(example.with_front(size_));
    leaf.staging = Tensor(dt, example.with_front(max_batch_));
    leaf.row_bytes = byte_size(example, dt);
    leaf.zero_one = true;
    for (std::int64_t i = 0; i < leaf.all.numel() && leaf.zero_one; ++i)
      leaf.zero_one = leaf.all.at(i) == 0 || leaf.all.at(i) == 1;
    leaves_.push_back(std::move(leaf));
  };
  for (const ModelLeaf& l : model.inputs()) bind(l);
  for (const ModelLeaf& l : model.targets()) bind(l);
}

void Batches::let(Machine& m, std::span<const std::int64_t> rows) {
  const auto b = static_cast<std::int64_t>(rows.size());
  if (b > max_batch_)
    throw Error("a batch of " + std::to_string(b) + " rows; these Batches take at most " +
                std::to_string(max_batch_) + " (their max_batch)");
  for (std::int64_t r : rows)
    if (r < 0 || r >= size_)
      throw Error("row " + std::to_string(r) + " is outside the data, which has " +
                  (size_ == 0 ? std::string("no rows")
                              : std::to_string(size_) + (size_ == 1 ? " row" : " rows") +
                                    " (0 to " + std::to_string(size_ - 1) + ")"));
  for (Leaf& l : leaves_) {
    auto* dst = static_cast<char*>(l.staging.raw());
    const auto* src = static_cast<const char*>(l.all.raw());
    const auto rb = static_cast<std::size_t>(l.row_bytes);
    for (std::int64_t i = 0; i < b; ++i)
      std::memcpy(dst + static_cast<std::size_t>(i) * rb,
                  src + static_cast<std::size_t>(rows[static_cast<std::size_t>(i)]) * rb, rb);
    Shape s = l.staging.shape();
    s[0] = b;
    m.let(l.node, ConstView(l.staging.dtype(), s, l.staging.raw()));
  }
}

const std::int32_t* Batches::staged_classes(const std::string& target) const {
  for (const Leaf& l : leaves_)
    if (l.name == target && l.staging.dtype() == DType::i32) return l.staging.data<std::int32_t>();
  return nullptr;
}

const Tensor* Batches::staged(const std::string& name) const {
  for (const Leaf& l : leaves_)
    if (l.name == name) return &l.staging;
  return nullptr;
}

bool Batches::zero_one(const std::string& name) const {
  for (const Leaf& l : leaves_)
    if (l.name == name) return l.zero_one;
  return false;
}

AccuracyPair accuracy_pair(const Model& model) {
  for (const ModelLeaf& t : model.targets()) {
    if (!t.onehot) continue;
    for (const auto& [name, node] : model.outputs())
      // An output of the parameters alone (no batch axis) predicts no example.
      if (node.shape().has_batch() && node.shape().example() == Shape{t.onehot})
        return {t.name, node, false};
  }
  for (const ModelLeaf& t : model.targets()) {
    const Shape example = t.node.shape().example();
    if (t.onehot || example.numel() != 1) continue;
    for (const auto& [name, node] : model.outputs())
      if (node.op() == ir::Op::sigmoid && node.shape().has_batch() &&
          node.shape().example() == example)
        return {t.name, node, true};
  }
  return {};
}

AccuracyPair accuracy_pair(const Model& model, const Batches& data) {
  AccuracyPair acc = accuracy_pair(model);
  if (acc.binary && !data.zero_one(acc.target)) return {};
  return acc;
}

std::int64_t count_correct(const AccuracyPair& acc, ConstView y, const Batches& data,
                           std::int64_t rows, std::vector<std::int64_t>* confusion) {
  std::int64_t correct = 0;
  if (acc.binary) {
    const Tensor* t = data.staged(acc.target);
    if (!t) return 0;
    for (std::int64_t i = 0; i < rows; ++i) {
      const double p = y.dtype == DType::f32 ? y.as<float>()[i] : y.as<double>()[i];
      correct += (p >= 0.5) == (t->at(i) >= 0.5);
    }
    return correct;
  }
  const std::int32_t* k = data.staged_classes(acc.target);
  const std::int64_t n = y.shape.last();
  const std::size_t rb = row_bytes(n, y.dtype);
  for (std::int64_t i = 0; k && i < rows; ++i) {
    const std::int64_t guess =
        argmax(static_cast<const char*>(y.data) + static_cast<std::size_t>(i) * rb, y.dtype, n);
    correct += guess == k[i];
    // Row the true class, column the guess.
    if (confusion && k[i] >= 0 && k[i] < n)
      ++(*confusion)[static_cast<std::size_t>(k[i] * n + guess)];
  }
  return correct;
}

std::int64_t argmax(const void* row, DType dtype, std::int64_t n) {
  std::int64_t best = 0;
  if (dtype == DType::f32) {
    const auto* v = static_cast<const float*>(row);
    for (std::int64_t i = 1; i < n; ++i)
      if (v[i] > v[best]) best = i;
  } else {
    const auto* v = static_cast<const double*>(row);
    for (std::int64_t i = 1; i < n; ++i)
      if (v[i] > v[best]) best = i;
  }
  return best;
}

Program evaluation_program(Model& model, bool with_loss) {
  const AccuracyPair acc = accuracy_pair(model);
  std::vector<ir::Node> outs;
  if (with_loss) {
    if (!model.loss())
      throw Error(model.source().name() + ": the model has no `loss` equation to score");
    outs.push_back(model.loss());
    if (acc.output) outs.push_back(acc.output);
  } else {
    if (model.outputs().empty())
      throw Error(model.source().name() + ": the model has no `output` statement to predict with");
    outs.push_back(model.outputs()[0].second);
    check_reads_no_target(model, outs, "the prediction");
  }
  return compile(model.graph(), outs);
}

Evaluator::Evaluator(Model& model, bool with_loss)
    : Evaluator(model, evaluation_program(model, with_loss)) {}

Evaluator::Evaluator(Model& model, Program program)
    : model_(model), acc_(accuracy_pair(model)), machine_(std::move(program)) {}

std::vector<std::pair<std::string, Tensor>> param_tensors(const Model& model, Machine& from) {
  std::vector<std::pair<std::string, Tensor>> out;
  for (const ModelParam& p : model.params()) {
    View v = from.param(p.node);
    Tensor t(v.dtype, v.shape);
    std::memcpy(t.raw(), v.data, t.bytes());
    out.emplace_back(p.name, std::move(t));
  }
  return out;
}

namespace {

// A NaN or an infinity in a weight makes every prediction that reads it NaN,
// and an argmax of NaNs is class 0 for every row: refused when loaded.
void check_finite(const SafetensorsFile& weights, const std::string& name) {
  const Tensor& t = *weights.find(name);
  for (std::int64_t i = 0; i < t.numel(); ++i) {
    const double v = t.at(i);
    if (std::isfinite(v)) continue;
    throw Error((weights.path.empty() ? std::string("the weights") : weights.path) + ": tensor '" +
                name + "' holds " +
                (std::isnan(v) ? std::string("NaN")
                 : v > 0       ? "+inf"
                               : "-inf") +
                " (element " + std::to_string(i) + " of " + t.shape().str() +
                "): these weights cannot be used; were they saved from a run that diverged?");
  }
}

}  // namespace

void check_params(const Model& model, const SafetensorsFile& weights) {
  std::vector<TensorSpec> specs;
  for (const ModelParam& p : model.params())
    specs.push_back({p.name, p.node.dtype(), p.node.shape().example()});
  expect_tensors(weights, specs);
  for (const ModelParam& p : model.params()) check_finite(weights, p.name);
}

void set_params(const Model& model, const SafetensorsFile& weights, Machine& to) {
  check_params(model, weights);
  for (const ModelParam& p : model.params()) {
    if (!to.program().value_of.count(p.node.id())) continue;  // tree-shaken away
    View v = to.param(p.node);
    std::memcpy(v.data, weights.find(p.name)->raw(), weights.find(p.name)->bytes());
  }
}

void copy_params(const Model& model, Machine& from, Machine& to) {
  for (const ModelParam& p : model.params()) {
    if (!to.program().value_of.count(p.node.id())) continue;  // tree-shaken away
    View src = from.param(p.node), dst = to.param(p.node);
    std::memcpy(dst.data, src.data, src.bytes());
  }
}

void Evaluator::copy_params(Machine& from) { eq::copy_params(model_, from, machine_); }

void Evaluator::load_params(const SafetensorsFile& weights) {
  set_params(model_, weights, machine_);
}

Metrics Evaluator::evaluate(Batches& data, std::span<const std::int64_t> rows, std::int64_t batch,
                            std::int64_t first_row) {
  check_batch(batch);
  // No rows would score a loss of 0 (an API audit): nothing to measure.
  if (data.size() == 0) throw Error("no examples to evaluate: the data has no rows");
  std::vector<std::int64_t> every;
  if (rows.empty()) every = all_rows(data.size()), rows = every;
  batch = std::min(batch, data.max_batch());
  const AccuracyPair acc = acc_.output ? accuracy_pair(model_, data) : AccuracyPair{};
  Metrics m;
  double loss = 0;
  std::int64_t correct = 0;
  if (acc.output && !acc.binary) {
    m.classes = acc.output.shape().example().last();
    m.confusion.assign(static_cast<std::size_t>(m.classes * m.classes), 0);
  }
  for (std::size_t at = 0; at < rows.size(); at += static_cast<std::size_t>(batch)) {
    auto part = rows.subspan(at, std::min(rows.size() - at, static_cast<std::size_t>(batch)));
    data.let(machine_, part);
    machine_.runtime().set_noise(noise_seed_, 0, first_row + static_cast<std::int64_t>(at));
    machine_.run();
    ConstView l = machine_.view(model_.loss());
    for (std::int64_t i = 0; i < l.numel(); ++i)
      loss += l.dtype == DType::f32 ? l.as<float>()[i] : l.as<double>()[i];
    if (acc.output) {
      ConstView y = machine_.view(acc.output);
      correct += count_correct(acc, y, data, static_cast<std::int64_t>(part.size()),
                               m.classes ? &m.confusion : nullptr);
    }
  }
  m.examples = static_cast<std::int64_t>(rows.size());
  m.loss = m.examples ? loss / static_cast<double>(m.examples) : 0;
  if (acc.output && m.examples)
    m.accuracy = static_cast<double>(correct) / static_cast<double>(m.examples);
  return m;
}

Tensor Evaluator::predict(Batches& data, std::int64_t batch) {
  check_batch(batch);
  batch = std::min(batch, data.max_batch());
  ir::Node out = model_.outputs()[0].second;
  try {
    machine_.program().readable(out);
  } catch (const Error&) {
    throw Error("this Evaluator scores the loss and does not keep the output " +
                model_.outputs()[0].first +
                "; to predict, make one with with_loss = false (Evaluator(model, false))");
  }
  Tensor result(out.dtype(), out.shape().example().with_front(data.size()));
  const std::size_t rb = static_cast<std::size_t>(byte_size(out.shape().example(), out.dtype()));
  std::vector<std::int64_t> rows = all_rows(data.size());
  for (std::size_t at = 0; at < rows.size(); at += static_cast<std::size_t>(batch)) {
    auto part = std::span<const std::int64_t>(rows).subspan(
        at, std::min(rows.size() - at, static_cast<std::size_t>(batch)));
    data.let(machine_, part);
    machine_.runtime().set_noise(noise_seed_, 0, static_cast<std::int64_t>(at));
    machine_.run();
    // An output of the parameters alone (`c = 2*b`) has no batch axis: the
    // same value for every example.
    const bool batched = out.shape().has_batch();
    for (std::size_t i = 0; i < (batched ? 1 : part.size()); ++i)
      std::memcpy(static_cast<char*>(result.raw()) + (at + i) * rb, machine_.view(out).data,
                  (batched ? part.size() : 1) * rb);
  }
  return result;
}

}  // namespace eq
