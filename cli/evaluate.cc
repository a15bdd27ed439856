// `eqc eval`, `eqc predict` and `eqc run`: a trained model on data.
//   eval    FILE.eq -w W.safetensors [--data …]   loss and accuracy
//   predict FILE.eq -w W.safetensors --data F [-o out.csv] [--values]
//   run     W.safetensors --data F [-o out.csv]   the .eq source is in W's metadata
// Dims, class labels, dtype and input scaling come from the weights file, so
// new data is read exactly as the training data was.
#include <cstdio>
#include <fstream>
#include <sstream>

#include "cli/commands.hpp"
#include "cli/options.hpp"
#include "train/evaluate.hpp"
#include "train/setup.hpp"
#include "runtime/blas.hpp"
#include "runtime/error.hpp"
#include "runtime/format.hpp"

namespace eq::cli {
namespace {

constexpr const char* kEvalUsage =
    "usage: eqc eval FILE.eq -w W.safetensors [--data SOURCE] [--batch N] [--threads N]\n"
    "  prints the mean loss (and accuracy for one-hot targets) of the weights on the data\n";
constexpr const char* kPredictUsage =
    "usage: eqc predict FILE.eq -w W.safetensors [--data SOURCE] [-o out.csv] [--batch N]\n"
    "                   [--threads N] [--values]\n"
    "  writes one row per example: the class label, or the output's values\n"
    "  (--values: the values for a class output too, e.g. its probabilities)\n";
constexpr const char* kRunUsage =
    "usage: eqc run W.safetensors --data SOURCE [-o out.csv] [--batch N] [--threads N] [--values]\n"
    "  predicts with a saved model alone: its .eq source is in the file's metadata\n";

// Shortest text that reads back as the same number of the output's dtype.
std::string shortest(double v, DType dtype) {
  return dtype == DType::f32 ? format_float(static_cast<float>(v)) : format_number(v);
}

// The predictions as CSV text: a label column for a class output with saved
// labels (unless `values`), else one column per output value.
std::string predictions_csv(const Setup& s, const Tensor& out, bool values) {
  const Model& m = *s.model;
  const std::string& name = m.outputs()[0].first;
  const std::int64_t n = out.shape().rank() ? out.shape()[0] : 0;
  const std::int64_t width = n ? out.numel() / n : 0;
  const AccuracyPair acc = accuracy_pair(m);
  const std::vector<std::string>* labels = nullptr;
  if (acc.output == m.outputs()[0].second && !values)
    if (auto it = s.labels.find(acc.target); it != s.labels.end()) labels = &it->second;
  std::ostringstream csv;
  if (labels) {
    csv << acc.target << '\n';
    const std::size_t rb = static_cast<std::size_t>(width) * dtype_size(out.dtype());
    for (std::int64_t i = 0; i < n; ++i) {
      const auto k = argmax(static_cast<const char*>(out.raw()) + static_cast<std::size_t>(i) * rb,
                            out.dtype(), width);
      csv << (*labels)[static_cast<std::size_t>(k)] << '\n';
    }
    return csv.str();
  }
  for (std::int64_t j = 0; j < width; ++j)
    csv << (j ? "," : "") << name << (width > 1 ? "[" + std::to_string(j) + "]" : "");
  csv << '\n';
  for (std::int64_t i = 0; i < n; ++i) {
    for (std::int64_t j = 0; j < width; ++j) csv << (j ? "," : "") << shortest(out.at(i * width + j), out.dtype());
    csv << '\n';
  }
  return csv.str();
}

struct Loaded {
  SafetensorsFile weights;
  SavedModel saved;
  Setup setup;
};

// Common part: options, weights, setup. `eq_path` empty: the source from the weights.
void load(const Options& o, const std::string& eq_path, const std::string& weights_path,
          bool inputs_only, Loaded& out) {
  const long long threads = whole_option(o, "threads", 0, 1);
  if (threads > 0) blas::set_threads(static_cast<int>(threads));
  out.weights = load_safetensors(weights_path);
  out.saved = decode_metadata(out.weights.metadata, weights_path);
  SetupOptions so;
  so.saved = &out.saved;
  so.inputs_only = inputs_only;
  if (auto d = o.key("data")) so.overrides["data"] = *d;
  out.setup = eq_path.empty()
                  ? setup_source(out.saved.source_name, out.saved.source, "", so)
                  : setup_file(eq_path, so);
}

int predict_common(const Options& o, const std::string& eq_path, const std::string& weights) {
  const long long batch = whole_option(o, "batch", 256, 1);
  Loaded l;
  load(o, eq_path, weights, true, l);
  Evaluator ev(*l.setup.model, false);
  ev.load_params(l.weights);
  Batches data(l.setup.data, *l.setup.model, l.saved.scale, batch);
  const std::string csv = predictions_csv(l.setup, ev.predict(data, batch), o.flag("values"));
  if (auto path = o.key("output")) {
    std::ofstream f(*path, std::ios::binary);
    if (!(f << csv)) throw Error(*path + ": cannot write the predictions");
  } else {
    std::fputs(csv.c_str(), stdout);
  }
  return kOk;
}

const OptionSpec kWeights{"weights", true, "-w"}, kData{"data"}, kBatch{"batch"},
    kThreads{"threads"}, kOutput{"output", true, "-o"}, kValues{"values", false};

int eval(const Options& o) {
  if (!o.key("weights")) throw UsageError(kEvalUsage);
  const long long batch = whole_option(o, "batch", 256, 1);
  Loaded l;
  load(o, o.files[0], *o.key("weights"), false, l);
  Evaluator ev(*l.setup.model, true);
  ev.load_params(l.weights);
  Batches data(l.setup.data, *l.setup.model, l.saved.scale, batch);
  Metrics m = ev.evaluate(data, {}, batch);
  std::printf("examples %lld  loss %s", static_cast<long long>(m.examples), format_number(m.loss, 6).c_str());
  if (m.accuracy) std::printf("  accuracy %.2f%%", 100 * *m.accuracy);
  std::printf("\n");
  return kOk;
}

}  // namespace

int run_eval(int argc, char** argv) {
  return run_command({"eval", kEvalUsage, {kWeights, kData, kBatch, kThreads}}, argc, argv, eval);
}

int run_predict(int argc, char** argv) {
  return run_command({"predict", kPredictUsage, {kWeights, kData, kBatch, kThreads, kOutput, kValues}}, argc, argv,
                     [](const Options& o) {
                       if (!o.key("weights")) throw UsageError(kPredictUsage);
                       return predict_common(o, o.files[0], *o.key("weights"));
                     });
}

int run_run(int argc, char** argv) {
  return run_command({"run", kRunUsage, {kData, kBatch, kThreads, kOutput, kValues}}, argc, argv,
                     [](const Options& o) {
                       if (!o.key("data")) throw UsageError(kRunUsage);
                       return predict_common(o, "", o.files[0]);
                     });
}

}  // namespace eq::cli
