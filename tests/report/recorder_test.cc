// The recorder on real runs: a classifier's confusion matrix against one
// computed by hand from the trained weights, the history of a run with a
// validation share, the report file it leaves, and a text model's samples.
#include "eq/report/recorder.hpp"

#include <catch2/catch.hpp>
#include <cmath>
#include <filesystem>

#include "eq/report/plot.hpp"
#include "eq/runtime/file_io.hpp"
#include "eq/train/trainer.hpp"
#include "support/tiny_runs.hpp"

using namespace eq;
namespace fs = std::filesystem;

using testing::kTinyLogreg, testing::kTinyRnn, testing::tiny_feature, testing::tiny_label;

struct Folder : testing::TinyFolder {
  Folder() : TinyFolder("eq_report_") {}
};

TEST_CASE("the confusion matrix counts each example at its true and its predicted class") {
  Folder f;
  Setup s = f.setup(kTinyLogreg);
  Trainer t(s);
  t.initialize();
  t.train();
  // Without a validation share, validate() scores the training data: all 24 rows.
  const Metrics m = t.validate();
  REQUIRE(m.classes == 3);
  // By hand from the trained weights: argmax of W·x + b per row.
  const double* W = t.machine().param(s.model->params()[0].node).as<double>();
  const double* b = t.machine().param(s.model->params()[1].node).as<double>();
  std::vector<std::int64_t> want(9, 0);
  for (int i = 0; i < 24; ++i) {
    int best = 0;
    double top = -INFINITY;
    for (int k = 0; k < 3; ++k) {
      const double z = W[2 * k] * tiny_feature(i, 0) + W[2 * k + 1] * tiny_feature(i, 1) + b[k];
      if (z > top) top = z, best = k;
    }
    ++want[static_cast<std::size_t>(3 * tiny_label(i) + best)];
  }
  CHECK(m.confusion == want);
  CHECK(*m.accuracy == Approx(static_cast<double>(want[0] + want[4] + want[8]) / 24));
}

TEST_CASE("the recorder keeps every epoch and step and leaves a finished report") {
  Folder f;
  Setup s = f.setup(kTinyLogreg, {{"validate", "0.25"}, {"epochs", "4"}});
  Trainer t(s);
  t.initialize();
  const std::string path = (f.dir / "run.html").string();
  report::ReportRecorder rec(path, "m.eq", s, t);
  CHECK(fs::exists(path));  // written before the first step
  CHECK(read_file(path).find("Training: no epoch finished yet.") != std::string::npos);
  TrainHooks hooks;
  std::vector<double> epoch_val_loss;
  hooks.on_epoch = [&](const EpochReport& r) { epoch_val_loss.push_back(r.validation->loss); };
  rec.attach(hooks);
  t.train(hooks);
  rec.finish();

  const report::RunHistory& h = rec.history();
  REQUIRE(h.epochs.size() == 4);
  REQUIRE(epoch_val_loss.size() == 4);  // the hook already there still runs
  CHECK(h.epochs[3].val_loss == epoch_val_loss[3]);
  CHECK(h.epochs[3].step == t.step());
  CHECK(h.epochs[0].lr == 0.3);
  CHECK(h.steps.points().size() == static_cast<std::size_t>(t.step()));
  for (std::size_t i = 1; i < h.steps.points().size(); ++i)
    CHECK(h.steps.points()[i].seconds >= h.steps.points()[i - 1].seconds);
  REQUIRE(h.confusion);
  std::int64_t total = 0, right = 0;
  for (std::size_t i = 0; i < 9; ++i)
    total += h.confusion->counts[i], right += i % 4 == 0 ? h.confusion->counts[i] : 0;
  CHECK(total == t.validation_examples());
  CHECK(static_cast<double>(right) / static_cast<double>(total) ==
        Approx(*h.epochs[3].val_accuracy));
  CHECK(h.confusion->labels == std::vector<std::string>{"0", "1", "2"});
  CHECK(!h.kernels.empty());
  CHECK(h.profiled_steps == t.step());
  const std::string page = read_file(path);
  CHECK(page.find("Finished after epoch 4") != std::string::npos);
  CHECK(page.find("<h2>Time per kernel</h2>") != std::string::npos);
  CHECK(page.find("softmax(W·x + b)") != std::string::npos);
}

TEST_CASE("a text model's report has a sample of its vocabulary after every epoch") {
  Folder f;
  Setup s = f.setup(kTinyRnn);  // 7 steps: 3 epochs, the last cut short
  Trainer t(s);
  t.initialize();
  const std::string path = (f.dir / "rnn.html").string();
  report::ReportRecorder rec(path, "rnn.eq", s, t);
  TrainHooks hooks;
  rec.attach(hooks);
  t.train(hooks);
  rec.finish();
  const report::RunHistory& h = rec.history();
  const std::int64_t epochs = (t.step() + t.steps_per_epoch() - 1) / t.steps_per_epoch();
  REQUIRE(epochs >= 2);
  REQUIRE(h.samples.size() == static_cast<std::size_t>(epochs));
  for (const report::TextSample& sample : h.samples) {
    CHECK(sample.text.size() == 240);
    CHECK(sample.text.find_first_not_of("abc") == std::string::npos);
  }
  CHECK(h.samples.back().epoch == epochs);
  CHECK(!h.confusion);
}

TEST_CASE("a run stopped by an error leaves a report that says why and after which epoch") {
  Folder f;
  Setup s = f.setup(kTinyLogreg, {{"epochs", "4"}});  // 3 steps an epoch
  Trainer t(s);
  t.initialize();
  const std::string path = (f.dir / "run.html").string();
  report::ReportRecorder rec(path, "m.eq", s, t);
  TrainHooks hooks;
  // After the first step of epoch 2 a weight becomes NaN: the next step's
  // objective is not finite, and the run stops with that error.
  hooks.on_step = [&](const StepProgress& p) {
    if (p.step == 4) *t.machine().param(s.model->params()[0].node).as<double>() = std::nan("");
  };
  rec.attach(hooks);
  std::string message;
  try {
    t.train(hooks);
  } catch (const Error& e) {
    message = e.what();
  }
  REQUIRE(!message.empty());
  CHECK(t.step() == 4);
  rec.fail(message);
  CHECK(rec.history().failure == message);
  const std::string page = read_file(path);
  CHECK(page.find("The run stopped after epoch 1:</p>") != std::string::npos);
  CHECK(page.find("class=\"failure\"") != std::string::npos);
  CHECK(page.find(report::escape(message)) != std::string::npos);
  CHECK(page.find("http-equiv=\"refresh\"") == std::string::npos);  // it will not change again
}
