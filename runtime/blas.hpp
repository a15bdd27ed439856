// Thin wrappers over CBLAS (OpenBLAS). Transposes are passed to BLAS as
// flags and never materialised. f32 calls the s-routines, f64 the d-routines;
// all operands of one call share a dtype. As in BLAS, beta = 0 means the old
// contents of C / y are not read (NaNs left there do not propagate). Empty
// sizes (m, n or k = 0) are handled here and never reach BLAS.
#pragma once

#include <cstdint>

#include "eq/runtime/tensor.hpp"

namespace eq::blas {

enum class Trans : bool { no = false, yes = true };

// C[m,n] = alpha * op(A)[m,k] · op(B)[k,n] + beta * C, row-major, with
// leading dimensions lda / ldb / ldc (elements between rows as stored).
void gemm(DType dtype, Trans ta, Trans tb, std::int64_t m, std::int64_t n, std::int64_t k,
          double alpha, const void* a, std::int64_t lda, const void* b, std::int64_t ldb,
          double beta, void* c, std::int64_t ldc);

// Matrix views: c = alpha * op(a) · op(b) + beta * c, shapes checked
// (a and b rank 2, c rank 2), mismatches throw eq::Error with both shapes:
// "matmul: cannot multiply [2, 3] by [4, 5]" (a transposed operand is
// printed as stored, with a ᵀ: "[3, 2]ᵀ"). A one-column product calls gemv.
void matmul(ConstView a, Trans ta, ConstView b, Trans tb, View c, double alpha = 1,
            double beta = 0);

// y[m] = alpha * op(A)[m,n] · x + beta * y; x and y unit stride. A is stored
// [m, n] (or [n, m] when transposed) with row stride lda.
void gemv(DType dtype, Trans ta, std::int64_t m, std::int64_t n, double alpha, const void* a,
          std::int64_t lda, const void* x, double beta, void* y);

// y += alpha * x; x *= alpha. n elements, unit stride.
void axpy(DType dtype, std::int64_t n, double alpha, const void* x, void* y);
void scal(DType dtype, std::int64_t n, double alpha, void* x);

// OpenBLAS's thread count. Defaults to the number of cores (set once on
// first use of any wrapper unless set_threads was called).
void set_threads(int n);
int threads();

}  // namespace eq::blas
