// run_fused with the §9 elementwise ops (erf, gelu, gelu′, elu, floor, the
// comparisons, leaky_relu with an immediate α): a program built by hand
// equals the same ops run one kernel at a time, bit for bit, with
// same-shape, row and scalar inputs, over lengths that leave a tail block.
#include "eq/runtime/fused.hpp"

#include <catch2/catch.hpp>

#include "eq/runtime/kernels.hpp"
#include "runtime/kernel_testing.hpp"

using eq::DType;
using eq::Shape;
using eq::Tensor;
using eq::kernels::Binary;
using eq::kernels::Unary;
using eq::runtime::FusedOperand;
using eq::runtime::FusedProgram;
using eq::runtime::FusedStep;
using namespace eq::testing;

namespace {

FusedOperand slot(int i) { return {FusedOperand::Kind::slot, i}; }
FusedOperand input(int i) { return {FusedOperand::Kind::input, i}; }
FusedOperand constant(int i) { return {FusedOperand::Kind::constant, i}; }

FusedStep unary(Unary op, FusedOperand a, int dest) {
  return {false, static_cast<std::uint8_t>(op), a, {}, dest};
}
FusedStep binary(Binary op, FusedOperand a, FusedOperand b, int dest) {
  return {true, static_cast<std::uint8_t>(op), a, b, dest};
}

}  // namespace

// Runs a one-step program op(x) or op(x, operand) through run_fused.
Tensor fused_one(const FusedStep& step, const std::vector<eq::ConstView>& inputs,
                 std::vector<double> constants, const Shape& shape, DType t) {
  FusedProgram p;
  for (std::size_t k = 0; k < inputs.size(); ++k) p.inputs.push_back(static_cast<int>(k));
  p.constants = std::move(constants);
  p.steps = {step};
  Tensor out(t, shape);
  eq::runtime::run_fused(p, inputs.data(), out.view());
  return out;
}

TEMPLATE_TEST_CASE("fused §9 ops equal the single-op kernels bit for bit", "[fused]", float,
                   double) {
  const DType t = dtype_of<TestType>();
  Rng rng(21);
  for (std::int64_t n : {1, 37, 300}) {  // 3·300 crosses block boundaries
    INFO("n = " << n);
    const Shape shape{3, n};
    Tensor x = random_tensor(rng, shape, t, -5, 5);
    // Small integers too, so that the comparisons meet equal pairs.
    Tensor xi(t, shape), row(t, Shape{n}), scalar = Tensor::scalar(1, t);
    for (std::int64_t i = 0; i < xi.numel(); ++i) xi.set(i, double(rng() % 3));
    for (std::int64_t i = 0; i < n; ++i) row.set(i, double(rng() % 3));
    for (Unary op :
         {Unary::erf, Unary::gelu, Unary::gelu_grad, Unary::elu, Unary::elu_grad, Unary::floor}) {
      INFO(eq::kernels::name(op));
      Tensor want(t, shape);
      eq::kernels::unary(op, x.view(), want.view());
      CHECK(fused_one(unary(op, input(0), 0), {x.view()}, {}, shape, t).to_vector() ==
            want.to_vector());
    }
    for (Binary op : {Binary::eq, Binary::ne, Binary::lt, Binary::gt, Binary::le, Binary::ge,
                      Binary::leaky_relu, Binary::leaky_relu_grad}) {
      INFO(eq::kernels::name(op));
      const Tensor& a = op == Binary::leaky_relu || op == Binary::leaky_relu_grad ? x : xi;
      for (const Tensor* b : {&row, &scalar}) {  // a row repeated by rows, a scalar input
        Tensor want(t, shape);
        eq::kernels::binary(op, a.view(), b->view(), want.view());
        CHECK(fused_one(binary(op, input(0), input(1), 0), {a.view(), b->view()}, {}, shape, t)
                  .to_vector() == want.to_vector());
      }
      Tensor want(t, shape);  // an immediate: leaky_relu(x, 0.1) as the compiler would emit
      eq::kernels::binary(op, a.view(), Tensor::scalar(0.1, t).view(), want.view());
      CHECK(fused_one(binary(op, input(0), constant(0), 0), {a.view()}, {0.1}, shape, t)
                .to_vector() == want.to_vector());
    }
    // A chain through slots: leaky_relu(gelu(x), 0.1) · (erf(x) < row).
    FusedProgram p;
    p.inputs = {0, 1};
    p.constants = {0.1};
    p.steps = {unary(Unary::gelu, input(0), 0), binary(Binary::leaky_relu, slot(0), constant(0), 0),
               unary(Unary::erf, input(0), 1), binary(Binary::lt, slot(1), input(1), 1),
               binary(Binary::mul, slot(0), slot(1), 0)};
    p.slots = 2;
    Tensor out(t, shape), s0(t, shape), s1(t, shape);
    eq::ConstView views[] = {x.view(), row.view()};
    eq::runtime::run_fused(p, views, out.view());
    eq::kernels::unary(Unary::gelu, x.view(), s0.view());
    eq::kernels::binary(Binary::leaky_relu, s0.view(), Tensor::scalar(0.1, t).view(), s0.view());
    eq::kernels::unary(Unary::erf, x.view(), s1.view());
    eq::kernels::binary(Binary::lt, s1.view(), row.view(), s1.view());
    eq::kernels::binary(Binary::mul, s0.view(), s1.view(), s0.view());
    CHECK(out.to_vector() == s0.to_vector());
    CHECK(p.label() == "fused[gelu,leaky_relu,erf,lt,mul]");
  }
}
