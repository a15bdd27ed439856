// slice, unslice and concat against index loops written here; slice and
// unslice as adjoints (⟨slice(x), g⟩ = ⟨x, unslice(g)⟩); concat's adjoint as
// the kernels.hpp comment states it (slice of g, summed over the axes a
// part was broadcast along); the row pick X[i]; the error messages.
#include <catch2/catch.hpp>

#include "eq/runtime/error.hpp"
#include "eq/runtime/kernels.hpp"
#include "runtime/kernel_testing.hpp"

using eq::ConstView;
using eq::DType;
using eq::Shape;
using eq::Tensor;
using namespace eq::testing;

namespace {

std::int64_t flat_index(const std::vector<std::int64_t>& idx, const Shape& s) {
  std::int64_t f = 0;
  for (int a = 0; a < s.rank(); ++a) f = f * s[a] + idx[static_cast<std::size_t>(a)];
  return f;
}

std::vector<double> slice_reference(const Tensor& x, int axis, std::int64_t start,
                                    const Shape& out) {
  std::vector<double> want;
  for (std::int64_t i = 0; i < out.numel(); ++i) {
    auto idx = unflatten(i, out);
    idx[static_cast<std::size_t>(axis)] += start;
    want.push_back(x.at(flat_index(idx, x.shape())));
  }
  return want;
}

double dot(const Tensor& a, const Tensor& b) {
  double s = 0;
  for (std::int64_t i = 0; i < a.numel(); ++i) s += a.at(i) * b.at(i);
  return s;
}

Shape with_axis(Shape s, int axis, std::int64_t size) {
  s[axis] = size;
  return s;
}

}  // namespace

TEMPLATE_TEST_CASE("slice and unslice along every axis, as adjoints", "[kernels][slice]", float,
                   double) {
  const DType t = dtype_of<TestType>();
  Rng rng(60);
  for (int trial = 0; trial < 150; ++trial) {
    const Shape s = random_shape(rng, 1, 4, 5);
    const int axis = static_cast<int>(rng() % static_cast<std::uint64_t>(s.rank()));
    const std::int64_t start =
        static_cast<std::int64_t>(rng() % static_cast<std::uint64_t>(s[axis] + 1));
    const std::int64_t stop =
        start + static_cast<std::int64_t>(rng() % static_cast<std::uint64_t>(s[axis] - start + 1));
    const Shape os = with_axis(s, axis, stop - start);
    Tensor x = random_tensor(rng, s, t), out(t, os);
    eq::kernels::slice(x.view(), axis, start, stop, out.view());
    INFO(s.str() << "[" << start << ":" << stop << "] along axis " << axis);
    CHECK(out.to_vector() == slice_reference(x, axis, start, os));

    Tensor g = random_tensor(rng, os, t), back(t, s);
    eq::kernels::fill(back.view(), NAN);  // every element is written
    eq::kernels::unslice(g.view(), axis, start, back.view());
    for (std::int64_t i = 0; i < back.numel(); ++i) {
      auto idx = unflatten(i, s);
      const std::int64_t k = idx[static_cast<std::size_t>(axis)];
      if (k < start || k >= stop) {
        CHECK(back.at(i) == 0);
      } else {
        idx[static_cast<std::size_t>(axis)] -= start;
        CHECK(back.at(i) == g.at(flat_index(idx, os)));
      }
    }
    CHECK(dot(out, g) == Approx(dot(x, back)).epsilon(1e-5).margin(1e-6));
  }
}

TEMPLATE_TEST_CASE("X[i] is a slice of one that drops the axis", "[kernels][slice]", float,
                   double) {
  const DType t = dtype_of<TestType>();
  Rng rng(61);
  Tensor x = random_tensor(rng, Shape{4, 3, 5}, t);  // a batch of 3×5 matrices
  Tensor row(t, Shape{4, 5}), kept(t, Shape{4, 1, 5});
  eq::kernels::slice(x.view(), 1, 2, 3, row.view());  // X[2] per example
  eq::kernels::slice(x.view(), 1, 2, 3, kept.view());
  CHECK(row.to_vector() == kept.to_vector());
  for (std::int64_t b = 0; b < 4; ++b)
    for (std::int64_t j = 0; j < 5; ++j) CHECK(row.at(b * 5 + j) == x.at(b * 15 + 2 * 5 + j));
  Tensor back(t, Shape{4, 3, 5});
  eq::kernels::unslice(row.view(), 1, 2, back.view());
  for (std::int64_t b = 0; b < 4; ++b)
    for (std::int64_t r = 0; r < 3; ++r)
      for (std::int64_t j = 0; j < 5; ++j)
        CHECK(back.at(b * 15 + r * 5 + j) == (r == 2 ? row.at(b * 5 + j) : 0.0));
  Tensor col(t, Shape{4, 3});  // X[:, 4]: the last column, axis dropped
  eq::kernels::slice(x.view(), 2, 4, 5, col.view());
  for (std::int64_t i = 0; i < 12; ++i) CHECK(col.at(i) == x.at(i * 5 + 4));
}

TEMPLATE_TEST_CASE("concat joins broadcast parts along the last axis", "[kernels][concat]", float,
                   double) {
  const DType t = dtype_of<TestType>();
  Rng rng(62);
  for (int trial = 0; trial < 120; ++trial) {
    // An output [lead..., width]; each part [lead' ..., len] with lead' broadcasting to lead.
    const Shape lead = random_shape(rng, 0, 3, 4);
    const int count = 1 + static_cast<int>(rng() % 4);
    std::vector<Tensor> parts;
    std::int64_t width = 0;
    for (int p = 0; p < count; ++p) {
      std::vector<std::int64_t> dims(lead.begin(), lead.end());
      const int drop = std::uniform_int_distribution<int>(0, lead.rank())(rng);
      dims.erase(dims.begin(), dims.begin() + drop);
      for (auto& d : dims)
        if (rng() % 3 == 0) d = 1;
      const std::int64_t len = static_cast<std::int64_t>(rng() % 4);  // 0 included
      dims.push_back(len);
      Shape ps{std::span<const std::int64_t>(dims)};
      if (len == 1 && dims.size() == 1 && rng() % 2) ps = Shape{};  // a scalar part
      parts.push_back(random_tensor(rng, ps, t));
      width += len;
    }
    std::vector<std::int64_t> odims(lead.begin(), lead.end());
    odims.push_back(width);
    const Shape out_shape{std::span<const std::int64_t>(odims)};
    std::vector<ConstView> views;
    for (const Tensor& p : parts) views.push_back(p.view());
    Tensor out(t, out_shape);
    eq::kernels::fill(out.view(), NAN);
    eq::kernels::concat(views, out.view());

    // Reference: output element (…, j) comes from the part covering j.
    std::string shapes;
    for (const Tensor& p : parts) shapes += p.shape().str() + " ";
    INFO("parts " << shapes << "into " << out_shape.str());
    std::vector<double> want;
    for (std::int64_t i = 0; i < out_shape.numel(); ++i) {
      auto idx = unflatten(i, out_shape);
      std::int64_t j = idx.back(), p = 0;
      while (j >= parts[static_cast<std::size_t>(p)].shape().last())
        j -= parts[static_cast<std::size_t>(p++)].shape().last();
      const Tensor& part = parts[static_cast<std::size_t>(p)];
      idx.back() = j;
      want.push_back(part.at(part.shape().rank() == 0 ? 0 : broadcast_source(idx, part.shape())));
    }
    CHECK(out.to_vector() == want);

    // The adjoint: ⟨concat(parts), g⟩ = Σ_p ⟨part_p, sum_to(slice(g, last, off, off + len))⟩.
    Tensor g = random_tensor(rng, out_shape, t);
    double rhs = 0;
    std::int64_t off = 0;
    const int last = out_shape.rank() - 1;
    for (const Tensor& p : parts) {
      const std::int64_t len = p.shape().last();
      Tensor piece(t, with_axis(out_shape, last, len)), grad(t, p.shape());
      eq::kernels::slice(g.view(), last, off, off + len, piece.view());
      eq::kernels::sum_to_shape(piece.view(), grad.view());
      rhs += dot(p, grad);
      off += len;
    }
    CHECK(dot(out, g) == Approx(rhs).epsilon(1e-5).margin(1e-5));
  }
}

TEMPLATE_TEST_CASE("concat: a param joined with a batch, as W·[h, x] needs", "[kernels][concat]",
                   float, double) {
  const DType t = dtype_of<TestType>();
  Tensor h = Tensor::from(Shape{2}, {10, 20}, t);
  Tensor x = Tensor::from(Shape{3, 1}, {1, 2, 3}, t);
  Tensor y = Tensor::from(Shape{3, 2}, {4, 5, 6, 7, 8, 9}, t);
  Tensor out(t, Shape{3, 5});
  std::vector<ConstView> parts = {h.view(), x.view(), y.view()};
  eq::kernels::concat(parts, out.view());
  CHECK(out.to_vector() == std::vector<double>{10, 20, 1, 4, 5, 10, 20, 2, 6, 7, 10, 20, 3, 8, 9});
}

TEST_CASE("slice, unslice and concat errors", "[kernels][slice][concat]") {
  Tensor x(DType::f32, Shape{4, 5}), o(DType::f32, Shape{4, 2}), w(DType::f32, Shape{4, 3});
  CHECK_THROWS_WITH(eq::kernels::slice(x.view(), 2, 0, 1, o.view()),
                    "slice: axis 2 is out of range for [4, 5]");
  CHECK_THROWS_WITH(eq::kernels::slice(x.view(), 1, 4, 6, o.view()),
                    "slice: [4:6] is out of range for axis 1 of [4, 5]");
  CHECK_THROWS_WITH(eq::kernels::slice(x.view(), 1, 1, 3, w.view()),
                    "slice: [1:3] along axis 1 of [4, 5] is [4, 2], but the output is [4, 3]");
  CHECK_THROWS_WITH(eq::kernels::unslice(w.view(), 1, 3, x.view()),
                    "unslice: [3:6] is out of range for axis 1 of [4, 5]");
  Tensor d(DType::f64, Shape{4, 2});
  CHECK_THROWS_WITH(eq::kernels::slice(x.view(), 1, 0, 2, d.view()),
                    "slice: operands must share a dtype; got f32 and f64");

  Tensor a(DType::f32, Shape{3, 2}), b(DType::f32, Shape{2, 2}), out(DType::f32, Shape{3, 4});
  std::vector<ConstView> bad = {a.view(), b.view()};
  CHECK_THROWS_WITH(eq::kernels::concat(bad, out.view()),
                    "concat: a part of shape [2, 2] does not join into [3, 4]");
  std::vector<ConstView> short_parts = {a.view(), a.view(), a.view()};
  CHECK_THROWS_WITH(eq::kernels::concat(short_parts, out.view()),
                    "concat: parts [3, 2], [3, 2], [3, 2] join into a last axis of 6, but the "
                    "output is [3, 4]");
  CHECK_THROWS_WITH(eq::kernels::concat({}, out.view()), "concat: no parts");
}
