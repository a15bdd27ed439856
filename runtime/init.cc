#include "eq/runtime/init.hpp"

#include <algorithm>
#include <charconv>
#include <cmath>
#include <vector>

#include "eq/runtime/error.hpp"
#include "eq/runtime/format.hpp"

// LAPACK, as exported by libopenblas (Fortran calling convention: every
// argument by pointer, LP64 integers). We need only Householder QR and the
// explicit Q, so we declare the two routines instead of pulling in LAPACKE.
extern "C" {
void dgeqrf_(const int* m, const int* n, double* a, const int* lda, double* tau, double* work,
             const int* lwork, int* info);
void dorgqr_(const int* m, const int* n, const int* k, double* a, const int* lda, const double* tau,
             double* work, const int* lwork, int* info);
}

namespace eq {

namespace {

void check_finite(double x, const char* what) {
  if (!std::isfinite(x))
    throw Error(std::string(what) + " must be a finite number; got " + format_number(x));
}

}  // namespace

std::string Initializer::describe() const {
  switch (kind) {
    case Kind::constant:
      return format_number(a);
    case Kind::normal:
      return "normal(" + format_number(a) + ", " + format_number(b) + ")";
    case Kind::uniform:
      return "uniform(" + format_number(a) + ", " + format_number(b) + ")";
    case Kind::glorot:
      return "glorot";
    case Kind::glorot_normal:
      return "glorot_normal";
    case Kind::he:
      return "he";
    case Kind::orthogonal:
      return "orthogonal";
  }
  return "?";
}

namespace init {
Initializer constant(double value) {
  check_finite(value, "an initial value");
  return {Initializer::Kind::constant, value, 0};
}
Initializer normal(double mean, double std) {
  check_finite(mean, "normal(μ, σ): μ");
  check_finite(std, "normal(μ, σ): σ");
  if (std < 0) throw Error("normal(μ, σ): σ must not be negative; got " + format_number(std));
  return {Initializer::Kind::normal, mean, std};
}
Initializer uniform(double a, double b) {
  check_finite(a, "uniform(a, b): a");
  check_finite(b, "uniform(a, b): b");
  if (a > b)
    throw Error("uniform(a, b): a must not exceed b; got uniform(" + format_number(a) + ", " +
                format_number(b) + ")");
  return {Initializer::Kind::uniform, a, b};
}
Initializer glorot() { return {Initializer::Kind::glorot, 0, 0}; }
Initializer glorot_normal() { return {Initializer::Kind::glorot_normal, 0, 0}; }
Initializer he() { return {Initializer::Kind::he, 0, 0}; }
Initializer orthogonal() { return {Initializer::Kind::orthogonal, 0, 0}; }
}  // namespace init

Fans fans_of(const Shape& shape) {
  if (shape.rank() == 0) return {1, 1};
  if (shape.rank() == 1) return {shape[0], shape[0]};
  std::int64_t receptive = 1;
  for (int axis = 2; axis < shape.rank(); ++axis) receptive *= shape[axis];
  return {shape[1] * receptive, shape[0] * receptive};
}

namespace {

// A Haar-random matrix with orthonormal rows or columns, row-major
// [rows, cols] in `out`.
void orthogonal_fill(std::int64_t rows, std::int64_t cols, Rng& rng, std::vector<double>& out) {
  // LAPACK works column-major on a tall m×n matrix (m ≥ n). For a tall
  // target we factor W itself (column-major, so element (i, j) of W sits at
  // a[i + j·m]); for a wide one we factor Wᵀ, and Wᵀ in column-major order
  // is W in row-major order.
  const bool tall = rows >= cols;
  const std::int64_t m64 = tall ? rows : cols, n64 = tall ? cols : rows;
  if (m64 * n64 >= (std::int64_t{1} << 31))
    throw Error("orthogonal: a " + std::to_string(rows) + "×" + std::to_string(cols) +
                " matrix is too large to factorise");
  const int m = static_cast<int>(m64), n = static_cast<int>(n64);
  std::vector<double> a(static_cast<std::size_t>(m64 * n64));
  for (double& x : a) x = rng.normal();

  std::vector<double> tau(static_cast<std::size_t>(n));
  int info = 0, lwork = -1;
  double query_qr = 0, query_q = 0;
  dgeqrf_(&m, &n, a.data(), &m, tau.data(), &query_qr, &lwork, &info);
  EQ_ASSERT(info == 0, "dgeqrf workspace query failed");
  dorgqr_(&m, &n, &n, a.data(), &m, tau.data(), &query_q, &lwork, &info);
  EQ_ASSERT(info == 0, "dorgqr workspace query failed");
  lwork = std::max({1, static_cast<int>(query_qr), static_cast<int>(query_q)});
  std::vector<double> work(static_cast<std::size_t>(lwork));

  dgeqrf_(&m, &n, a.data(), &m, tau.data(), work.data(), &lwork, &info);
  EQ_ASSERT(info == 0, "dgeqrf failed");
  // R's diagonal is overwritten by dorgqr, so keep its signs first.
  std::vector<double> sign(static_cast<std::size_t>(n));
  for (std::int64_t j = 0; j < n64; ++j)
    sign[static_cast<std::size_t>(j)] = a[static_cast<std::size_t>(j * m64 + j)] < 0 ? -1.0 : 1.0;
  dorgqr_(&m, &n, &n, a.data(), &m, tau.data(), work.data(), &lwork, &info);
  EQ_ASSERT(info == 0, "dorgqr failed");

  out.resize(a.size());
  for (std::int64_t i = 0; i < rows; ++i)
    for (std::int64_t j = 0; j < cols; ++j) {
      // Q's column k is multiplied by sign[k]; k is W's column when tall, W's row when wide.
      const std::int64_t at = tall ? i + j * m64 : j + i * m64;
      const double s = sign[static_cast<std::size_t>(tall ? j : i)];
      out[static_cast<std::size_t>(i * cols + j)] = s * a[static_cast<std::size_t>(at)];
    }
}

template <class T>
void fill(const Initializer& init, T* dst, const Shape& shape, Rng& rng) {
  const std::int64_t n = shape.numel();
  const Fans fans = fans_of(shape);
  auto fill_normal = [&](double mean, double std) {
    for (std::int64_t i = 0; i < n; ++i) dst[i] = static_cast<T>(rng.normal(mean, std));
  };
  auto fill_uniform = [&](double lo, double hi) {
    for (std::int64_t i = 0; i < n; ++i) dst[i] = static_cast<T>(rng.uniform(lo, hi));
  };
  using Kind = Initializer::Kind;
  switch (init.kind) {
    case Kind::constant:
      for (std::int64_t i = 0; i < n; ++i) dst[i] = static_cast<T>(init.a);
      return;
    case Kind::normal:
      return fill_normal(init.a, init.b);
    case Kind::uniform:
      return fill_uniform(init.a, init.b);
    case Kind::glorot: {
      const double r = std::sqrt(6.0 / static_cast<double>(fans.in + fans.out));
      return fill_uniform(-r, r);
    }
    case Kind::glorot_normal:
      return fill_normal(0, std::sqrt(2.0 / static_cast<double>(fans.in + fans.out)));
    case Kind::he:
      return fill_normal(0, std::sqrt(2.0 / static_cast<double>(fans.in)));
    case Kind::orthogonal: {
      const std::int64_t rows = shape.rank() >= 2 ? shape[0] : 1;
      std::vector<double> q;
      orthogonal_fill(rows, n / rows, rng, q);
      for (std::int64_t i = 0; i < n; ++i) dst[i] = static_cast<T>(q[static_cast<std::size_t>(i)]);
      return;
    }
  }
}

}  // namespace

void initialize(const Initializer& init, View dst, Rng& rng) {
  // Nothing to draw for an empty tensor (and its fans may be 0).
  if (dst.numel() == 0) return;
  switch (dst.dtype) {
    case DType::f32:
      return fill(init, dst.as<float>(), dst.shape, rng);
    case DType::f64:
      return fill(init, dst.as<double>(), dst.shape, rng);
    case DType::i32:
      break;
  }
  throw Error("cannot initialise an " + std::string(dtype_name(dst.dtype)) + " tensor with " +
              init.describe() + ": parameters are f32 or f64");
}

}  // namespace eq
