#include "eq/runtime/tensor.hpp"

#include <catch2/catch.hpp>

#include "eq/runtime/error.hpp"

using eq::DType;
using eq::Shape;
using eq::Tensor;

TEST_CASE("Shape prints, compares and counts", "[tensor]") {
  Shape s{128, 65};
  CHECK(s.rank() == 2);
  CHECK(s.numel() == 128 * 65);
  CHECK(s.str() == "[128, 65]");
  CHECK(Shape{}.str() == "[]");
  CHECK(Shape{}.numel() == 1);
  CHECK(s.with_front(7) == Shape{7, 128, 65});
  CHECK(Shape{7, 128, 65}.drop_front() == s);
  CHECK(Shape{7, 128, 65}.prefix(1) == Shape{7});
  CHECK_FALSE(Shape{2, 3} == Shape{3, 2});
  CHECK_THROWS_WITH((Shape{1, 2, 3, 4, 5}), "a tensor has at most 4 axes; got 5");
}

TEST_CASE("Tensor storage is zeroed, aligned and deep-copied", "[tensor]") {
  Tensor t(DType::f64, Shape{3, 5});
  CHECK(reinterpret_cast<std::uintptr_t>(t.raw()) % 64 == 0);
  for (int i = 0; i < 15; ++i) CHECK(t.at(i) == 0.0);
  t.set(4, 2.5);
  Tensor u = t;
  u.set(4, -1);
  CHECK(t.at(4) == 2.5);
  CHECK(u.at(4) == -1);
  CHECK(t.data<double>()[4] == 2.5);
  CHECK_THROWS_WITH(t.data<float>(), "tensor access: expected f32 data, got f64");
}

TEST_CASE("Tensor::from checks the count and converts", "[tensor]") {
  Tensor t = Tensor::from(Shape{2, 2}, {1, 2, 3, 4.5}, DType::f32);
  CHECK(t.data<float>()[3] == 4.5f);
  CHECK(t.to(DType::f64).at(3) == 4.5);
  CHECK_THROWS_WITH(Tensor::from(Shape{2, 2}, {1, 2, 3}),
                    "a tensor of shape [2, 2] needs 4 values; got 3");
  CHECK_THROWS_WITH(t.reshaped(Shape{3}), "cannot reshape [2, 2] to [3]: sizes differ");
  CHECK(t.reshaped(Shape{4}).shape() == Shape{4});
}

TEST_CASE("check_same_shape names both shapes", "[tensor]") {
  CHECK_THROWS_AS(eq::check_same_shape(Shape{2, 3}, Shape{3}, "add"), eq::Error);
  CHECK_THROWS_WITH(eq::check_same_shape(Shape{2, 3}, Shape{3}, "add"),
                    "add: shape mismatch: [2, 3] vs [3]");
  CHECK_NOTHROW(eq::check_same_shape(Shape{3}, Shape{3}, "add"));
}
