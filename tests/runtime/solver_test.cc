// Solvers: each update rule against numbers worked out by hand (two steps,
// so momentum, Adam's bias correction and the accumulators are exercised),
// clipping, weight decay, validation, checkpointable state, and a step that
// allocates nothing (this executable replaces the global operator new to
// count allocations).
#include <catch2/catch.hpp>
#include <cmath>
#include <cstdlib>
#include <new>
#include <vector>

#include "eq/runtime/error.hpp"
#include "eq/runtime/solvers.hpp"
#include "support/alloc_counter.hpp"

using eq::ConstView;
using eq::DType;
using eq::Shape;
using eq::Solver;
using eq::SolverConfig;
using eq::Tensor;

namespace {

// One parameter p = [1, -2] with the gradients g₁ = [0.5, 0.3] then
// g₂ = [-0.2, 0.4]; returns p after each of the two steps.
struct Run {
  std::vector<double> after1, after2;
};
Run run(const SolverConfig& config, DType dtype = DType::f64) {
  Tensor p = Tensor::from(Shape{2}, {1, -2}, dtype);
  Solver solver(config, {{"p", p.view()}});
  Run r;
  const Tensor g1 = Tensor::from(Shape{2}, {0.5, 0.3}, dtype);
  const Tensor g2 = Tensor::from(Shape{2}, {-0.2, 0.4}, dtype);
  const ConstView v1[] = {g1.view()}, v2[] = {g2.view()};
  solver.step(v1);
  r.after1 = p.to_vector();
  solver.step(v2);
  r.after2 = p.to_vector();
  CHECK(solver.step_count() == 2);
  return r;
}

void check_close(const std::vector<double>& got, std::initializer_list<double> want, double tol) {
  REQUIRE(got.size() == want.size());
  std::size_t i = 0;
  for (double w : want) {
    INFO("element " << i);
    CHECK(got[i] == Approx(w).epsilon(tol).margin(tol));
    ++i;
  }
}

}  // namespace

TEST_CASE("sgd without momentum: p ← p − lr·g", "[solver]") {
  const Run r = run(SolverConfig::sgd(0.1));
  // 1 − 0.1·0.5 = 0.95; −2 − 0.1·0.3 = −2.03
  check_close(r.after1, {0.95, -2.03}, 1e-15);
  // 0.95 + 0.02 = 0.97; −2.03 − 0.04 = −2.07
  check_close(r.after2, {0.97, -2.07}, 1e-15);
}

TEST_CASE("sgd with momentum: v ← μv + g then p ← p − lr·v", "[solver]") {
  const Run r = run(SolverConfig::sgd(0.1, 0.9));
  // v₁ = g₁ = [0.5, 0.3]; p₁ = [0.95, −2.03]
  check_close(r.after1, {0.95, -2.03}, 1e-15);
  // v₂ = 0.9·[0.5, 0.3] + [−0.2, 0.4] = [0.25, 0.67]; p₂ = p₁ − 0.1·v₂
  check_close(r.after2, {0.925, -2.097}, 1e-14);
  // float32 follows to its precision.
  check_close(run(SolverConfig::sgd(0.1, 0.9), DType::f32).after2, {0.925, -2.097}, 1e-6);
}

TEST_CASE("sgd with nesterov: v ← μv + g then p ← p − lr·(g + μv)", "[solver]") {
  const Run r = run(SolverConfig::sgd(0.1, 0.9, true));
  // v₁ = [0.5, 0.3]; g + μv = [0.95, 0.57]; p₁ = [0.905, −2.057]
  check_close(r.after1, {0.905, -2.057}, 1e-14);
  // v₂ = [0.25, 0.67]; g + μv = [−0.2 + 0.225, 0.4 + 0.603] = [0.025, 1.003]
  check_close(r.after2, {0.9025, -2.1573}, 1e-14);
}

TEST_CASE("adam with bias correction", "[solver]") {
  const Run r = run(SolverConfig::adam(0.1));
  // Step 1: m = 0.1·g, v = 0.001·g², so m̂ = g, v̂ = g², and
  // p ← p − 0.1·g / (|g| + 1e-8).
  check_close(r.after1, {1 - 0.1 * 0.5 / (0.5 + 1e-8), -2 - 0.1 * 0.3 / (0.3 + 1e-8)}, 1e-15);
  // Step 2, element 0: m = 0.9·0.05 + 0.1·(−0.2) = 0.025,
  //   v = 0.999·0.00025 + 0.001·0.04 = 0.00028975,
  //   m̂ = 0.025 / (1 − 0.81) = 0.131578947368...,
  //   v̂ = 0.00028975 / (1 − 0.998001) = 0.144947473736...,
  //   √v̂ = 0.380719658..., step = 0.1 · m̂ / (√v̂ + 1e-8) = 0.0345605...
  const double mhat0 = 0.025 / 0.19, vhat0 = 0.00028975 / 0.001999;
  // element 1: m = 0.9·0.03 + 0.1·0.4 = 0.067, v = 0.999·0.00009 + 0.001·0.16 = 0.00024991
  const double mhat1 = 0.067 / 0.19, vhat1 = 0.00024991 / 0.001999;
  check_close(r.after2,
              {r.after1[0] - 0.1 * mhat0 / (std::sqrt(vhat0) + 1e-8),
               r.after1[1] - 0.1 * mhat1 / (std::sqrt(vhat1) + 1e-8)},
              1e-13);
  CHECK(r.after2[0] == Approx(0.86543943).epsilon(1e-7));
  check_close(run(SolverConfig::adam(0.1), DType::f32).after2, {r.after2[0], r.after2[1]}, 1e-6);
}

TEST_CASE("rmsprop: v ← ρv + (1−ρ)g² then p ← p − lr·g / (√v + ε)", "[solver]") {
  const Run r = run(SolverConfig::rmsprop(0.01));
  // v₁ = 0.1·g² = [0.025, 0.009]
  check_close(
      r.after1,
      {1 - 0.01 * 0.5 / (std::sqrt(0.025) + 1e-8), -2 - 0.01 * 0.3 / (std::sqrt(0.009) + 1e-8)},
      1e-15);
  // v₂ = 0.9·v₁ + 0.1·g₂² = [0.0225 + 0.004, 0.0081 + 0.016] = [0.0265, 0.0241]
  check_close(r.after2,
              {r.after1[0] + 0.01 * 0.2 / (std::sqrt(0.0265) + 1e-8),
               r.after1[1] - 0.01 * 0.4 / (std::sqrt(0.0241) + 1e-8)},
              1e-14);
  CHECK(r.after2[0] == Approx(0.98066313).epsilon(1e-7));  // 1 − 0.0316228 + 0.0122859
}

TEST_CASE("adagrad: s ← s + g² then p ← p − lr·g / (√s + ε)", "[solver]") {
  const Run r = run(SolverConfig::adagrad(0.1));
  // s₁ = g² so the first step is lr·sign(g) (up to ε)
  check_close(r.after1, {0.9, -2.1}, 1e-7);
  // s₂ = [0.25 + 0.04, 0.09 + 0.16] = [0.29, 0.25]
  check_close(
      r.after2,
      {r.after1[0] + 0.1 * 0.2 / (std::sqrt(0.29) + 1e-8), r.after1[1] - 0.1 * 0.4 / (0.5 + 1e-8)},
      1e-14);
  CHECK(r.after2[1] == Approx(-2.18).epsilon(1e-7));
}

TEST_CASE("clip scales all gradients by clip / global norm only when above", "[solver]") {
  // Two parameters with gradients [3, 0] and [4]: global norm 5.
  auto clipped = [](double clip) {
    SolverConfig c = SolverConfig::sgd(1);
    c.clip = clip;
    Tensor a(DType::f64, Shape{2}), b(DType::f32, Shape{1});
    Solver s(c, {{"a", a.view()}, {"b", b.view()}});
    const Tensor ga = Tensor::from(Shape{2}, {3, 0}, DType::f64);
    const Tensor gb = Tensor::from(Shape{1}, {4}, DType::f32);
    const ConstView g[] = {ga.view(), gb.view()};
    CHECK(eq::global_norm(g) == 5);
    s.step(g);
    return std::vector<double>{a.at(0), a.at(1), b.at(0)};
  };
  check_close(clipped(1), {-0.6, 0, -0.8}, 1e-7);  // scaled by 1/5
  check_close(clipped(2.5), {-1.5, 0, -2}, 1e-7);  // scaled by 1/2
  check_close(clipped(5), {-3, 0, -4}, 1e-15);     // at the limit: untouched
  check_close(clipped(10), {-3, 0, -4}, 1e-15);    // below: untouched
  check_close(clipped(0), {-3, 0, -4}, 1e-15);     // 0 = off
}

TEST_CASE("decay adds decay·p to the gradient after clipping", "[solver]") {
  SolverConfig c = SolverConfig::sgd(0.1);
  c.decay = 0.01;
  Tensor p = Tensor::from(Shape{1}, {2}, DType::f64);
  Solver s(c, {{"p", p.view()}});
  const Tensor g = Tensor::from(Shape{1}, {0.5}, DType::f64);
  const ConstView gv[] = {g.view()};
  s.step(gv);
  CHECK(p.at(0) == Approx(2 - 0.1 * (0.5 + 0.01 * 2)).epsilon(1e-15));  // 1.948

  // g = [3, 4] clipped to [0.6, 0.8], then + 0.5·[1, 1]; lr = 1.
  // (Decaying first would clip [3.5, 4.5] instead and give other numbers.)
  SolverConfig d = SolverConfig::sgd(1);
  d.clip = 1;
  d.decay = 0.5;
  Tensor q = Tensor::from(Shape{2}, {1, 1}, DType::f64);
  Solver t(d, {{"q", q.view()}});
  const Tensor h = Tensor::from(Shape{2}, {3, 4}, DType::f64);
  const ConstView hv[] = {h.view()};
  t.step(hv);
  check_close(q.to_vector(), {-0.1, -0.3}, 1e-14);

  // With adam, decay also enters the moments (L2, not AdamW): p = 2, g = 0
  // still moves p, by lr·sign(decay·p) on the first step.
  SolverConfig e = SolverConfig::adam(0.1);
  e.decay = 0.01;
  Tensor r = Tensor::from(Shape{1}, {2}, DType::f64);
  Solver u(e, {{"r", r.view()}});
  const Tensor zero(DType::f64, Shape{1});
  const ConstView zv[] = {zero.view()};
  u.step(zv);
  CHECK(r.at(0) == Approx(2 - 0.1 * 0.02 / (0.02 + 1e-8)).epsilon(1e-14));
}

TEST_CASE("configs have the documented defaults and describe themselves", "[solver]") {
  const SolverConfig a = SolverConfig::adam(0.001);
  CHECK(a.beta1 == 0.9);
  CHECK(a.beta2 == 0.999);
  CHECK(a.eps == 1e-8);
  CHECK(a.describe() == "adam(lr = 0.001, β₁ = 0.9, β₂ = 0.999, ε = 1e-8)");
  CHECK(SolverConfig::sgd(0.1).describe() == "sgd(lr = 0.1, momentum = 0, nesterov = false)");
  CHECK(SolverConfig::rmsprop(0.01).describe() == "rmsprop(lr = 0.01, ρ = 0.9, ε = 1e-8)");
  SolverConfig g = SolverConfig::adagrad(0.5);
  g.clip = 1;
  g.decay = 1e-4;
  CHECK(g.describe() == "adagrad(lr = 0.5, ε = 1e-8), clip = 1, decay = 1e-4");
}

TEST_CASE("bad hyperparameters are user errors naming the value", "[solver]") {
  CHECK_THROWS_WITH(SolverConfig::adam(0.1, 1).validate(), "adam: β₁ must be in [0, 1); got 1");
  CHECK_THROWS_WITH(SolverConfig::adam(0.1, 0.9, -0.1).validate(),
                    "adam: β₂ must be in [0, 1); got -0.1");
  CHECK_THROWS_WITH(SolverConfig::sgd(-1).validate(),
                    "sgd: lr must be a finite number ≥ 0; got -1");
  CHECK_THROWS_WITH(SolverConfig::sgd(0.1, 0, true).validate(),
                    "sgd: nesterov needs a momentum > 0");
  CHECK_THROWS_WITH(SolverConfig::rmsprop(0.1, 0.9, 0).validate(),
                    "rmsprop: ε must be a finite number > 0; got 0");
  CHECK_THROWS_WITH(SolverConfig::adagrad(NAN).validate(),
                    "adagrad: lr must be a finite number ≥ 0; got nan");
  SolverConfig c = SolverConfig::sgd(0.1);
  c.clip = -1;
  CHECK_THROWS_WITH(c.validate(), "clip must be a finite number ≥ 0; got -1");
  Tensor p(DType::f64, Shape{2});
  CHECK_THROWS_WITH(Solver(c, {{"p", p.view()}}), "clip must be a finite number ≥ 0; got -1");
  Tensor i(DType::i32, Shape{2});
  CHECK_THROWS_WITH(Solver(SolverConfig::sgd(1), {{"k", i.view()}}),
                    "parameter k is i32; a solver updates f32 or f64 parameters");
}

TEST_CASE("step checks the gradients against the parameters", "[solver]") {
  Tensor p(DType::f32, Shape{2, 3});
  Solver s(SolverConfig::sgd(1), {{"W", p.view()}});
  const Tensor wrong_shape(DType::f32, Shape{3, 2}), wrong_type(DType::f64, Shape{2, 3});
  const ConstView a[] = {wrong_shape.view()}, b[] = {wrong_type.view()};
  CHECK_THROWS_WITH(s.step(a), "W: shape mismatch: [3, 2] vs [2, 3]");
  CHECK_THROWS_WITH(s.step(b), "W: expected f32 data, got f64");
  CHECK_THROWS_WITH(s.step({}), "solver step: 1 parameters but 0 gradients");
  CHECK(s.step_count() == 0);
  CHECK_THROWS_WITH(s.set_lr(-0.5), "lr must be a finite number ≥ 0; got -0.5");
  s.set_lr(0.25);
  CHECK(s.config().lr == 0.25);
}

TEST_CASE("set_lr changes the rate of the next step", "[solver]") {
  Tensor p = Tensor::from(Shape{1}, {1}, DType::f64);
  Solver s(SolverConfig::sgd(0.1), {{"p", p.view()}});
  const Tensor g = Tensor::from(Shape{1}, {1}, DType::f64);
  const ConstView gv[] = {g.view()};
  s.step(gv);
  s.set_lr(0.5);
  s.step(gv);
  CHECK(p.at(0) == Approx(1 - 0.1 - 0.5).epsilon(1e-15));
}

TEST_CASE("state is named per parameter and slot", "[solver]") {
  Tensor w(DType::f32, Shape{2, 2}), b(DType::f32, Shape{2});
  auto names = [&](const SolverConfig& c) {
    Solver s(c, {{"W", w.view()}, {"b", b.view()}});
    std::vector<std::string> out;
    for (auto& [name, t] : s.state()) {
      out.push_back(name);
      CHECK(t->shape() == (name[0] == 'W' ? Shape{2, 2} : Shape{2}));
    }
    return out;
  };
  using V = std::vector<std::string>;
  CHECK(names(SolverConfig::sgd(1)) == V{});
  CHECK(names(SolverConfig::sgd(1, 0.9)) == V{"W.momentum", "b.momentum"});
  CHECK(names(SolverConfig::adam(1)) == V{"W.m", "W.v", "b.m", "b.v"});
  CHECK(names(SolverConfig::rmsprop(1)) == V{"W.square_avg", "b.square_avg"});
  CHECK(names(SolverConfig::adagrad(1)) == V{"W.sum", "b.sum"});
}

TEST_CASE("restoring state and step count continues a run exactly", "[solver]") {
  // Three adam steps straight through, versus one step, a "checkpoint" (a
  // copy of the parameters, the state and the step count), and two steps on
  // a fresh solver restored from it: the results must be bitwise equal.
  const Tensor g[3] = {Tensor::from(Shape{3}, {0.5, -1, 2}),
                       Tensor::from(Shape{3}, {0.1, 0.2, -0.3}),
                       Tensor::from(Shape{3}, {-0.7, 0.4, 0.05})};
  auto grads = [&](int k) { return std::vector<ConstView>{g[k].view()}; };
  SolverConfig c = SolverConfig::adam(0.01);
  c.decay = 0.1;

  Tensor straight = Tensor::from(Shape{3}, {1, 2, 3});
  Solver a(c, {{"p", straight.view()}});
  for (int k = 0; k < 3; ++k) a.step(grads(k));

  Tensor first = Tensor::from(Shape{3}, {1, 2, 3});
  Solver b(c, {{"p", first.view()}});
  b.step(grads(0));
  Tensor resumed = first;  // the saved parameter
  Solver r(c, {{"p", resumed.view()}});
  auto from = b.state(), to = r.state();
  REQUIRE(from.size() == to.size());
  for (std::size_t i = 0; i < from.size(); ++i) *to[i].second = *from[i].second;
  r.set_step_count(b.step_count());
  for (int k = 1; k < 3; ++k) r.step(grads(k));

  CHECK(resumed.to_vector() == straight.to_vector());
  CHECK(r.step_count() == 3);
  CHECK_THROWS_WITH(r.set_step_count(-1), "a solver's step count cannot be negative; got -1");
}

TEST_CASE("a step allocates nothing and keeps its state buffers", "[solver]") {
  for (SolverConfig c :
       {SolverConfig::sgd(0.1), SolverConfig::sgd(0.1, 0.9, true), SolverConfig::adam(0.01),
        SolverConfig::rmsprop(0.01), SolverConfig::adagrad(0.1)}) {
    INFO(c.describe());
    c.clip = 0.5;
    c.decay = 1e-3;
    Tensor w(DType::f32, Shape{64, 32}), b(DType::f64, Shape{64});
    Tensor gw(DType::f32, Shape{64, 32}), gb(DType::f64, Shape{64});
    for (std::int64_t i = 0; i < gw.numel(); ++i) gw.set(i, std::sin(double(i)));
    for (std::int64_t i = 0; i < gb.numel(); ++i) gb.set(i, std::cos(double(i)));
    Solver s(c, {{"W", w.view()}, {"b", b.view()}});
    std::vector<const void*> before;
    for (auto& [name, t] : s.state()) before.push_back(t->raw());
    const ConstView g[] = {gw.view(), gb.view()};

    const long start = eq::testing::allocations();
    for (int k = 0; k < 5; ++k) s.step(g);
    const long used = eq::testing::allocations() - start;
    CHECK(used == 0);

    std::vector<const void*> after;
    for (auto& [name, t] : s.state()) after.push_back(t->raw());
    CHECK(after == before);
    CHECK(w.at(1) != 0);  // the steps did update (g = sin 1)
  }
  // The counter is live: building a vector is seen.
  const long start = eq::testing::allocations();
  std::vector<int> v(10);
  CHECK(eq::testing::allocations() - start == 1);
}
