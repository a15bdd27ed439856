// models/transformer.eq: its forward against the same block written here as
// float64 loops over one example at a time (the per-example products, three
// row-wise layer norms, the erf-form gelu, the residuals, the pooling), at
// batch 1 and 5; and a short training run from its own train block, whose
// loss must fall.
#include <catch2/catch.hpp>
#include <cmath>
#include <cstdlib>
#include <filesystem>
#include <map>
#include <random>

#include "eq/compiler/lower/model.hpp"
#include "eq/compiler/machine.hpp"
#include "eq/train/setup.hpp"
#include "eq/train/trainer.hpp"
#include "float64_matrix.hpp"
#include "gradcheck.hpp"

using namespace eq;
using testing::Matrix;

namespace {

std::string model_path() {
  const char* root = std::getenv("EQ_SOURCE_DIR");
  return (root ? std::filesystem::path(root) : std::filesystem::current_path()) / "models" /
         "transformer.eq";
}

Matrix plus(Matrix a, const Matrix& b) {
  for (std::size_t i = 0; i < a.size(); ++i)
    for (std::size_t j = 0; j < a[i].size(); ++j) a[i][j] += b[i][j];
  return a;
}

// Adds a bias to every row.
Matrix plus_row(Matrix a, const std::vector<double>& b) {
  for (auto& row : a)
    for (std::size_t j = 0; j < row.size(); ++j) row[j] += b[j];
  return a;
}

}  // namespace

TEST_CASE("transformer.eq's forward equals a float64 loop at batch 1 and 5",
          "[models][transformer]") {
  ModelOptions options;
  options.dtype = DType::f64;
  Model model = Model::load(model_path(), options);
  REQUIRE(model.outputs().size() == 1);
  const ir::Node out = model.outputs()[0].second;
  Machine vm(compile(model.graph(), {out}));

  const std::int64_t T = model.dims().at("T"), D = model.dims().at("D"), E = model.dims().at("E"),
                     F = model.dims().at("F"), C = model.dims().at("C");
  std::mt19937 rng(11);
  std::map<std::string, Tensor> w;
  for (const ModelParam& p : model.params()) {
    w[p.name] = testing::random_tensor(p.node.shape().example(), rng, -0.5, 0.5);
    vm.set_param(p.node, w[p.name]);
  }
  using testing::layer_norm, testing::matrix, testing::product, testing::softmax_row,
      testing::vector_of;
  const Matrix We = matrix(w.at("Wₑ"), D, E), P = matrix(w.at("P"), T, E),
               Wq = matrix(w.at("W_q"), E, E), Wk = matrix(w.at("Wₖ"), E, E),
               Wv = matrix(w.at("Wᵥ"), E, E), Wo = matrix(w.at("Wₒ"), E, E),
               W1 = matrix(w.at("W₁"), E, F), W2 = matrix(w.at("W₂"), F, E),
               Wy = matrix(w.at("W_y"), E, C);
  std::vector<std::vector<double>> gain, bias;
  for (const char* i : {"₁", "₂", "₃"}) {
    gain.push_back(vector_of(w.at(std::string("γ") + i)));
    bias.push_back(vector_of(w.at(std::string("β") + i)));
  }
  const std::vector<double> b1 = vector_of(w.at("b₁")), b2 = vector_of(w.at("b₂")),
                            by = vector_of(w.at("b_y"));

  for (std::int64_t batch : {1, 5}) {
    INFO("batch " << batch);
    const Tensor X = testing::random_tensor(Shape{batch, T, D}, rng, 0, 16);
    for (const ModelLeaf& in : model.inputs())
      if (in.name == "X") vm.let(in.node, X);
    vm.run();
    const Tensor got = vm.value(out);
    REQUIRE(got.shape() == Shape{batch, C});
    for (std::int64_t e = 0; e < batch; ++e) {
      Matrix x = matrix(X, T, D, e);
      for (auto& row : x)
        for (double& v : row) v /= 16;
      const Matrix H = plus(product(x, We), P);
      const Matrix H1 = layer_norm(H, gain[0], bias[0], 1e-5);
      const Matrix Q = product(H1, Wq), K = product(H1, Wk), V = product(H1, Wv);
      Matrix A = product(Q, K, true);
      for (auto& row : A) {
        for (double& v : row) v /= std::sqrt(static_cast<double>(E));
        softmax_row(row);
      }
      const Matrix U = plus(H, product(product(A, V), Wo));
      Matrix G = plus_row(product(layer_norm(U, gain[1], bias[1], 1e-5), W1), b1);
      for (auto& row : G)
        for (double& v : row) v = 0.5 * v * (1 + std::erf(v / std::sqrt(2.0)));  // x·Φ(x)
      const Matrix Z3 = layer_norm(plus(U, plus_row(product(G, W2), b2)), gain[2], bias[2], 1e-5);
      std::vector<double> z(static_cast<std::size_t>(E), 0.0);
      for (const auto& row : Z3)
        for (std::size_t j = 0; j < z.size(); ++j) z[j] += row[j] / static_cast<double>(T);
      std::vector<double> logits = by;
      for (std::size_t c = 0; c < logits.size(); ++c)
        for (std::size_t j = 0; j < z.size(); ++j) logits[c] += z[j] * Wy[j][c];
      softmax_row(logits);
      for (std::int64_t c = 0; c < C; ++c) {
        INFO("example " << e << " class " << c);
        CHECK(std::abs(got.at(e * C + c) - logits[static_cast<std::size_t>(c)]) <= 1e-10);
      }
    }
  }
}

TEST_CASE("transformer.eq trains on the digits: two epochs of its train block",
          "[models][transformer]") {
  SetupOptions options;
  options.overrides["epochs"] = "2";
  Setup s = setup_file(model_path(), options);
  Trainer t(s);
  t.initialize();
  const Metrics before = t.validate();
  std::vector<EpochReport> epochs;
  TrainHooks hooks;
  hooks.on_epoch = [&](const EpochReport& r) { epochs.push_back(r); };
  t.train(hooks);
  const Metrics after = t.validate();
  REQUIRE(epochs.size() == 2);
  // At the start the classes are about equally likely: −log(1/10) ≈ 2.3.
  CHECK(before.loss > 1.5);
  CHECK(epochs[1].train.loss < epochs[0].train.loss);
  CHECK(after.loss < 0.6 * before.loss);
  REQUIRE(after.accuracy);
  CHECK(*after.accuracy > 0.6);  // 10 classes: chance is 0.1
}
