// models/attention.eq, forward, against the same model written here as plain
// float64 loops over one example at a time: the per-example products, the
// row-wise layer norm and softmax, the max-pooling. At batch 1 and 5, so both
// the batch-of-one and the stacked forms of every product are met. The
// program is compiled for prediction, so the input dropout is not in it.
#include <catch2/catch.hpp>
#include <cmath>
#include <cstdlib>
#include <filesystem>
#include <map>
#include <random>

#include "eq/compiler/lower/model.hpp"
#include "eq/compiler/machine.hpp"
#include "float64_matrix.hpp"
#include "gradcheck.hpp"

using namespace eq;

using testing::Matrix;

TEST_CASE("attention.eq's forward equals a float64 loop at batch 1 and 5", "[models][attention]") {
  const char* root = std::getenv("EQ_SOURCE_DIR");
  const std::string path = (root ? std::filesystem::path(root) : std::filesystem::current_path()) /
                           "models" / "attention.eq";
  ModelOptions options;
  options.dtype = DType::f64;
  Model model = Model::load(path, options);
  ir::Graph& g = model.graph();
  REQUIRE(model.outputs().size() == 1);
  const ir::Node out = model.outputs()[0].second;
  Machine vm(compile(g, {out}));

  const std::int64_t T = model.dims().at("T"), D = model.dims().at("D"), E = model.dims().at("E"),
                     C = model.dims().at("C");
  std::mt19937 rng(7);
  std::map<std::string, Tensor> w;
  for (const ModelParam& p : model.params()) {
    w[p.name] = testing::random_tensor(p.node.shape().example(), rng, -0.5, 0.5);
    vm.set_param(p.node, w[p.name]);
  }
  using testing::matrix, testing::product, testing::softmax_row;
  const Matrix We = matrix(w.at("Wₑ"), D, E), P = matrix(w.at("P"), T, E),
               Wq = matrix(w.at("W_q"), E, E), Wk = matrix(w.at("Wₖ"), E, E),
               Wv = matrix(w.at("Wᵥ"), E, E), Wy = matrix(w.at("W_y"), E, C);
  const Tensor &gamma = w.at("γ"), &beta = w.at("β"), &by = w.at("b_y");

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
      Matrix H = product(x, We);
      for (std::size_t i = 0; i < H.size(); ++i)
        for (std::size_t j = 0; j < H[i].size(); ++j) H[i][j] += P[i][j];
      const Matrix Hn =
          testing::layer_norm(H, testing::vector_of(gamma), testing::vector_of(beta), 1e-5);
      const Matrix Q = product(Hn, Wq), K = product(Hn, Wk), V = product(Hn, Wv);
      Matrix A = product(Q, K, true);
      for (auto& row : A) {
        for (double& v : row) v /= std::sqrt(static_cast<double>(E));
        softmax_row(row);
      }
      const Matrix AV = product(A, V);
      std::vector<double> z(static_cast<std::size_t>(E), -INFINITY);
      for (std::size_t i = 0; i < H.size(); ++i)
        for (std::size_t j = 0; j < z.size(); ++j) z[j] = std::max(z[j], H[i][j] + AV[i][j]);
      std::vector<double> logits(static_cast<std::size_t>(C));
      for (std::size_t c = 0; c < logits.size(); ++c) {
        logits[c] = by.at(static_cast<std::int64_t>(c));
        for (std::size_t j = 0; j < z.size(); ++j) logits[c] += z[j] * Wy[j][c];
      }
      softmax_row(logits);
      for (std::int64_t c = 0; c < C; ++c) {
        INFO("example " << e << " class " << c);
        CHECK(std::abs(got.at(e * C + c) - logits[static_cast<std::size_t>(c)]) <= 1e-10);
      }
    }
  }
}
