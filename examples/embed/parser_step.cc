// examples/embed/parser_step.cc: equations parsed into a graph, differentiated,
// compiled to a tape and run on a batch. The README shows this file as it is.
#include <cstdio>
#include <eq/eq.hpp>
#include <vector>

int main() {
  eq::blas::check_blas_core();      // warns once if OpenBLAS's kernels lag the CPU
  eq::Graph g;                      // float32; eq::Graph g(eq::DType::f64) for double
  eq::Parser p(g);                  // the symbol dictionary
  p.set("xₜ", g.input("x", {65}));  // inputs carry a batch axis; params do not
  p.set("hₜ₋₁", g.input("h", {128}));
  p.set("W_i", g.param("Wᵢ", {128, 65}, eq::init::glorot));  // W_i, W_{i}, Wᵢ: one name
  p.set("Uᵢ", g.param("Uᵢ", {128, 128}, eq::init::orthogonal));
  p.set("Bᵢ", g.param("Bᵢ", {128}, eq::init::constant(0)));
  eq::Node i = p.parse("σ(Wᵢ·xₜ + Uᵢ·hₜ₋₁ + Bᵢ)");  // throws eq::Error with the diagnostic
  p.set("iₜ", i);
  eq::Node gate = p.define("gₜ = 1 - iₜ");  // parse and bind a name in one go

  std::vector<eq::Node> grads = eq::grad(eq::sum(eq::sum(i), 0), {g.leaf("Wᵢ")});
  eq::Machine vm(eq::compile(g, {i, gate, grads[0]}));  // only what the outputs need is compiled
  eq::Rng rng(1);
  vm.initialize(rng);  // each param from its initialiser
  const std::int64_t B = 8;
  eq::Tensor x(eq::DType::f32, {B, 65}), h(eq::DType::f32, {B, 128});
  for (std::int64_t b = 0; b < B; ++b) x.set(b * 65 + b, 1.0);  // one-hot symbols 0…7
  vm.let(g.leaf("x"), x);              // a [B, 65] tensor; leaf("typo") throws
  vm.let(g.leaf("h"), h);              // an input never given: run() says which
  vm.run();                            // allocates nothing after the first run
  eq::Tensor out = vm.value(i);        // [B, 128]
  eq::Tensor dW = vm.value(grads[0]);  // [128, 65]
  std::printf("i[0][0] = %.6f   g[0][0] = %.6f   ∂W[0][0] = %.6f\n", out.at(0),
              vm.value(gate).at(0), dW.at(0));
  return 0;
}
