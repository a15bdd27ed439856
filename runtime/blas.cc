// CBLAS wrappers. All calls are row-major; a transpose is a CblasTrans flag,
// never a copy. The wrappers add a dtype switch and a few integer checks to
// the BLAS call; bench/sgemm_bench.cc measures that this costs < 2 %.
//
// Degenerate sizes are handled here rather than passed on: OpenBLAS rejects
// a leading dimension of 0 (which an empty matrix has) with a message on
// stderr, and BLAS does not define k = 0 for every implementation.
#include "eq/runtime/blas.hpp"

#include <cblas.h>

#include <atomic>
#include <climits>
#include <cstdlib>
#include <mutex>
#include <string>
#include <thread>

#include "eq/runtime/error.hpp"

namespace eq::blas {

namespace {

std::atomic<bool> threads_chosen_by_user{false};
std::once_flag default_threads_once;

// The first BLAS call sets OpenBLAS to one thread per core, unless the
// program already chose (set_threads) or the user did, through the
// environment variables OpenBLAS itself reads.
void apply_default_threads() {
  std::call_once(default_threads_once, [] {
    if (threads_chosen_by_user.load()) return;
    if (std::getenv("OPENBLAS_NUM_THREADS") || std::getenv("OMP_NUM_THREADS")) return;
    unsigned cores = std::thread::hardware_concurrency();
    openblas_set_num_threads(cores > 0 ? static_cast<int>(cores) : 1);
  });
}

// CBLAS takes int sizes (OpenBLAS built with 32-bit blasint).
blasint to_blas(std::int64_t v) {
  if (v < 0 || v > INT_MAX)
    throw Error("BLAS: size " + std::to_string(v) + " is outside the 32-bit BLAS interface");
  return static_cast<blasint>(v);
}

CBLAS_TRANSPOSE flag(Trans t) { return t == Trans::yes ? CblasTrans : CblasNoTrans; }

void require_float(DType t, const char* what) {
  if (t != DType::f32 && t != DType::f64)
    throw Error(std::string(what) + ": expected f32 or f64 data, got " +
                std::string(dtype_name(t)));
}

// c[rows, cols] (leading dimension ld) *= beta, with beta = 0 writing zeros.
template <class T>
void scale_matrix(T* c, std::int64_t rows, std::int64_t cols, std::int64_t ld, T beta) {
  for (std::int64_t r = 0; r < rows; ++r)
    for (std::int64_t j = 0; j < cols; ++j)
      c[r * ld + j] = beta == T(0) ? T(0) : beta * c[r * ld + j];
}

std::string operand(const Shape& s, Trans t) { return s.str() + (t == Trans::yes ? "ᵀ" : ""); }

}  // namespace

void gemm(DType dtype, Trans ta, Trans tb, std::int64_t m, std::int64_t n, std::int64_t k,
          double alpha, const void* a, std::int64_t lda, const void* b, std::int64_t ldb,
          double beta, void* c, std::int64_t ldc) {
  require_float(dtype, "gemm");
  if (m == 0 || n == 0) return;
  if (k == 0) {  // an empty sum: C = beta * C
    if (dtype == DType::f32)
      scale_matrix(static_cast<float*>(c), m, n, ldc, static_cast<float>(beta));
    else
      scale_matrix(static_cast<double*>(c), m, n, ldc, beta);
    return;
  }
  apply_default_threads();
  if (dtype == DType::f32)
    cblas_sgemm(CblasRowMajor, flag(ta), flag(tb), to_blas(m), to_blas(n), to_blas(k),
                static_cast<float>(alpha), static_cast<const float*>(a), to_blas(lda),
                static_cast<const float*>(b), to_blas(ldb), static_cast<float>(beta),
                static_cast<float*>(c), to_blas(ldc));
  else
    cblas_dgemm(CblasRowMajor, flag(ta), flag(tb), to_blas(m), to_blas(n), to_blas(k), alpha,
                static_cast<const double*>(a), to_blas(lda), static_cast<const double*>(b),
                to_blas(ldb), beta, static_cast<double*>(c), to_blas(ldc));
}

void matmul(ConstView a, Trans ta, ConstView b, Trans tb, View c, double alpha, double beta) {
  if (a.shape.rank() != 2 || b.shape.rank() != 2)
    throw Error("matmul: expects two matrices; got " + a.shape.str() + " and " + b.shape.str());
  require_float(a.dtype, "matmul");
  if (b.dtype != a.dtype || c.dtype != a.dtype)
    throw Error("matmul: operands must share a dtype; got " + std::string(dtype_name(a.dtype)) +
                ", " + std::string(dtype_name(b.dtype)) + " and " +
                std::string(dtype_name(c.dtype)));
  const bool at = ta == Trans::yes, bt = tb == Trans::yes;
  const std::int64_t m = a.shape[at ? 1 : 0], k = a.shape[at ? 0 : 1];
  const std::int64_t kb = b.shape[bt ? 1 : 0], n = b.shape[bt ? 0 : 1];
  if (k != kb)
    throw Error("matmul: cannot multiply " + operand(a.shape, ta) + " by " + operand(b.shape, tb));
  if (!(c.shape == Shape{m, n}))
    throw Error("matmul: " + operand(a.shape, ta) + " by " + operand(b.shape, tb) + " gives " +
                Shape{m, n}.str() + ", but the output is " + c.shape.str());
  if (n == 1 && m > 0 && k > 0) {
    // A matrix times one column: b's k elements are contiguous either way
    // ([k, 1] or [1, k]), and so is c, so gemv applies and skips gemm's packing.
    gemv(a.dtype, ta, m, k, alpha, a.data, a.shape[1], b.data, beta, c.data);
    return;
  }
  gemm(a.dtype, ta, tb, m, n, k, alpha, a.data, a.shape[1], b.data, b.shape[1], beta, c.data, n);
}

void gemv(DType dtype, Trans ta, std::int64_t m, std::int64_t n, double alpha, const void* a,
          std::int64_t lda, const void* x, double beta, void* y) {
  require_float(dtype, "gemv");
  if (m == 0) return;
  if (n == 0) {
    if (dtype == DType::f32)
      scale_matrix(static_cast<float*>(y), 1, m, m, static_cast<float>(beta));
    else
      scale_matrix(static_cast<double*>(y), 1, m, m, beta);
    return;
  }
  apply_default_threads();
  // CBLAS sizes the stored A; op(A) is [m, n], so a transposed A is stored [n, m].
  const blasint rows = to_blas(ta == Trans::yes ? n : m), cols = to_blas(ta == Trans::yes ? m : n);
  if (dtype == DType::f32)
    cblas_sgemv(CblasRowMajor, flag(ta), rows, cols, static_cast<float>(alpha),
                static_cast<const float*>(a), to_blas(lda), static_cast<const float*>(x), 1,
                static_cast<float>(beta), static_cast<float*>(y), 1);
  else
    cblas_dgemv(CblasRowMajor, flag(ta), rows, cols, alpha, static_cast<const double*>(a),
                to_blas(lda), static_cast<const double*>(x), 1, beta, static_cast<double*>(y), 1);
}

void axpy(DType dtype, std::int64_t n, double alpha, const void* x, void* y) {
  require_float(dtype, "axpy");
  if (n == 0) return;
  apply_default_threads();
  if (dtype == DType::f32)
    cblas_saxpy(to_blas(n), static_cast<float>(alpha), static_cast<const float*>(x), 1,
                static_cast<float*>(y), 1);
  else
    cblas_daxpy(to_blas(n), alpha, static_cast<const double*>(x), 1, static_cast<double*>(y), 1);
}

void scal(DType dtype, std::int64_t n, double alpha, void* x) {
  require_float(dtype, "scal");
  if (n == 0) return;
  apply_default_threads();
  if (dtype == DType::f32)
    cblas_sscal(to_blas(n), static_cast<float>(alpha), static_cast<float*>(x), 1);
  else
    cblas_dscal(to_blas(n), alpha, static_cast<double*>(x), 1);
}

void set_threads(int n) {
  if (n < 1) throw Error("BLAS threads must be at least 1; got " + std::to_string(n));
  threads_chosen_by_user.store(true);
  openblas_set_num_threads(n);
}

int threads() {
  apply_default_threads();
  return openblas_get_num_threads();
}

}  // namespace eq::blas
