// transpose, gather_columns and scatter_add_columns. The gather and scatter
// are checked against what they replace: dense products with one-hot
// matrices, computed with naive loops.
#include <catch2/catch.hpp>

#include "eq/runtime/error.hpp"
#include "eq/runtime/kernels.hpp"
#include "runtime/kernel_testing.hpp"

using eq::DType;
using eq::Shape;
using eq::Tensor;
using namespace eq::testing;

namespace {

Tensor indices(std::vector<double> values) {
  return Tensor::from(Shape{static_cast<std::int64_t>(values.size())}, values, DType::i32);
}

// onehot[j, b] = [idx[b] == j], an [n, count] matrix.
std::vector<double> onehot(const Tensor& idx, std::int64_t n) {
  std::int64_t count = idx.numel();
  std::vector<double> h(static_cast<std::size_t>(n * count), 0.0);
  for (std::int64_t b = 0; b < count; ++b)
    h[static_cast<std::size_t>(static_cast<std::int64_t>(idx.at(b)) * count + b)] = 1;
  return h;
}

}  // namespace

TEMPLATE_TEST_CASE("transpose swaps the last two axes", "[kernels][layout]", float, double) {
  Rng rng(40);
  for (Shape s : {Shape{}, Shape{5}, Shape{3, 4}, Shape{40, 70}, Shape{2, 3, 5}, Shape{2, 2, 3, 4},
                  Shape{0, 3}}) {
    Tensor x = random_tensor(rng, s, dtype_of<TestType>());
    Shape ts = s;
    int r = s.rank();
    if (r >= 2) std::swap(ts[r - 2], ts[r - 1]);
    Tensor out(dtype_of<TestType>(), ts);
    eq::kernels::transpose(x.view(), out.view());
    std::vector<double> want(static_cast<std::size_t>(x.numel()));
    for (std::int64_t i = 0; i < x.numel(); ++i) {
      auto idx = unflatten(i, s);
      if (r >= 2) std::swap(idx[r - 2], idx[r - 1]);
      std::int64_t flat = 0;
      for (int a = 0; a < r; ++a) flat = flat * ts[a] + idx[a];
      want[static_cast<std::size_t>(flat)] = x.at(i);
    }
    INFO(s.str());
    CHECK(mismatch(out, want, 0) == "");
  }
  Tensor x(DType::f32, Shape{2, 3}), bad(DType::f32, Shape{2, 3});
  CHECK_THROWS_WITH(eq::kernels::transpose(x.view(), bad.view()),
                    "transpose: the transpose of [2, 3] is [3, 2], but the output is [2, 3]");
}

TEMPLATE_TEST_CASE("gather_columns is w · onehot(idx)", "[kernels][layout]", float, double) {
  Rng rng(41);
  const DType t = dtype_of<TestType>();
  const std::int64_t m = 6, n = 9;
  Tensor w = random_tensor(rng, Shape{m, n}, t);
  Tensor idx = indices({3, 0, 8, 3, 5});  // a repeat, both ends
  const std::int64_t count = idx.numel();
  auto h = onehot(idx, n);
  std::vector<double> want(static_cast<std::size_t>(count * m));
  for (std::int64_t i = 0; i < m; ++i)
    for (std::int64_t b = 0; b < count; ++b) {
      double s = 0;  // (w · onehot)[i, b], stored transposed as out[b, i]
      for (std::int64_t j = 0; j < n; ++j)
        s += w.at(i * n + j) * h[static_cast<std::size_t>(j * count + b)];
      want[static_cast<std::size_t>(b * m + i)] = s;
    }
  Tensor out(t, Shape{count, m});
  eq::kernels::gather_columns(w.view(), idx.view(), out.view());
  CHECK(mismatch(out, want, 0) == "");
}

TEMPLATE_TEST_CASE("scatter_add_columns is dw += g-rows times onehot(idx)ᵀ", "[kernels][layout]",
                   float, double) {
  Rng rng(42);
  const DType t = dtype_of<TestType>();
  const std::int64_t m = 4, n = 7;
  Tensor idx = indices({2, 6, 2, 0, 2});
  const std::int64_t count = idx.numel();
  Tensor g = random_tensor(rng, Shape{count, m}, t);
  Tensor dw = random_tensor(rng, Shape{m, n}, t);  // accumulated into, not cleared
  auto h = onehot(idx, n);
  std::vector<double> want = dw.to_vector();
  for (std::int64_t i = 0; i < m; ++i)
    for (std::int64_t j = 0; j < n; ++j)
      for (std::int64_t b = 0; b < count; ++b)
        want[static_cast<std::size_t>(i * n + j)] +=
            g.at(b * m + i) * h[static_cast<std::size_t>(j * count + b)];
  eq::kernels::scatter_add_columns(g.view(), idx.view(), dw.view());
  CHECK(mismatch(dw, want, tolerance<TestType>()) == "");
}

TEST_CASE("gather and scatter name a bad index and write nothing", "[kernels][layout]") {
  Tensor w = Tensor::from(Shape{2, 5}, {1, 2, 3, 4, 5, 6, 7, 8, 9, 10});
  Tensor out(DType::f32, Shape{3, 2});
  eq::kernels::fill(out.view(), -1);
  CHECK_THROWS_WITH(eq::kernels::gather_columns(w.view(), indices({1, 4, 5}).view(), out.view()),
                    "gather_columns: index 5 at position 2 is out of range [0, 5)");
  CHECK(out.to_vector() == std::vector<double>(6, -1));
  CHECK_THROWS_WITH(eq::kernels::gather_columns(w.view(), indices({-1, 0, 0}).view(), out.view()),
                    "gather_columns: index -1 at position 0 is out of range [0, 5)");

  Tensor g(DType::f32, Shape{3, 2});
  eq::kernels::fill(g.view(), 1);
  Tensor before = w;
  CHECK_THROWS_WITH(eq::kernels::scatter_add_columns(g.view(), indices({0, 7, 1}).view(), w.view()),
                    "scatter_add_columns: index 7 at position 1 is out of range [0, 5)");
  CHECK(w.to_vector() == before.to_vector());

  Tensor wrong(DType::f32, Shape{2, 3});
  CHECK_THROWS_WITH(eq::kernels::gather_columns(w.view(), indices({1, 2, 3}).view(), wrong.view()),
                    "gather_columns: 3 indices into [2, 5] need out of shape [3, 2]; got [2, 3]");
  Tensor fidx(DType::f32, Shape{3});
  CHECK_THROWS_WITH(eq::kernels::gather_columns(w.view(), fidx.view(), out.view()),
                    "gather_columns: indices must be an i32 vector; got f32[3]");
}

// Row lookups (docs/language.md §9.7, `w·E` of a onehot[T, V] input): checked
// against the dense product onehot(idx) · w they replace, for indices of
// rank 1 and 2 (a batch of T indices each).
TEMPLATE_TEST_CASE("gather_rows is onehot(idx) · w", "[kernels][layout]", float, double) {
  Rng rng(43);
  const DType t = dtype_of<TestType>();
  const std::int64_t n = 7, m = 5;
  Tensor w = random_tensor(rng, Shape{n, m}, t);
  for (Shape s : {Shape{4}, Shape{2, 3}}) {
    Tensor idx(DType::i32, s);
    const std::vector<double> picks = {6, 0, 3, 6, 2, 0};  // repeats, both ends
    for (std::int64_t i = 0; i < idx.numel(); ++i) idx.set(i, picks[static_cast<std::size_t>(i)]);
    auto h = onehot(idx, n);  // [n, count]
    const std::int64_t count = idx.numel();
    std::vector<double> want(static_cast<std::size_t>(count * m));
    for (std::int64_t b = 0; b < count; ++b)
      for (std::int64_t i = 0; i < m; ++i) {
        double sum = 0;  // (onehotᵀ · w)[b, i]
        for (std::int64_t j = 0; j < n; ++j)
          sum += h[static_cast<std::size_t>(j * count + b)] * w.at(j * m + i);
        want[static_cast<std::size_t>(b * m + i)] = sum;
      }
    std::vector<std::int64_t> dims(s.begin(), s.end());
    dims.push_back(m);
    Tensor out(t, Shape(std::span<const std::int64_t>(dims)));
    eq::kernels::gather_rows(w.view(), idx.view(), out.view());
    INFO(s.str());
    CHECK(mismatch(out, want, 0) == "");
  }
}

TEMPLATE_TEST_CASE("scatter_add_rows is dw += onehot(idx)ᵀ · g", "[kernels][layout]", float,
                   double) {
  Rng rng(44);
  const DType t = dtype_of<TestType>();
  const std::int64_t n = 6, m = 3;
  Tensor idx = Tensor::from(Shape{2, 3}, {5, 1, 5, 0, 5, 1}, DType::i32);
  const std::int64_t count = idx.numel();
  Tensor g = random_tensor(rng, Shape{2, 3, m}, t);
  Tensor dw = random_tensor(rng, Shape{n, m}, t);  // accumulated into, not cleared
  auto h = onehot(idx, n);
  std::vector<double> want = dw.to_vector();
  for (std::int64_t j = 0; j < n; ++j)
    for (std::int64_t i = 0; i < m; ++i)
      for (std::int64_t b = 0; b < count; ++b)
        want[static_cast<std::size_t>(j * m + i)] +=
            h[static_cast<std::size_t>(j * count + b)] * g.at(b * m + i);
  eq::kernels::scatter_add_rows(g.view(), idx.view(), dw.view());
  CHECK(mismatch(dw, want, tolerance<TestType>()) == "");
}

TEST_CASE("row gather and scatter name a bad index and write nothing", "[kernels][layout]") {
  Tensor w = Tensor::from(Shape{3, 2}, {1, 2, 3, 4, 5, 6});
  Tensor out(DType::f32, Shape{2, 2, 2});
  eq::kernels::fill(out.view(), -1);
  Tensor bad = Tensor::from(Shape{2, 2}, {0, 2, 1, 3}, DType::i32);
  CHECK_THROWS_WITH(eq::kernels::gather_rows(w.view(), bad.view(), out.view()),
                    "gather_rows: index 3 at position 3 is out of range [0, 3)");
  CHECK(out.to_vector() == std::vector<double>(8, -1));
  Tensor g(DType::f32, Shape{2, 2, 2});
  eq::kernels::fill(g.view(), 1);
  Tensor before = w;
  Tensor negative = Tensor::from(Shape{2, 2}, {0, -1, 1, 1}, DType::i32);
  CHECK_THROWS_WITH(eq::kernels::scatter_add_rows(g.view(), negative.view(), w.view()),
                    "scatter_add_rows: index -1 at position 1 is out of range [0, 3)");
  CHECK(w.to_vector() == before.to_vector());
  Tensor wrong(DType::f32, Shape{2, 2});
  Tensor idx = Tensor::from(Shape{2, 2}, {0, 1, 2, 0}, DType::i32);
  CHECK_THROWS_WITH(eq::kernels::gather_rows(w.view(), idx.view(), wrong.view()),
                    "gather_rows: indices [2, 2] into the rows of [3, 2] need out of shape "
                    "[2, 2, 2]; got [2, 2]");
}
