#include "train/evaluate.hpp"

#include <algorithm>
#include <cmath>
#include <cstring>

#include "runtime/error.hpp"

namespace eq {
namespace {

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
      if (how == Scaling::standard) s.offset[j] = mean, s.factor[j] = sd > 0 ? 1 / sd : 1;
      else s.offset[j] = lo, s.factor[j] = hi > lo ? 1 / (hi - lo) : 1;
    }
    out[leaf.name] = std::move(s);
  }
  return out;
}

Batches::Batches(const Dataset& data, const Model& model,
                 const std::map<std::string, FeatureScale>& scale, std::int64_t max_batch) {
  size_ = data.size();
  auto bind = [&](const ModelLeaf& l) {
    const DataColumn* c = data.find(l.name);
    if (!c) return;
    Leaf leaf{l.name, l.node, Tensor(), Tensor(), 0};
    const DType dt = l.node.dtype();
    Tensor values = c->values;
    if (auto it = scale.find(l.name); it != scale.end() && values.dtype() != DType::i32) {
      if (values.dtype() != DType::f64) values = values.to(DType::f64);
      double* v = values.data<double>();
      const auto f = static_cast<std::int64_t>(it->second.offset.size());
      if (f * size_ != values.numel())
        throw Error("the saved scaling of " + l.name + " has " + std::to_string(f) +
                    " features but the data has " + std::to_string(values.numel() / std::max<std::int64_t>(size_, 1)));
      for (std::int64_t i = 0; i < values.numel(); ++i)
        v[i] = (v[i] - it->second.offset[static_cast<std::size_t>(i % f)]) *
               it->second.factor[static_cast<std::size_t>(i % f)];
    }
    Shape example = l.node.shape().example();
    leaf.all = values.dtype() == dt ? values.reshaped(example.with_front(size_))
                                    : values.to(dt).reshaped(example.with_front(size_));
    leaf.staging = Tensor(dt, example.with_front(max_batch));
    leaf.row_bytes = example.numel() * static_cast<std::int64_t>(dtype_size(dt));
    leaves_.push_back(std::move(leaf));
  };
  for (const ModelLeaf& l : model.inputs()) bind(l);
  for (const ModelLeaf& l : model.targets()) bind(l);
}

void Batches::let(Machine& m, std::span<const std::int64_t> rows) {
  const auto b = static_cast<std::int64_t>(rows.size());
  for (Leaf& l : leaves_) {
    EQ_ASSERT(b <= l.staging.shape()[0], "batch larger than the staging tensor");
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

AccuracyPair accuracy_pair(const Model& model) {
  for (const ModelLeaf& t : model.targets()) {
    if (!t.onehot) continue;
    for (const auto& [name, node] : model.outputs())
      if (node.shape().example() == Shape{t.onehot}) return {t.name, node};
  }
  return {};
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

namespace {
Program eval_program(Model& model, bool with_loss, const AccuracyPair& acc) {
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
  }
  return compile(model.graph(), outs);
}
}  // namespace

Evaluator::Evaluator(Model& model, bool with_loss)
    : model_(model), acc_(accuracy_pair(model)),
      machine_(eval_program(model, with_loss, accuracy_pair(model))) {}

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

void set_params(const Model& model, const SafetensorsFile& weights, Machine& to) {
  std::vector<TensorSpec> specs;
  for (const ModelParam& p : model.params())
    specs.push_back({p.name, p.node.dtype(), p.node.shape().example()});
  expect_tensors(weights, specs);
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
    std::memcpy(dst.data, src.data, static_cast<std::size_t>(src.numel()) * dtype_size(src.dtype));
  }
}

void Evaluator::copy_params(Machine& from) { eq::copy_params(model_, from, machine_); }

void Evaluator::load_params(const SafetensorsFile& weights) { set_params(model_, weights, machine_); }

Metrics Evaluator::evaluate(Batches& data, std::span<const std::int64_t> rows, std::int64_t batch) {
  std::vector<std::int64_t> every;
  if (rows.empty()) every = all_rows(data.size()), rows = every;
  Metrics m;
  double loss = 0;
  std::int64_t correct = 0;
  if (acc_.output) {
    m.classes = acc_.output.shape().example().last();
    m.confusion.assign(static_cast<std::size_t>(m.classes * m.classes), 0);
  }
  for (std::size_t at = 0; at < rows.size(); at += static_cast<std::size_t>(batch)) {
    auto part = rows.subspan(at, std::min(rows.size() - at, static_cast<std::size_t>(batch)));
    data.let(machine_, part);
    machine_.run();
    ConstView l = machine_.view(model_.loss());
    for (std::int64_t i = 0; i < l.numel(); ++i)
      loss += l.dtype == DType::f32 ? l.as<float>()[i] : l.as<double>()[i];
    if (acc_.output) {
      ConstView y = machine_.view(acc_.output);
      const std::int32_t* k = data.staged_classes(acc_.target);
      const std::int64_t n = y.shape.last();
      const std::size_t rb = static_cast<std::size_t>(n) * dtype_size(y.dtype);
      for (std::size_t i = 0; k && i < part.size(); ++i) {
        const std::int64_t guess = argmax(static_cast<const char*>(y.data) + i * rb, y.dtype, n);
        correct += guess == k[i];
        if (k[i] >= 0 && k[i] < m.classes) ++m.confusion[static_cast<std::size_t>(k[i] * n + guess)];
      }
    }
  }
  m.examples = static_cast<std::int64_t>(rows.size());
  m.loss = m.examples ? loss / static_cast<double>(m.examples) : 0;
  if (acc_.output && m.examples)
    m.accuracy = static_cast<double>(correct) / static_cast<double>(m.examples);
  return m;
}

Tensor Evaluator::predict(Batches& data, std::int64_t batch) {
  ir::Node out = model_.outputs()[0].second;
  Tensor result(out.dtype(), out.shape().example().with_front(data.size()));
  const std::size_t rb = static_cast<std::size_t>(out.shape().example().numel()) * dtype_size(out.dtype());
  std::vector<std::int64_t> rows = all_rows(data.size());
  for (std::size_t at = 0; at < rows.size(); at += static_cast<std::size_t>(batch)) {
    auto part = std::span<const std::int64_t>(rows).subspan(
        at, std::min(rows.size() - at, static_cast<std::size_t>(batch)));
    data.let(machine_, part);
    machine_.run();
    std::memcpy(static_cast<char*>(result.raw()) + at * rb, machine_.view(out).data, part.size() * rb);
  }
  return result;
}

}  // namespace eq
