// blas_demo: what `make demo` runs until `eqc train` exists. One dense layer
// over a small batch, h = σ(X·Wᵀ + b), computed the way the Machine will
// (a BLAS product with the transpose passed as a flag, a broadcast add of the
// bias row, σ in place), then checked against a plain float64 loop.
// Exit status 0 when the two agree, 1 otherwise.
#include <cmath>
#include <cstdio>
#include <vector>

#include "eq/runtime/blas.hpp"
#include "eq/runtime/kernels.hpp"
#include "eq/runtime/tensor.hpp"

using eq::DType;
using eq::Shape;
using eq::Tensor;

int main() {
  constexpr std::int64_t batch = 4, in = 3, out = 5;
  std::vector<double> x_values, w_values, b_values;
  // Fixed, readable inputs: a ramp for X, a checkerboard-ish W, a small bias.
  for (std::int64_t i = 0; i < batch * in; ++i) x_values.push_back(0.5 * double(i % 7) - 1.5);
  for (std::int64_t i = 0; i < out * in; ++i)
    w_values.push_back((i % 2 ? 0.3 : -0.2) * double(i % 5));
  for (std::int64_t j = 0; j < out; ++j) b_values.push_back(0.1 * double(j) - 0.2);

  Tensor x = Tensor::from(Shape{batch, in}, x_values);
  Tensor w = Tensor::from(Shape{out, in}, w_values);
  Tensor b = Tensor::from(Shape{out}, b_values);
  Tensor h(DType::f32, Shape{batch, out});

  eq::blas::matmul(x.view(), eq::blas::Trans::no, w.view(), eq::blas::Trans::yes, h.view());
  eq::kernels::binary(eq::kernels::Binary::add, h.view(), b.view(), h.view());
  eq::kernels::unary(eq::kernels::Unary::sigmoid, h.view(), h.view());

  std::printf("h = σ(X·Wᵀ + b) for X %s, W %s, b %s (f32, %d BLAS threads):\n",
              x.shape().str().c_str(), w.shape().str().c_str(), b.shape().str().c_str(),
              eq::blas::threads());
  double worst = 0;
  for (std::int64_t r = 0; r < batch; ++r) {
    std::printf("  ");
    for (std::int64_t j = 0; j < out; ++j) {
      double z = b_values[j];
      for (std::int64_t k = 0; k < in; ++k) z += x_values[r * in + k] * w_values[j * in + k];
      double expect = 1 / (1 + std::exp(-z));
      double got = h.at(r * out + j);
      worst = std::fmax(worst, std::fabs(got - expect));
      std::printf(" %.6f", got);
    }
    std::printf("\n");
  }
  bool ok = worst < 1e-6;
  std::printf("largest difference from a float64 loop: %.2g — %s\n", worst, ok ? "OK" : "MISMATCH");
  return ok ? 0 : 1;
}
