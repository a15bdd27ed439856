// The recorder on real runs: a classifier's confusion matrix against one
// computed by hand from the trained weights, the history of a run with a
// validation share, the report file it leaves, and a text model's samples.
#include <unistd.h>

#include <catch2/catch.hpp>
#include <cmath>
#include <filesystem>
#include <fstream>

#include "report/recorder.hpp"
#include "runtime/file_io.hpp"
#include "train/trainer.hpp"

using namespace eq;
namespace fs = std::filesystem;

namespace {

// Softmax regression over 24 examples of 2 features and 3 classes (f64).
const char* kLogreg = R"(
input x : [2]
target y : onehot[K]
dim K
param W : [K, 2] ~ normal(0, 1)
param b : [K] ~ 0.1
ŷ = softmax(W·x + b)
loss = -Σ(y*log(ŷ))
output ŷ
train {
  data = csv("d.csv", x = 0:2, y = 2)
  optimizer = sgd(lr = 0.3)
  batch = 8
  epochs = 4
  dtype = f64
  seed = 3
}
)";

const char* kRnn = R"(
dim V
dim H = 6
input  xₜ : onehot[V]
target yₜ : onehot[V]
param W : [H, V] ~ glorot
param U : [H, H] ~ orthogonal
param b : [H] ~ 0
param Wy : [V, H] ~ glorot
hₜ = tanh(W·xₜ + U·hₜ₋₁ + b)
ŷₜ = softmax(Wy·hₜ)
lossₜ = -Σ(yₜ*log(ŷₜ))
output ŷₜ
train {
  data = text("t.txt")
  optimizer = sgd(lr = 0.1)
  batch = 4
  window = 5
  dtype = f64
}
)";

double feature(int i, int j) { return j == 0 ? (i % 5) - 2 : ((i * 7) % 3) - 1; }
int label(int i) { return (i * 5 + i / 3) % 3; }

struct Folder {
  fs::path dir = fs::temp_directory_path() / ("eq_report_" + std::to_string(::getpid()));
  Folder() {
    fs::create_directories(dir);
    std::ofstream csv(dir / "d.csv");
    csv << "a,b,label\n";
    for (int i = 0; i < 24; ++i) csv << feature(i, 0) << ',' << feature(i, 1) << ',' << label(i) << '\n';
    std::ofstream text(dir / "t.txt");
    for (int i = 0; i < 80; ++i) text << "abcab"[i % 5] << (i % 7 == 0 ? "c" : "");
  }
  ~Folder() { fs::remove_all(dir); }
  Setup setup(const char* source, std::map<std::string, std::string> overrides = {}) const {
    SetupOptions o;
    o.overrides = std::move(overrides);
    return setup_source("m.eq", source, dir.string(), o);
  }
};

}  // namespace

TEST_CASE("the confusion matrix counts each example at its true and its predicted class") {
  Folder f;
  Setup s = f.setup(kLogreg);
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
      const double z = W[2 * k] * feature(i, 0) + W[2 * k + 1] * feature(i, 1) + b[k];
      if (z > top) top = z, best = k;
    }
    ++want[static_cast<std::size_t>(3 * label(i) + best)];
  }
  CHECK(m.confusion == want);
  CHECK(*m.accuracy == Approx(static_cast<double>(want[0] + want[4] + want[8]) / 24));
}

TEST_CASE("the recorder keeps every epoch and step and leaves a finished report") {
  Folder f;
  Setup s = f.setup(kLogreg, {{"validate", "0.25"}});
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
  for (std::size_t i = 0; i < 9; ++i) total += h.confusion->counts[i], right += i % 4 == 0 ? h.confusion->counts[i] : 0;
  CHECK(total == t.validation_examples());
  CHECK(static_cast<double>(right) / static_cast<double>(total) == Approx(*h.epochs[3].val_accuracy));
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
  Setup s = f.setup(kRnn, {{"epochs", "2"}});
  Trainer t(s);
  t.initialize();
  const std::string path = (f.dir / "rnn.html").string();
  report::ReportRecorder rec(path, "rnn.eq", s, t);
  TrainHooks hooks;
  rec.attach(hooks);
  t.train(hooks);
  rec.finish();
  const report::RunHistory& h = rec.history();
  REQUIRE(h.samples.size() == 2);
  for (const report::TextSample& sample : h.samples) {
    CHECK(sample.text.size() == 240);
    CHECK(sample.text.find_first_not_of("abc") == std::string::npos);
  }
  CHECK(h.samples[1].epoch == 2);
  CHECK(!h.confusion);
}
