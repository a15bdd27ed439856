// `eqc eval`, `eqc predict` and `eqc run`: a trained model on data.
//   eval    FILE.eq -w W.safetensors [--data …]   loss and accuracy
//   predict FILE.eq -w W.safetensors --data F [-o out.csv] [--values]
//   run     W.safetensors --data F [-o out.csv]   the .eq source is in W's metadata
// Dims, class labels, vocabulary, dtype and input scaling come from the
// weights file, so new data is read exactly as the training data was. A
// time model is scored on text (loss per symbol, accuracy of the next
// symbol) and predicts per step of the text (predictions.hpp); a time model
// over the rows of a CSV predicts one row at a time (series_predict.hpp).
#include "eq/train/evaluate.hpp"

#include <cstdio>

#include "cli/commands.hpp"
#include "cli/files.hpp"
#include "cli/options.hpp"
#include "cli/predictions.hpp"
#include "eq/runtime/blas.hpp"
#include "eq/runtime/error.hpp"
#include "eq/runtime/file_io.hpp"
#include "eq/runtime/format.hpp"
#include "eq/train/memory_plan.hpp"
#include "eq/train/series_predict.hpp"
#include "eq/train/setup.hpp"
#include "eq/train/text_scorer.hpp"

namespace eq::cli {
namespace {

constexpr const char* kEvalUsage =
    "usage: eqc eval FILE.eq -w W.safetensors [--data SOURCE] [--batch N] [--threads N] [--seed "
    "S]\n"
    "                [--force]\n"
    "  prints the mean loss (and accuracy for class targets) of the weights on the data; a time\n"
    "  model's on the text the train block holds out, or on --data FILE.txt, in N streams\n"
    "  --seed   what a model's noise is drawn from (default: the seed it was trained with)\n"
    "  --force  use weights saved from another source (the parameters must still fit)\n";
constexpr const char* kPredictUsage =
    "usage: eqc predict FILE.eq -w W.safetensors [--data SOURCE] [-o out.csv]\n"
    "                   [--top K | --proba | --values] [--batch N] [--threads N] [--seed S] "
    "[--force]\n"
    "  writes one row per example (a time model: per step of the text): the class label, or\n"
    "  the output's values; --top K the K likeliest classes or symbols with their probabilities,\n"
    "  --proba every class's probability (a binary target: p(y=1)); --values the output's\n"
    "  values as they are, for any output; --seed S draws a model's noise from S (default: the\n"
    "  seed it was trained with)\n";
constexpr const char* kRunUsage =
    "usage: eqc run W.safetensors --data SOURCE [-o out.csv] [--top K | --proba | --values]\n"
    "               [--batch N] [--threads N] [--seed S]\n"
    "  predicts with a saved model alone: its .eq source is in the file's metadata\n";

struct Loaded {
  SafetensorsFile weights;
  SavedModel saved;
  Setup setup;
};

// Common part: options, weights, setup. `eq_path` empty: the source from the weights.
void load(const Options& o, const std::string& eq_path, const std::string& weights_path,
          bool inputs_only, Loaded& out) {
  const long long threads = whole_option(o, "threads", 0, 1, kMaxThreads);
  if (threads > 0) blas::set_threads(static_cast<int>(threads));
  out.weights = load_safetensors(weights_path);
  out.saved = decode_metadata(out.weights.metadata, weights_path);
  SetupOptions so;
  so.saved = &out.saved;
  so.saved_path = weights_path;
  so.force = o.flag("force");
  so.inputs_only = inputs_only;
  if (auto d = o.key("data")) so.overrides["data"] = *d;
  out.setup = eq_path.empty() ? setup_saved_source(so) : setup_file(eq_path, so);
}

// An evaluation program for batches of `data`, its memory checked first.
Evaluator evaluator(Model& model, bool with_loss, const Batches& data, const std::string& doing) {
  Program program = evaluation_program(model, with_loss);
  const MemoryNeed need[] = {{"the program", plan_bytes(program.tape, data.max_batch())}};
  check_memory(doing, need);
  return Evaluator(model, std::move(program));
}

// --seed: what noise is drawn from at eval and predict (docs/language.md §9).
std::uint64_t noise_seed(const Options& o, const SavedModel& saved) {
  return static_cast<std::uint64_t>(whole_option(o, "seed", static_cast<long long>(saved.seed), 0));
}

int predict_common(const Options& o, const std::string& eq_path, const std::string& weights) {
  const long long batch = whole_option(o, "batch", 256, 1);
  PredictOptions po;
  po.top = whole_option(o, "top", 0, 1);
  po.proba = o.flag("proba");
  po.values = o.flag("values");
  Loaded l;
  load(o, eq_path, weights, true, l);
  Model& model = *l.setup.model;
  std::string csv;
  if (model.timed() && l.setup.text.numel() == 0 && l.setup.data.size() > 0) {
    // A series (docs/language.md §9.7): one forecast per row, read in order.
    csv = example_predictions(
        l.setup, predict_series(model, l.weights, l.setup.data, noise_seed(o, l.saved)), po);
  } else if (model.timed()) {
    csv = text_predictions(l.setup, l.weights, po);
  } else {
    Batches data(l.setup.data, model, l.saved.scale, batch);
    Evaluator ev = evaluator(model, false, data, "predicting with " + model.source().name());
    ev.load_params(l.weights);
    ev.set_noise_seed(noise_seed(o, l.saved));
    csv = example_predictions(l.setup, ev.predict(data, batch), po);
  }
  // -o - is standard output, as `eqc check -` reads standard input.
  if (auto path = o.key("output"); path && *path != "-") {
    std::vector<FileRole> reads{{weights, "the weights"}};
    if (!eq_path.empty()) reads.push_back({eq_path, "the model's source"});
    for (FileRole& f : data_files(l.setup.config.data)) reads.push_back(std::move(f));
    check_distinct(reads, {{*path, "-o"}});
    write_file_atomically(*path, csv);  // a failed write keeps the old file whole
  } else {
    std::fputs(csv.c_str(), stdout);
  }
  return kOk;
}

const OptionSpec kWeights{"weights", true, "-w"}, kData{"data"}, kBatch{"batch"},
    kThreads{"threads"}, kOutput{"output", true, "-o"}, kTop{"top"}, kProba{"proba", false},
    kValues{"values", false}, kSeed{"seed"}, kForce{"force", false};

int eval(const Options& o) {
  if (!o.key("weights")) throw missing_option("eval", "-w W.safetensors", kEvalUsage);
  const long long batch = whole_option(o, "batch", 0, 1);
  Loaded l;
  load(o, o.files[0], *o.key("weights"), false, l);
  Model& model = *l.setup.model;
  Metrics m;
  if (model.timed()) {
    m = score_text(l.setup, l.weights, batch, o.key("data").has_value());
  } else {
    Batches data(l.setup.data, model, l.saved.scale, batch ? batch : 256);
    Evaluator ev = evaluator(model, true, data, "evaluating " + model.source().name());
    ev.load_params(l.weights);
    ev.set_noise_seed(noise_seed(o, l.saved));
    m = ev.evaluate(data, {}, data.max_batch());
  }
  const char* unit = !model.timed() ? "examples" : l.setup.text.numel() ? "symbols" : "steps";
  std::printf("%s %lld  loss %s", unit, static_cast<long long>(m.examples),
              format_number(m.loss, 6).c_str());
  if (m.accuracy) std::printf("  accuracy %.2f%%", 100 * *m.accuracy);
  std::printf("\n");
  return kOk;
}

}  // namespace

int run_eval(int argc, char** argv) {
  return run_command({"eval", kEvalUsage, {kWeights, kData, kBatch, kThreads, kSeed, kForce}}, argc,
                     argv, [](const Options& o) {
                       return out_of_memory_while("evaluating " + o.files[0],
                                                  [&] { return eval(o); });
                     });
}

int run_predict(int argc, char** argv) {
  return run_command(
      {"predict",
       kPredictUsage,
       {kWeights, kData, kBatch, kThreads, kOutput, kTop, kProba, kValues, kSeed, kForce}},
      argc, argv, [](const Options& o) {
        if (!o.key("weights")) throw missing_option("predict", "-w W.safetensors", kPredictUsage);
        return out_of_memory_while("predicting with " + o.files[0], [&] {
          return predict_common(o, o.files[0], *o.key("weights"));
        });
      });
}

int run_run(int argc, char** argv) {
  return run_command(
      {"run", kRunUsage, {kData, kBatch, kThreads, kOutput, kTop, kProba, kValues, kSeed}}, argc,
      argv, [](const Options& o) {
        // A source given where the weights go: say which command takes it.
        if (o.files[0].ends_with(".eq"))
          throw UsageError("eqc: run takes a weights file, which holds its model's source; " +
                           o.files[0] + " is a source: eqc predict " + o.files[0] +
                           " -w W.safetensors predicts with it");
        if (!o.key("data")) throw missing_option("run", "--data SOURCE", kRunUsage);
        return out_of_memory_while("predicting with " + o.files[0],
                                   [&] { return predict_common(o, "", o.files[0]); });
      });
}

}  // namespace eq::cli
