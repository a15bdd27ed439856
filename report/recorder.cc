#include "eq/report/recorder.hpp"

#include "eq/compiler/ir/printer.hpp"
#include "eq/report/graphviz.hpp"
#include "eq/report/html.hpp"
#include "eq/runtime/error.hpp"
#include "eq/runtime/file_io.hpp"
#include "eq/runtime/random.hpp"
#include "eq/train/evaluate.hpp"
#include "eq/train/program.hpp"
#include "eq/train/sampler.hpp"

namespace eq::report {
namespace {

// Symbols drawn after each epoch, and the generator stream they come from
// (eqc sample draws from stream 3 of the seed; this one is its own).
constexpr std::int64_t kSampleSymbols = 240;
constexpr std::uint64_t kSampleStream = 7;

}  // namespace

std::string run_summary(const Setup& setup, const Trainer& trainer) {
  return std::to_string(trainer.train_examples()) + " " + trainer.unit() + " (" +
         std::to_string(trainer.validation_examples()) + " held out), " +
         setup.config.solver.describe() + ", batch " + std::to_string(setup.config.batch) + ", " +
         std::to_string(trainer.total_steps()) + " steps";
}

EpochPoint epoch_point(const EpochReport& r, double lr) {
  EpochPoint e;
  e.epoch = r.epoch;
  e.step = r.step;
  e.loss = r.train.loss;
  e.accuracy = r.train.accuracy;
  if (r.validation) e.val_loss = r.validation->loss, e.val_accuracy = r.validation->accuracy;
  e.seconds = r.seconds;
  e.lr = lr;
  return e;
}

ReportRecorder::ReportRecorder(std::string path, std::string title, Setup& setup, Trainer& trainer)
    : path_(std::move(path)), setup_(setup), trainer_(trainer), first_step_(trainer.step()) {
  history_.title = std::move(title);
  history_.summary = run_summary(setup, trainer);
  history_.source = setup.source;
  const GraphPicture picture =
      render_dot(ir::print_dot(setup.model->graph(), model_roots(*setup.model)));
  history_.graph_svg = picture.svg;
  history_.graph_note = picture.note;
  const AccuracyPair acc = accuracy_pair(*setup.model);
  if (acc.output) {
    auto labels = setup.labels.find(acc.target);
    if (labels != setup.labels.end()) class_labels_ = labels->second;
  }
  // A time model samples when it has a one-hot input and an output over its
  // symbols; one that cannot simply shows no samples.
  if (setup.model->timed() && !setup.vocabulary.empty()) {
    try {
      sampler_ = std::make_unique<Sampler>(*setup.model);
    } catch (const Error&) {
      sampler_.reset();
    }
  }
  trainer.machine().runtime().set_profile(true);
  write();  // the page exists from the start: the equations, the graph, no points yet
}

ReportRecorder::~ReportRecorder() = default;

void ReportRecorder::attach(TrainHooks& hooks) {
  auto step = hooks.on_step;
  hooks.on_step = [this, step](const StepProgress& p) {
    if (step) step(p);
    history_.steps.add(static_cast<double>(p.step), p.seconds, p.loss);
  };
  auto epoch = hooks.on_epoch;
  hooks.on_epoch = [this, epoch](const EpochReport& r) {
    if (epoch) epoch(r);
    on_epoch(r);
  };
}

void ReportRecorder::on_epoch(const EpochReport& r) {
  history_.epochs.push_back(epoch_point(r, trainer_.solver().config().lr));
  if (r.validation && r.validation->classes > 0) {
    Confusion c;
    c.epoch = r.epoch;
    c.counts = r.validation->confusion;
    for (std::int64_t k = 0; k < r.validation->classes; ++k)
      c.labels.push_back(static_cast<std::size_t>(k) < class_labels_.size()
                             ? class_labels_[static_cast<std::size_t>(k)]
                             : std::to_string(k));
    history_.confusion = std::move(c);
  }
  if (sampler_) {
    copy_params(*setup_.model, trainer_.machine(), sampler_->machine());
    Rng rng(setup_.config.seed, kSampleStream);
    history_.samples.push_back(
        {r.epoch, sample_text(*sampler_, setup_.vocabulary, setup_.source_name, "", kSampleSymbols,
                              1.0, rng)});
  }
  write_if_due();
}

void ReportRecorder::write_if_due() {
  const double since =
      std::chrono::duration<double>(std::chrono::steady_clock::now() - last_write_).count();
  if (since >= kMinWriteSeconds) write();
}

void ReportRecorder::finish() {
  history_.finished = true;
  write();
}

void ReportRecorder::fail(const std::string& message) noexcept {
  try {
    history_.failure = message;
    history_.finished = true;
    write();
  } catch (...) {
    // The report could not be written either; the caller reports the first error.
  }
}

void ReportRecorder::write() {
  const auto entries = trainer_.machine().runtime().profile();
  history_.kernels.clear();
  for (const auto& e : entries) history_.kernels.push_back({e.label, e.seconds, e.count});
  history_.profiled_steps = trainer_.step() - first_step_;
  const std::string html = render_report(history_);
  const ByteChunk chunk{html.data(), html.size()};
  write_file_atomically(path_, {&chunk, 1});
  last_write_ = std::chrono::steady_clock::now();
}

}  // namespace eq::report
