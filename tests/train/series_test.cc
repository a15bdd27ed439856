// Sequences of numbers and indices from CSV (docs/language.md §9): rows of a
// series cut into streams and windows as text is, a time model trained and
// scored on them, and one-hot inputs read from a column of class indices or
// labels.
#include <catch2/catch.hpp>
#include <cmath>
#include <filesystem>
#include <fstream>

#include "eq/compiler/lower/unroll.hpp"
#include "eq/compiler/machine.hpp"
#include "eq/runtime/error.hpp"
#include "eq/train/evaluate.hpp"
#include "eq/train/series_predict.hpp"
#include "eq/train/streams.hpp"
#include "eq/train/text_scorer.hpp"
#include "eq/train/trainer.hpp"
#include "support/tiny_runs.hpp"

using namespace eq;

namespace {

// A folder with series.csv (t, x = sin t/3, y = x of the next row) and
// colours.csv (a label column, an index column, a number).
struct Folder : testing::TinyFolder {
  Folder() : TinyFolder("eq_series_") {
    std::ofstream s(dir / "series.csv");
    s << "t,x,y\n";
    for (int t = 0; t < 100; ++t)
      s << t << ',' << std::sin(t / 3.0) << ',' << std::sin((t + 1) / 3.0) << '\n';
    std::ofstream c(dir / "colours.csv");
    c << "colour,size,value\n";
    const char* names[] = {"red", "green", "blue"};
    for (int i = 0; i < 12; ++i)
      c << names[i % 3] << ',' << (i * 5) % 4 << ',' << (i % 3) * 2 - (i % 4) << '\n';
  }
};

const char* kSeries = R"(
dim H = 4
input  xₜ : [1]
target yₜ : [1]
param W : [H, 1] ~ glorot
param U : [H, H] ~ orthogonal
param b : [H] ~ 0
param V : [1, H] ~ glorot
hₜ = tanh(W·xₜ + U·hₜ₋₁ + b)
ŷₜ = V·hₜ
lossₜ = Σ((yₜ - ŷₜ)²)
output ŷₜ
train {
  data = csv("series.csv", x = 1, y = "y")
  optimizer = adam(lr = 0.02)
  batch = 2
  window = 5
  epochs = 40
  validate = 0.2
  dtype = f64
  seed = 2
}
)";

}  // namespace

TEST_CASE("rows of numbers are cut into streams and windows, each step one row", "[series]") {
  // Row i: inputs (i, 10 i), target 100 i. Two streams of 10 rows, windows of 3.
  Tensor x(DType::f64, Shape{21, 2}), y(DType::f64, Shape{21, 1});
  for (int i = 0; i < 21; ++i) x.set(2 * i, i), x.set(2 * i + 1, 10 * i), y.set(i, 100 * i);
  TextStreams s(x, y, 0, 21, 2, 3);
  CHECK(s.windows() == 3);  // 10 / 3: a step reads its own row only
  std::vector<Tensor> xs = s.make_step_tensors(), ys = s.make_target_tensors();
  REQUIRE(xs[0].shape() == Shape{2, 2});
  REQUIRE(ys[0].shape() == Shape{2, 1});
  s.fill(1, xs, ys);
  // Window 1, step 2: stream 0 at row 5, stream 1 at row 10 + 5.
  CHECK(xs[2].at(0) == 5);
  CHECK(xs[2].at(1) == 50);
  CHECK(xs[2].at(2) == 15);
  CHECK(ys[2].at(0) == 500);
  CHECK(ys[2].at(1) == 1500);
  s.fill(2, xs, ys);
  CHECK(ys[2].at(1) == 1800);  // row 18: the last full window of stream 1
  CHECK_THROWS_WITH(TextStreams(x, y, 0, 21, 8, 3),
                    "the series is too short: 21 rows give 8 streams of 2, fewer than one window "
                    "of 3 steps; lower batch or window");
}

TEST_CASE("a time model trains on the rows of a CSV and holds out the last ones",
          "[series][train]") {
  Folder f;
  Setup s = f.setup(kSeries);
  REQUIRE(s.model->timed());
  Trainer t(s);
  CHECK(std::string(t.unit()) == "time steps");
  // The last ⌊0.2 · 100⌋ rows are held out; 80 rows make 2 streams of 40, 8 windows of 5.
  CHECK(t.train_examples() == 80);
  CHECK(t.validation_examples() == 20);
  CHECK(t.steps_per_epoch() == 8);
  t.initialize();
  const double before = t.validate().loss;
  std::vector<EpochReport> epochs;
  TrainHooks hooks;
  hooks.on_epoch = [&](const EpochReport& e) { epochs.push_back(e); };
  t.train(hooks);
  REQUIRE(epochs.size() == 40);
  REQUIRE(epochs.back().validation);
  // Predicting sin((t+1)/3) from sin(t/3) and the state: the held-out loss falls tenfold.
  CHECK(epochs.back().validation->loss < before / 10);
  // eqc eval scores the same held-out windows the same way.
  const SafetensorsFile w = t.weights();
  Setup again = f.setup(kSeries);
  const Metrics m = score_text(again, w, 0, false);
  CHECK(m.loss == Approx(epochs.back().validation->loss).epsilon(1e-12));
}

TEST_CASE("a time model over rows needs both its input and its target bound", "[series][train]") {
  Folder f;
  std::string source = kSeries;
  source.replace(source.find(", y = \"y\""), 9, "");
  // The data binds xₜ by its base name `x`; yₜ is missing, said at the data line.
  CHECK_THROWS_WITH(f.setup(source.c_str()),
                    "m.eq:14:10: error: " + (f.dir / "series.csv").string() +
                        ": no data for target yₜ (the data binds xₜ)\n"
                        "  data = csv(\"series.csv\", x = 1)\n"
                        "         ^~~~~~~~~~~~~~~~~~~~~~~~\n");
  // Feature scaling is not applied to a series: an error, not silence.
  Setup scaled = f.setup(kSeries, {{"scale", "standard"}});
  CHECK_THROWS_WITH(Trainer(scaled),
                    "m.eq: scale = standard is not applied to the rows of a series yet; "
                    "scale them in the equations (sₜ = xₜ / 100)");
  // With text data missing too, the trainer says what a time model reads.
  Setup s = f.setup(kSeries, {{"validate", "0.2"}});
  s.data.columns.clear();
  CHECK_THROWS_WITH(Trainer(s),
                    "m.eq: a time model trains on text (`data = text(\"file.txt\")`) or on "
                    "rows of numbers, a row a step (`data = csv(\"series.csv\", x = 0:3, y = 3)`)");
}

TEST_CASE("a onehot input takes a column of labels or of class indices", "[series][data]") {
  Folder f;
  const char* source = R"(
dim K
dim S
input  c : onehot[K]
input  n : onehot[S]
target v : [1]
param E : [2, K] ~ normal(0, 1)
param F : [2, S] ~ normal(0, 1)
param w : [2] ~ 0
loss = Σ((w·(E·c + F·n) - v)²)
train {
  data = csv("colours.csv", c = "colour", n = "size", v = "value")
  optimizer = sgd(lr = 0.1)
  batch = 4
  epochs = 1
  dtype = f64
}
)";
  Setup s = f.setup(source);
  // Labels in sorted order, kept with the weights; integers are their own classes.
  CHECK(s.model->dims().at("K") == 3);
  CHECK(s.model->dims().at("S") == 4);
  REQUIRE(s.labels.count("c"));
  CHECK(s.labels.at("c") == std::vector<std::string>{"blue", "green", "red"});
  const DataColumn* c = s.data.find("c");
  const DataColumn* n = s.data.find("n");
  REQUIRE(c);
  REQUIRE(n);
  REQUIRE(c->values.dtype() == DType::i32);
  // Row 0 is red (class 2), row 1 green (1), row 2 blue (0); sizes are (5i) mod 4.
  CHECK(c->values.at(0) == 2);
  CHECK(c->values.at(1) == 1);
  CHECK(c->values.at(2) == 0);
  for (int i = 0; i < 12; ++i) CHECK(n->values.at(i) == (i * 5) % 4);
  Trainer t(s);
  t.initialize();
  t.train();
  const SafetensorsFile w = t.weights();
  const SavedModel saved = decode_metadata(w.metadata, "w");
  CHECK(saved.labels.at("c") == std::vector<std::string>{"blue", "green", "red"});
}

TEST_CASE("predicting a series gives the training forward's output at every row",
          "[series][predict]") {
  // eqc predict of a time model over rows (series_predict.hpp) against the
  // unrolled training graph: one window over all 100 rows, one stream, the
  // states from their initial values, the same weights. Also with the state
  // read two steps back: prediction carries hₜ₋₁ and hₜ₋₂ as the window does.
  const std::string lag2 = std::string(kSeries).replace(std::string(kSeries).find("U·hₜ₋₁"),
                                                        std::string("U·hₜ₋₁").size(), "U·hₜ₋₂");
  const std::string source = GENERATE_COPY(std::string(kSeries), lag2);
  Folder f;
  Setup s = f.setup(source.c_str(), {{"epochs", "3"}});
  Trainer t(s);
  t.initialize();
  t.train();
  const SafetensorsFile weights = t.weights();

  Setup p = f.setup(source.c_str());
  const Tensor got = predict_series(*p.model, weights, p.data, 0);
  REQUIRE(got.shape() == Shape{100, 1});

  Setup r = f.setup(source.c_str());
  Model& m = *r.model;
  const int rows = 100;
  Window w = unroll(m, rows);
  const std::vector<ir::Node>& forecasts = w.values.at("ŷₜ");
  Machine vm(compile(m.graph(), forecasts));
  set_params(m, weights, vm);
  const Tensor& x = r.data.find("xₜ")->values;
  for (int step = 0; step < rows; ++step) {
    Tensor one(DType::f64, Shape{1, 1});
    one.set(0, x.at(step));
    vm.let(w.inputs.at("xₜ")[static_cast<std::size_t>(step)], one);
  }
  for (const UnrolledState& st : w.states)
    for (const ir::Node& n : st.carry_in) vm.let(n, Tensor(DType::f64, Shape{1, 4}));
  vm.run();
  double moved = 0;
  for (int step = 0; step < rows; ++step) {
    const double want = vm.value(forecasts[static_cast<std::size_t>(step)]).at(0);
    INFO("row " << step);
    CHECK(std::abs(got.at(step) - want) <= 1e-12 * std::max(1.0, std::abs(want)));
    moved = std::max(moved, std::abs(got.at(step) - x.at(step)));
  }
  CHECK(moved > 0.01);  // forecasts, not the inputs echoed
}
