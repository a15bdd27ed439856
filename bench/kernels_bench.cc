// kernels_bench: throughput of the elementwise kernels on the shapes a model
// step runs most: a bias row added over a batch (W·x + b), σ and tanh over
// the result, softmax over class logits, a column broadcast that takes the
// general strided path, and the bias gradient (sum_to_shape). Reported as
// elements per second (items_per_second) for f32 [256, 1024] operands.
// The libm_* cases are the loops the kernels ran before runtime/vmath (one
// libm call per element), kept as the "before" of vmath's figures.
#include <benchmark/benchmark.h>

#include <cmath>

#include "eq/runtime/kernels.hpp"
#include "eq/runtime/tensor.hpp"

namespace {

using eq::DType;
using eq::Shape;
using eq::Tensor;
namespace k = eq::kernels;

constexpr std::int64_t kBatch = 256, kWidth = 1024;

Tensor filled(Shape s, double v) {
  Tensor t(DType::f32, s);
  k::fill(t.view(), v);
  return t;
}

void finish(benchmark::State& state) {
  state.SetItemsProcessed(static_cast<std::int64_t>(state.iterations()) * kBatch * kWidth);
}

void BM_add_bias_row(benchmark::State& state) {
  Tensor z = filled(Shape{kBatch, kWidth}, 0.5), b = filled(Shape{kWidth}, 0.25);
  for (auto _ : state) {
    k::binary(k::Binary::add, z.view(), b.view(), z.view());
    benchmark::ClobberMemory();
  }
  finish(state);
}

void BM_mul_same_shape(benchmark::State& state) {
  Tensor a = filled(Shape{kBatch, kWidth}, 0.5), b = filled(Shape{kBatch, kWidth}, 1.0);
  Tensor out(DType::f32, Shape{kBatch, kWidth});
  for (auto _ : state) {
    k::binary(k::Binary::mul, a.view(), b.view(), out.view());
    benchmark::ClobberMemory();
  }
  finish(state);
}

void BM_mul_column_general(benchmark::State& state) {
  Tensor a = filled(Shape{kBatch, 1}, 0.5), b = filled(Shape{kBatch, kWidth}, 1.0);
  Tensor out(DType::f32, Shape{kBatch, kWidth});
  for (auto _ : state) {
    k::binary(k::Binary::mul, a.view(), b.view(), out.view());
    benchmark::ClobberMemory();
  }
  finish(state);
}

void BM_unary(benchmark::State& state, k::Unary op) {
  Tensor z = filled(Shape{kBatch, kWidth}, 0.5), out(DType::f32, Shape{kBatch, kWidth});
  for (auto _ : state) {
    k::unary(op, z.view(), out.view());
    benchmark::ClobberMemory();
  }
  finish(state);
}

// Inputs spread over [-8, 8] (a constant input would flatter no one here,
// the functions are branch-free, but it is closer to real activations).
Tensor spread() {
  Tensor t(DType::f32, Shape{kBatch, kWidth});
  for (std::int64_t i = 0; i < t.numel(); ++i) t.view().as<float>()[i] = float(i % 1601) / 100 - 8;
  return t;
}

void BM_unary_spread(benchmark::State& state, k::Unary op) {
  Tensor z = spread(), out(DType::f32, Shape{kBatch, kWidth});
  for (auto _ : state) {
    k::unary(op, z.view(), out.view());
    benchmark::ClobberMemory();
  }
  finish(state);
}

template <class F>
void libm_loop(benchmark::State& state, F f) {
  Tensor z = spread(), out(DType::f32, Shape{kBatch, kWidth});
  const float* x = z.view().as<float>();
  float* y = out.view().as<float>();
  for (auto _ : state) {
    for (std::int64_t i = 0; i < kBatch * kWidth; ++i) y[i] = f(x[i]);
    benchmark::ClobberMemory();
  }
  finish(state);
}

void BM_libm_exp(benchmark::State& state) {
  libm_loop(state, [](float x) { return std::exp(x); });
}
void BM_libm_tanh(benchmark::State& state) {
  libm_loop(state, [](float x) { return std::tanh(x); });
}
void BM_libm_sigmoid(benchmark::State& state) {
  libm_loop(state, [](float x) { return 1 / (1 + std::exp(-x)); });
}

void BM_softmax(benchmark::State& state) {
  Tensor z = filled(Shape{kBatch, kWidth}, 0.5), out(DType::f32, Shape{kBatch, kWidth});
  for (auto _ : state) {
    k::softmax(z.view(), out.view());
    benchmark::ClobberMemory();
  }
  finish(state);
}

void BM_bias_gradient(benchmark::State& state) {
  Tensor g = filled(Shape{kBatch, kWidth}, 0.5), db(DType::f32, Shape{kWidth});
  for (auto _ : state) {
    k::sum_to_shape(g.view(), db.view());
    benchmark::ClobberMemory();
  }
  finish(state);
}

BENCHMARK(BM_add_bias_row);
BENCHMARK(BM_mul_same_shape);
BENCHMARK(BM_mul_column_general);
BENCHMARK_CAPTURE(BM_unary, relu, k::Unary::relu);
BENCHMARK_CAPTURE(BM_unary, sigmoid, k::Unary::sigmoid);
BENCHMARK_CAPTURE(BM_unary, tanh, k::Unary::tanh);
BENCHMARK_CAPTURE(BM_unary_spread, exp, k::Unary::exp);
BENCHMARK_CAPTURE(BM_unary_spread, sigmoid, k::Unary::sigmoid);
BENCHMARK_CAPTURE(BM_unary_spread, tanh, k::Unary::tanh);
BENCHMARK_CAPTURE(BM_unary_spread, log1p, k::Unary::log1p);
BENCHMARK(BM_libm_exp);
BENCHMARK(BM_libm_sigmoid);
BENCHMARK(BM_libm_tanh);
BENCHMARK(BM_softmax);
BENCHMARK(BM_bias_gradient);

}  // namespace

BENCHMARK_MAIN();
