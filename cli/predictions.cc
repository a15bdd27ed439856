#include "cli/predictions.hpp"

#include <algorithm>
#include <cmath>
#include <numeric>
#include <vector>

#include "eq/runtime/error.hpp"
#include "eq/runtime/format.hpp"
#include "eq/train/evaluate.hpp"
#include "eq/train/sampler.hpp"
#include "eq/train/vocabulary.hpp"

namespace eq::cli {
namespace {

// Shortest text that reads back as the same number of the output's dtype.
std::string shortest(double v, DType dtype) {
  return dtype == DType::f32 ? format_float(static_cast<float>(v)) : format_number(v);
}

// A CSV field: quoted when it holds a comma, a quote, a line break or
// spaces at its ends (which readers may trim), quotes doubled.
std::string field(std::string_view text) {
  const bool quote = text.find_first_of(",\"\r\n") != std::string_view::npos ||
                     (!text.empty() && (std::isspace(static_cast<unsigned char>(text.front())) ||
                                        std::isspace(static_cast<unsigned char>(text.back()))));
  if (!quote) return std::string(text);
  std::string out = "\"";
  for (char c : text) out += c == '"' ? std::string("\"\"") : std::string(1, c);
  return out + "\"";
}

// `n` values as probabilities: as they are from a softmax, else softmax(values).
void probabilities(const double* values, std::int64_t n, bool softmaxed, std::vector<double>& out) {
  out.assign(values, values + n);
  if (softmaxed) return;
  const double top = *std::max_element(out.begin(), out.end());
  double total = 0;
  for (double& v : out) total += (v = std::exp(v - top));
  for (double& v : out) v /= total;
}

// The columns of one class distribution: every probability (--proba), the
// top K names and probabilities, or (k = 1, names_only) the likeliest name.
std::string class_columns(const std::vector<double>& p, const std::vector<std::string>& names,
                          const PredictOptions& o, bool names_only, DType dtype) {
  std::string row;
  if (o.proba) {
    for (std::size_t i = 0; i < p.size(); ++i) row += (i ? "," : "") + shortest(p[i], dtype);
    return row;
  }
  const std::size_t k = static_cast<std::size_t>(std::max<std::int64_t>(o.top, 1));
  std::vector<std::size_t> order(p.size());
  std::iota(order.begin(), order.end(), 0);
  // The likeliest first; the first of equal ones (argmax's rule).
  std::partial_sort(
      order.begin(), order.begin() + static_cast<std::ptrdiff_t>(k), order.end(),
      [&](std::size_t a, std::size_t b) { return p[a] > p[b] || (p[a] == p[b] && a < b); });
  for (std::size_t i = 0; i < k; ++i) {
    row += (i ? "," : "") + field(names[order[i]]);
    if (!names_only) row += "," + shortest(p[order[i]], dtype);
  }
  return row;
}

// The header of class_columns: the names (--proba), or name1,p1,….
std::string class_header(const std::string& name, const std::vector<std::string>& names,
                         const PredictOptions& o, bool names_only) {
  std::string h;
  if (o.proba) {
    for (std::size_t i = 0; i < names.size(); ++i) h += (i ? "," : "") + field(names[i]);
    return h;
  }
  if (o.top <= 0) return names_only ? field(name) : field(name) + ",p";
  for (std::int64_t i = 1; i <= o.top; ++i)
    h += (i > 1 ? "," : "") + field(name + std::to_string(i)) + ",p" + std::to_string(i);
  return h;
}

void check_classes(const PredictOptions& o, std::int64_t classes, const std::string& what) {
  if (o.top > 0 && o.proba) throw Error("eqc: give --top or --proba, not both");
  if (o.top > classes)
    throw Error("eqc: --top " + std::to_string(o.top) + " asks for more than the " +
                std::to_string(classes) + " " + what);
}

}  // namespace

std::string example_predictions(const Setup& s, const Tensor& out, const PredictOptions& o) {
  const Model& m = *s.model;
  const std::string& name = m.outputs()[0].first;
  const std::int64_t n = out.shape().rank() ? out.shape()[0] : 0;
  const std::int64_t width = n ? out.numel() / n : 0;
  const AccuracyPair acc = accuracy_pair(m);
  const bool classes = acc.output && acc.output == m.outputs()[0].second && !o.values;
  if (o.values && (o.top > 0 || o.proba))
    throw Error("eqc: give --values alone, not with --top or --proba");
  if ((o.top > 0 || o.proba) && !classes)
    throw Error("eqc: --" + std::string(o.proba ? "proba" : "top") + " needs a class output, and " +
                name +
                " is none: a class output scores a one-hot target, or is a σ of one value for a "
                "0/1 target");
  std::string csv;
  if (classes && acc.binary) {
    if (o.top > 0)
      throw Error("eqc: --top needs more than two classes; use --proba for p(" + acc.target +
                  "=1)");
    csv = o.proba ? field("p(" + acc.target + "=1)") : field(acc.target);
    csv += '\n';
    for (std::int64_t i = 0; i < n; ++i)
      csv +=
          (o.proba ? shortest(out.at(i), out.dtype()) : std::string(out.at(i) >= 0.5 ? "1" : "0")) +
          '\n';
    return csv;
  }
  if (classes) {
    std::vector<std::string> names;
    if (auto it = s.labels.find(acc.target); it != s.labels.end()) names = it->second;
    for (std::int64_t k = static_cast<std::int64_t>(names.size()); k < width; ++k)
      names.push_back(std::to_string(k));
    check_classes(o, width, "classes of " + acc.target);
    const bool names_only = o.top <= 0;
    csv = class_header(acc.target, names, o, names_only) + '\n';
    const bool softmaxed = acc.output.op() == ir::Op::softmax;
    std::vector<double> values(static_cast<std::size_t>(width)), p;
    for (std::int64_t i = 0; i < n; ++i) {
      for (std::int64_t j = 0; j < width; ++j)
        values[static_cast<std::size_t>(j)] = out.at(i * width + j);
      probabilities(values.data(), width, softmaxed, p);
      csv += class_columns(p, names, o, names_only, out.dtype()) + '\n';
    }
    return csv;
  }
  for (std::int64_t j = 0; j < width; ++j)
    csv += (j ? "," : "") + field(name + (width > 1 ? "[" + std::to_string(j) + "]" : ""));
  csv += '\n';
  for (std::int64_t i = 0; i < n; ++i) {
    for (std::int64_t j = 0; j < width; ++j)
      csv += (j ? "," : "") + shortest(out.at(i * width + j), out.dtype());
    csv += '\n';
  }
  return csv;
}

std::string text_predictions(Setup& s, const SafetensorsFile& weights, const PredictOptions& o) {
  Model& m = *s.model;
  if (s.text.numel() == 0)
    throw Error(m.source().name() + ": a time model predicts on text: give --data FILE.txt");
  Sampler sampler(m);
  set_params(m, weights, sampler.machine());
  const std::vector<std::string> symbols =
      vocabulary_symbols(s.vocabulary, weights.path, sampler.classes());
  check_classes(o, sampler.classes(), "symbols of the vocabulary");
  if (o.values && (o.top > 0 || o.proba))
    throw Error("eqc: give --values alone, not with --top or --proba");
  const DType dtype = m.graph().dtype();
  std::string csv = "t,symbol,";
  if (o.values) {  // the output as it is, a column per symbol: name[0], name[1], …
    std::string name;
    for (const auto& [n, node] : m.outputs())
      if (node == sampler.output() && name.empty()) name = n;
    for (std::int64_t j = 0; j < sampler.classes(); ++j)
      csv += (j ? "," : "") + field(name + "[" + std::to_string(j) + "]");
  } else {
    csv += class_header("next", symbols, o, false);
  }
  csv += '\n';
  const std::int32_t* text = s.text.data<std::int32_t>();
  std::vector<double> p;
  sampler.reset();
  for (std::int64_t t = 0; t < s.text.numel(); ++t) {
    sampler.feed(text[t]);
    csv += std::to_string(t) + "," + field(symbols[static_cast<std::size_t>(text[t])]) + ",";
    if (o.values) {
      sampler.values(p);
      for (std::size_t j = 0; j < p.size(); ++j) csv += (j ? "," : "") + shortest(p[j], dtype);
    } else {
      sampler.probabilities(p);
      csv += class_columns(p, symbols, o, false, dtype);
    }
    csv += '\n';
  }
  return csv;
}

}  // namespace eq::cli
