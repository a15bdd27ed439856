// Plain float64 matrices for the model tests that check a model's forward
// against the same equations written as loops here (attention_test.cc,
// transformer_test.cc): one example at a time, no eq code involved.
#pragma once

#include <algorithm>
#include <cmath>
#include <vector>

#include "eq/runtime/tensor.hpp"

namespace eq::testing {

using Matrix = std::vector<std::vector<double>>;

inline Matrix zeros(std::int64_t r, std::int64_t c) {
  return Matrix(static_cast<std::size_t>(r), std::vector<double>(static_cast<std::size_t>(c), 0.0));
}

// t ([rows, cols] stored, or row `example` of a batch) as a matrix.
inline Matrix matrix(const Tensor& t, std::int64_t rows, std::int64_t cols,
                     std::int64_t example = 0) {
  Matrix m = zeros(rows, cols);
  for (std::int64_t i = 0; i < rows; ++i)
    for (std::int64_t j = 0; j < cols; ++j)
      m[static_cast<std::size_t>(i)][static_cast<std::size_t>(j)] =
          t.at((example * rows + i) * cols + j);
  return m;
}

// A vector tensor [n] as a std::vector.
inline std::vector<double> vector_of(const Tensor& t) {
  std::vector<double> v(static_cast<std::size_t>(t.numel()));
  for (std::size_t i = 0; i < v.size(); ++i) v[i] = t.at(static_cast<std::int64_t>(i));
  return v;
}

inline Matrix product(const Matrix& a, const Matrix& b, bool b_transposed = false) {
  const std::size_t n = b_transposed ? b.size() : b[0].size();
  Matrix out(a.size(), std::vector<double>(n, 0.0));
  for (std::size_t i = 0; i < a.size(); ++i)
    for (std::size_t j = 0; j < n; ++j)
      for (std::size_t k = 0; k < a[0].size(); ++k)
        out[i][j] += a[i][k] * (b_transposed ? b[j][k] : b[k][j]);
  return out;
}

inline void softmax_row(std::vector<double>& row) {
  double top = -INFINITY, total = 0;
  for (double v : row) top = std::max(top, v);
  for (double& v : row) total += (v = std::exp(v - top));
  for (double& v : row) v /= total;
}

// Each row normalised to mean 0 and variance 1 (the biased variance, + eps
// under the root), then scaled by gain and shifted by bias, elementwise.
inline Matrix layer_norm(const Matrix& h, const std::vector<double>& gain,
                         const std::vector<double>& bias, double eps) {
  Matrix out = h;
  for (auto& row : out) {
    double mean = 0, var = 0;
    for (double v : row) mean += v;
    mean /= static_cast<double>(row.size());
    for (double v : row) var += (v - mean) * (v - mean);
    var /= static_cast<double>(row.size());
    for (std::size_t j = 0; j < row.size(); ++j)
      row[j] = gain[j] * (row[j] - mean) / std::sqrt(var + eps) + bias[j];
  }
  return out;
}

}  // namespace eq::testing
