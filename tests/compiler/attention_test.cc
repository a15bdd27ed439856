// models/attention.eq, forward, against the same model written here as plain
// float64 loops over one example at a time: the per-example products, the
// row-wise layer norm and softmax, the pooling. At batch 1 and 5, so both
// the batch-of-one and the stacked forms of every product are met.
#include <catch2/catch.hpp>
#include <cmath>
#include <cstdlib>
#include <filesystem>
#include <map>
#include <random>

#include "eq/compiler/lower/model.hpp"
#include "eq/compiler/machine.hpp"
#include "gradcheck.hpp"

using namespace eq;

namespace {

using Matrix = std::vector<std::vector<double>>;

Matrix zeros(std::int64_t r, std::int64_t c) {
  return Matrix(static_cast<std::size_t>(r), std::vector<double>(static_cast<std::size_t>(c), 0.0));
}

// t ([rows, cols] stored, or row `example` of a batch) as a matrix.
Matrix matrix(const Tensor& t, std::int64_t rows, std::int64_t cols, std::int64_t example = 0) {
  Matrix m = zeros(rows, cols);
  for (std::int64_t i = 0; i < rows; ++i)
    for (std::int64_t j = 0; j < cols; ++j)
      m[static_cast<std::size_t>(i)][static_cast<std::size_t>(j)] =
          t.at((example * rows + i) * cols + j);
  return m;
}

Matrix product(const Matrix& a, const Matrix& b, bool b_transposed = false) {
  const std::size_t n = b_transposed ? b.size() : b[0].size();
  Matrix out(a.size(), std::vector<double>(n, 0.0));
  for (std::size_t i = 0; i < a.size(); ++i)
    for (std::size_t j = 0; j < n; ++j)
      for (std::size_t k = 0; k < a[0].size(); ++k)
        out[i][j] += a[i][k] * (b_transposed ? b[j][k] : b[k][j]);
  return out;
}

void softmax_row(std::vector<double>& row) {
  double top = -INFINITY, total = 0;
  for (double v : row) top = std::max(top, v);
  for (double& v : row) total += (v = std::exp(v - top));
  for (double& v : row) v /= total;
}

}  // namespace

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

  const std::int64_t T = 8, D = 8, E = 32, C = 10;
  std::mt19937 rng(7);
  std::map<std::string, Tensor> w;
  for (const ModelParam& p : model.params()) {
    w[p.name] = testing::random_tensor(p.node.shape().example(), rng, -0.5, 0.5);
    vm.set_param(p.node, w[p.name]);
  }
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
      Matrix Hn = zeros(T, E);
      for (std::size_t i = 0; i < H.size(); ++i) {
        double mean = 0, var = 0;
        for (std::size_t j = 0; j < H[i].size(); ++j) mean += (H[i][j] += P[i][j]);
        mean /= static_cast<double>(E);
        for (double v : H[i]) var += (v - mean) * (v - mean);
        var /= static_cast<double>(E);
        for (std::size_t j = 0; j < H[i].size(); ++j)
          Hn[i][j] =
              gamma.at(static_cast<std::int64_t>(j)) * (H[i][j] - mean) / std::sqrt(var + 1e-5) +
              beta.at(static_cast<std::int64_t>(j));
      }
      const Matrix Q = product(Hn, Wq), K = product(Hn, Wk), V = product(Hn, Wv);
      Matrix A = product(Q, K, true);
      for (auto& row : A) {
        for (double& v : row) v /= std::sqrt(static_cast<double>(E));
        softmax_row(row);
      }
      const Matrix AV = product(A, V);
      std::vector<double> z(static_cast<std::size_t>(E), 0.0);
      for (std::size_t i = 0; i < H.size(); ++i)
        for (std::size_t j = 0; j < z.size(); ++j)
          z[j] += (H[i][j] + AV[i][j]) / static_cast<double>(T);
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
