// One LSTM step written as its equations and built through eq::Parser:
// bind xₜ, hₜ₋₁, cₜ₋₁ and the weights, parse iₜ, fₜ, oₜ, ĉₜ, cₜ, then hₜ,
// compile, run on a small batch and print hₜ.
//
// Built against the installed library: find_package(eq), target eq::eq.
#include <cstdio>
#include <eq/eq.hpp>

int main() {
  const std::int64_t V = 5, H = 4, B = 2;
  eq::Graph g;
  eq::Parser p(g);
  p.set("xₜ", g.input("x", {V}));
  p.set("hₜ₋₁", g.input("h", {H}));
  p.set("cₜ₋₁", g.input("c", {H}));
  for (const char* gate : {"i", "f", "o", "c"}) {
    std::string s = gate;
    p.set("W_" + s, g.param("W_" + s, {H, V}));
    p.set("U_" + s, g.param("U_" + s, {H, H}));
    p.set("B_" + s, g.param("B_" + s, {H}));
  }
  p.define("iₜ = σ(Wᵢ·xₜ + Uᵢ·hₜ₋₁ + Bᵢ)");
  p.define("fₜ = σ(W_f·xₜ + U_f·hₜ₋₁ + B_f)");
  p.define("oₜ = σ(Wₒ·xₜ + Uₒ·hₜ₋₁ + Bₒ)");
  p.define("ĉₜ = tanh(W_c·xₜ + U_c·hₜ₋₁ + B_c)");
  p.define("cₜ = fₜ*cₜ₋₁ + iₜ*ĉₜ");
  eq::Node h = p.define("hₜ = oₜ*tanh(cₜ)");

  eq::Machine vm(eq::compile(g, {h}));
  eq::Rng rng(42);
  for (eq::Node w : g.params()) {
    eq::Tensor t(eq::DType::f32, w.shape().example());
    eq::initialize(eq::init::uniform(-0.5, 0.5), t, rng);
    vm.set_param(w, t);
  }
  eq::Tensor x(eq::DType::f32, {B, V}), h0(eq::DType::f32, {B, H}), c0(eq::DType::f32, {B, H});
  for (std::int64_t b = 0; b < B; ++b) x.set(b * V + b, 1.0);  // one-hot symbols 0 and 1
  vm.let(g.leaf("x"), x);
  vm.let(g.leaf("h"), h0);
  vm.let(g.leaf("c"), c0);
  vm.run();
  eq::Tensor out = vm.value(h);
  std::printf("hₜ for a batch of %lld (H = %lld):\n", static_cast<long long>(B),
              static_cast<long long>(H));
  for (std::int64_t b = 0; b < B; ++b) {
    for (std::int64_t j = 0; j < H; ++j) std::printf(" %9.6f", out.at(b * H + j));
    std::printf("\n");
  }
  return 0;
}
