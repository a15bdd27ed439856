// examples/embed/parser_step.cc: equations parsed into a graph, differentiated,
// compiled to a tape and run on a batch. The README shows this file as it is.
#include <cstdio>
#include <vector>

#include <eq/eq.hpp>

int main() {
  eq::blas::check_blas_core();                  // warns once if OpenBLAS's kernels lag the CPU
  eq::Graph g;                                  // float32; eq::Graph g(eq::DType::f64) for double
  eq::Parser p(g);                              // the symbol dictionary
  p.set("xₜ", g.input("x", {65}));             // inputs carry a batch axis; params do not
  p.set("hₜ₋₁", g.input("h", {128}));
  p.set("W_i", g.param("Wᵢ", {128, 65}));       // W_i, W_{i} and Wᵢ are one name
  p.set("Uᵢ", g.param("Uᵢ", {128, 128}));
  p.set("Bᵢ", g.param("Bᵢ", {128}));
  eq::Node i = p.parse("σ(Wᵢ·xₜ + Uᵢ·hₜ₋₁ + Bᵢ)");  // throws eq::Error with the diagnostic
  p.set("iₜ", i);
  eq::Node gate = p.define("gₜ = 1 - iₜ");      // parse and bind a name in one go

  std::vector<eq::Node> grads = eq::grad(eq::sum(eq::sum(i), 0), {g.leaf("Wᵢ")});
  eq::Machine vm(eq::compile(g, {i, gate, grads[0]}));  // only what the outputs need is compiled
  eq::Rng rng(1);
  for (eq::Node w : g.params()) {               // every parameter gets its values
    eq::Tensor t(eq::DType::f32, w.shape().example());
    eq::initialize(eq::init::glorot(), t, rng);
    vm.set_param(w, t);                         // or vm.param(node) for in-place access
  }
  const std::int64_t B = 8;
  eq::Tensor x(eq::DType::f32, {B, 65}), h(eq::DType::f32, {B, 128});
  for (std::int64_t b = 0; b < B; ++b) x.set(b * 65 + b, 1.0);  // one-hot symbols 0…7
  vm.let(g.leaf("x"), x);                       // a [B, 65] tensor
  vm.let(g.leaf("h"), h);
  vm.run();                                     // allocates nothing after the first run
  eq::Tensor out = vm.value(i);                 // [B, 128]
  eq::Tensor dW = vm.value(grads[0]);           // [128, 65]
  std::printf("i[0][0] = %.6f   g[0][0] = %.6f   ∂W[0][0] = %.6f\n", out.at(0),
              vm.value(gate).at(0), dW.at(0));
  return 0;
}
