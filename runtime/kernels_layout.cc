// Kernels that move elements without arithmetic on them: transpose, and the
// column and row gathers / scatter-adds that replace products with one-hot
// vectors and matrices.
//
// gather_columns(w, idx) is w · onehot(idx) for a batch of indices: instead of
// a [m, n] × [n, count] product that is almost all zeros it reads one column
// of w per index. scatter_add_columns is its adjoint (the gradient of w).
// gather_rows(w, idx) is onehot(idx) · w for indices of any shape (an
// embedding lookup: one contiguous row per index); scatter_add_rows is its
// adjoint.
// Indices are all checked before anything is written, so a bad index leaves
// the output untouched.
#include <algorithm>
#include <string>
#include <vector>

#include "eq/runtime/kernels.hpp"
#include "eq/runtime/kernels_detail.hpp"

namespace eq::kernels {

namespace {

// Tiles keep both the rows read and the rows written in cache.
constexpr std::int64_t kTile = 32;

template <class T>
void transpose_one(const T* x, T* out, std::int64_t rows, std::int64_t cols) {
  for (std::int64_t r0 = 0; r0 < rows; r0 += kTile)
    for (std::int64_t c0 = 0; c0 < cols; c0 += kTile) {
      std::int64_t r1 = r0 + kTile < rows ? r0 + kTile : rows;
      std::int64_t c1 = c0 + kTile < cols ? c0 + kTile : cols;
      for (std::int64_t r = r0; r < r1; ++r)
        for (std::int64_t c = c0; c < c1; ++c) out[c * rows + r] = x[r * cols + c];
    }
}

// Checks the operands of gather_columns / scatter_add_columns: `table` is
// [m, n], idx i32 [count], `rows` [count, m]. Returns the dtype.
DType check_columns(std::string_view what, const ConstView& table, const ConstView& idx,
                    const ConstView& rows, std::string_view table_name,
                    std::string_view rows_name) {
  DType t = detail::common_float(table.dtype, rows.dtype, what);
  // The name as a string only for a message: a step checks these on every run.
  auto w = [&] { return std::string(what); };
  if (table.shape.rank() != 2)
    throw Error(w() + ": " + std::string(table_name) + " must be a matrix; got " +
                table.shape.str());
  if (idx.dtype != DType::i32 || idx.shape.rank() != 1)
    throw Error(w() + ": indices must be an i32 vector; got " + std::string(dtype_name(idx.dtype)) +
                idx.shape.str());
  Shape expect{idx.shape[0], table.shape[0]};
  if (!(rows.shape == expect))
    throw Error(w() + ": " + std::to_string(idx.shape[0]) + " indices into " + table.shape.str() +
                " need " + std::string(rows_name) + " of shape " + expect.str() + "; got " +
                rows.shape.str());
  const std::int32_t* ix = idx.as<std::int32_t>();
  const std::int64_t n = table.shape[1];
  for (std::int64_t b = 0; b < idx.shape[0]; ++b)
    if (ix[b] < 0 || ix[b] >= n)
      throw Error(w() + ": index " + std::to_string(ix[b]) + " at position " + std::to_string(b) +
                  " is out of range [0, " + std::to_string(n) + ")");
  return t;
}

// Checks the operands of gather_rows / scatter_add_rows: `table` is [n, m],
// idx i32 of any shape, `rows` idx's shape followed by m. Returns the dtype.
DType check_rows(std::string_view what, const ConstView& table, const ConstView& idx,
                 const ConstView& rows, std::string_view table_name, std::string_view rows_name) {
  DType t = detail::common_float(table.dtype, rows.dtype, what);
  std::string w(what);
  if (table.shape.rank() != 2)
    throw Error(w + ": " + std::string(table_name) + " must be a matrix; got " + table.shape.str());
  if (idx.dtype != DType::i32)
    throw Error(w + ": indices must be i32; got " + std::string(dtype_name(idx.dtype)) +
                idx.shape.str());
  std::vector<std::int64_t> dims(idx.shape.begin(), idx.shape.end());
  dims.push_back(table.shape[1]);
  const Shape expect{std::span<const std::int64_t>(dims)};
  if (!(rows.shape == expect))
    throw Error(w + ": indices " + idx.shape.str() + " into the rows of " + table.shape.str() +
                " need " + std::string(rows_name) + " of shape " + expect.str() + "; got " +
                rows.shape.str());
  const std::int32_t* ix = idx.as<std::int32_t>();
  const std::int64_t n = table.shape[0];
  for (std::int64_t b = 0; b < idx.numel(); ++b)
    if (ix[b] < 0 || ix[b] >= n)
      throw Error(w + ": index " + std::to_string(ix[b]) + " at position " + std::to_string(b) +
                  " is out of range [0, " + std::to_string(n) + ")");
  return t;
}

}  // namespace

void transpose(ConstView x, View out) {
  DType t = detail::common_float(x.dtype, out.dtype, "transpose");
  Shape expect = x.shape;
  int rank = x.shape.rank();
  if (rank >= 2) {
    expect[rank - 2] = x.shape[rank - 1];
    expect[rank - 1] = x.shape[rank - 2];
  }
  if (!(out.shape == expect))
    throw Error("transpose: the transpose of " + x.shape.str() + " is " + expect.str() +
                ", but the output is " + out.shape.str());
  detail::dispatch_float(t, [&](auto tag) {
    using T = decltype(tag);
    const T* xs = x.as<T>();
    T* os = out.as<T>();
    if (rank < 2) {
      for (std::int64_t i = 0; i < x.numel(); ++i) os[i] = xs[i];
      return;
    }
    const std::int64_t rows = x.shape[rank - 2], cols = x.shape[rank - 1];
    const std::int64_t plane = rows * cols;
    if (plane == 0) return;
    for (std::int64_t p = 0; p < x.numel(); p += plane) transpose_one(xs + p, os + p, rows, cols);
  });
}

void gather_columns(ConstView w, ConstView idx, View out) {
  DType t = check_columns("gather_columns", w, idx, out, "w", "out");
  const std::int64_t m = w.shape[0], n = w.shape[1], count = idx.shape[0];
  const std::int32_t* ix = idx.as<std::int32_t>();
  detail::dispatch_float(t, [&](auto tag) {
    using T = decltype(tag);
    const T* ws = w.as<T>();
    T* os = out.as<T>();
    for (std::int64_t b = 0; b < count; ++b) {
      const T* col = ws + ix[b];
      T* row = os + b * m;
      for (std::int64_t i = 0; i < m; ++i) row[i] = col[i * n];
    }
  });
}

void scatter_add_columns(ConstView g, ConstView idx, View dw) {
  DType t = check_columns("scatter_add_columns", dw, idx, g, "dw", "g");
  const std::int64_t m = dw.shape[0], n = dw.shape[1], count = idx.shape[0];
  const std::int32_t* ix = idx.as<std::int32_t>();
  detail::dispatch_float(t, [&](auto tag) {
    using T = decltype(tag);
    const T* gs = g.as<T>();
    T* ds = dw.as<T>();
    // Repeated indices accumulate: each b adds its row in turn.
    for (std::int64_t b = 0; b < count; ++b) {
      T* col = ds + ix[b];
      const T* row = gs + b * m;
      for (std::int64_t i = 0; i < m; ++i) col[i * n] += row[i];
    }
  });
}

void gather_rows(ConstView w, ConstView idx, View out) {
  DType t = check_rows("gather_rows", w, idx, out, "w", "out");
  const std::int64_t m = w.shape[1], count = idx.numel();
  const std::int32_t* ix = idx.as<std::int32_t>();
  detail::dispatch_float(t, [&](auto tag) {
    using T = decltype(tag);
    const T* ws = w.as<T>();
    T* os = out.as<T>();
    for (std::int64_t b = 0; b < count; ++b) std::copy_n(ws + ix[b] * m, m, os + b * m);
  });
}

void scatter_add_rows(ConstView g, ConstView idx, View dw) {
  DType t = check_rows("scatter_add_rows", dw, idx, g, "dw", "g");
  const std::int64_t m = dw.shape[1], count = idx.numel();
  const std::int32_t* ix = idx.as<std::int32_t>();
  detail::dispatch_float(t, [&](auto tag) {
    using T = decltype(tag);
    const T* gs = g.as<T>();
    T* ds = dw.as<T>();
    // Repeated indices accumulate: each index adds its row in turn, in order.
    for (std::int64_t b = 0; b < count; ++b) {
      T* row = ds + ix[b] * m;
      const T* from = gs + b * m;
      for (std::int64_t i = 0; i < m; ++i) row[i] += from[i];
    }
  });
}

}  // namespace eq::kernels
