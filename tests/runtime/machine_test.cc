// The Machine's dispatch of the §9 tape kinds (reduce_axis, where, concat,
// slice, unslice, batched matmul, random_normal, random_uniform, dropout),
// on tapes built by hand: each instruction's attributes reach its kernel,
// batched values take the run's B, noise is keyed by set_noise and the
// example row, and a second run allocates nothing.
#include "eq/runtime/machine.hpp"

#include <catch2/catch.hpp>
#include <cmath>

#include "eq/runtime/kernels.hpp"
#include "runtime/kernel_testing.hpp"
#include "support/alloc_counter.hpp"

using eq::DType;
using eq::Shape;
using eq::Tensor;
using eq::kernels::Reduce;
using eq::runtime::BufferRole;
using eq::runtime::Instruction;
using eq::runtime::Kernel;
using eq::runtime::Machine;
using eq::runtime::Tape;
using namespace eq::testing;

namespace {

// Builds a tape one value per buffer (no sharing: the plan is not under test).
struct Builder {
  Tape tape;
  int value(DType t, bool batched, Shape dims, BufferRole role, const std::string& name = "") {
    const std::int64_t bytes = dims.numel() * std::int64_t(eq::dtype_size(t));
    tape.buffers.push_back({role, batched ? 0 : bytes, batched ? bytes : 0});
    tape.values.push_back({t, batched, dims, int(tape.buffers.size()) - 1});
    const int v = int(tape.values.size()) - 1;
    if (role == BufferRole::input) tape.inputs.push_back({name, v});
    if (role == BufferRole::param) tape.params.push_back({name, v});
    return v;
  }
  int input(const std::string& name, Shape dims, DType t = DType::f64) {
    return value(t, true, dims, BufferRole::input, name);
  }
  int param(const std::string& name, Shape dims, DType t = DType::f64) {
    return value(t, false, dims, BufferRole::param, name);
  }
  int scratch(Shape dims, bool batched = true, DType t = DType::f64) {
    return value(t, batched, dims, BufferRole::scratch);
  }
  Instruction& emit(Kernel k, int out, std::initializer_list<int> in = {}) {
    Instruction ins;
    ins.kernel = k;
    ins.out = out;
    int i = 0;
    for (int v : in) ins.in[i++] = v;
    ins.label = std::string(eq::runtime::kernel_name(k));
    tape.code.push_back(ins);
    tape.outputs.push_back(out);
    return tape.code.back();
  }
};

Tensor value_of(const Machine& m, int v) {
  eq::ConstView view = m.value(v);
  Tensor t(view.dtype, view.shape);
  eq::kernels::copy(view, t.view());
  return t;
}

void set(Machine& m, int param, const Tensor& t) { eq::kernels::copy(t.view(), m.param(param)); }

}  // namespace

TEST_CASE("Machine: reduce_axis, where, concat, slice and unslice", "[machine]") {
  Builder b;
  const int x = b.input("X", Shape{3, 4});  // per example a 3×4 matrix
  const int h = b.param("h", Shape{2});
  const int lse = b.scratch(Shape{3, 1}), mx = b.scratch(Shape{1, 4});
  b.emit(Kernel::reduce_axis, lse, {x}).sub = std::uint8_t(Reduce::logsumexp);
  b.tape.code.back().axis = 2;  // the last axis of [B, 3, 4]
  Instruction& r2 = b.emit(Kernel::reduce_axis, mx, {x});
  r2.sub = std::uint8_t(Reduce::max);
  r2.axis = 1;
  const int chosen = b.scratch(Shape{3, 4});
  b.emit(Kernel::where, chosen, {x, x, lse});  // X ≠ 0 ? X : logsumexp of its row
  const int rows = b.scratch(Shape{2, 4}), row = b.scratch(Shape{4}), back = b.scratch(Shape{3, 4});
  Instruction& s = b.emit(Kernel::slice, rows, {x});
  s.axis = 1, s.start = 1, s.stop = 3;
  Instruction& p = b.emit(Kernel::slice, row, {x});  // X[2]
  p.axis = 1, p.start = 2, p.stop = 3;
  Instruction& u = b.emit(Kernel::unslice, back, {row});
  u.axis = 1, u.start = 2;
  const int joined = b.scratch(Shape{6});
  b.emit(Kernel::concat, joined).parts = {h, row};  // [h, X[2]]

  Machine m(b.tape);
  Rng rng(70);
  set(m, h, Tensor::from(Shape{2}, {-1, 7}, DType::f64));
  for (std::int64_t batch : {5, 2, 5}) {  // smaller and again larger batches
    Tensor data = random_tensor(rng, Shape{batch, 3, 4}, DType::f64, -2, 2);
    for (std::int64_t i = 0; i < data.numel(); i += 7) data.set(i, 0);  // some zeros for where
    m.let(x, data.view());
    m.run();
    INFO("batch " << batch);
    Tensor l = value_of(m, lse), xm = value_of(m, mx), c = value_of(m, chosen),
           r = value_of(m, rows), pick = value_of(m, row), bk = value_of(m, back),
           j = value_of(m, joined);
    CHECK(l.shape() == Shape{batch, 3, 1});
    CHECK(j.shape() == Shape{batch, 6});
    for (std::int64_t e = 0; e < batch; ++e) {
      auto at = [&](std::int64_t i, std::int64_t k) { return data.at(e * 12 + i * 4 + k); };
      for (std::int64_t i = 0; i < 3; ++i) {
        double sum = 0;
        for (std::int64_t k = 0; k < 4; ++k) sum += std::exp(at(i, k));
        CHECK(l.at(e * 3 + i) == Approx(std::log(sum)).epsilon(1e-12));
        for (std::int64_t k = 0; k < 4; ++k) {
          CHECK(c.at(e * 12 + i * 4 + k) == (at(i, k) != 0 ? at(i, k) : l.at(e * 3 + i)));
          CHECK(bk.at(e * 12 + i * 4 + k) == (i == 2 ? at(i, k) : 0.0));
        }
      }
      for (std::int64_t k = 0; k < 4; ++k) {
        CHECK(xm.at(e * 4 + k) == std::max({at(0, k), at(1, k), at(2, k)}));
        CHECK(r.at(e * 8 + k) == at(1, k));
        CHECK(r.at(e * 8 + 4 + k) == at(2, k));
        CHECK(pick.at(e * 4 + k) == at(2, k));
        CHECK(j.at(e * 6 + 2 + k) == at(2, k));
      }
      CHECK(j.at(e * 6) == -1);
      CHECK(j.at(e * 6 + 1) == 7);
    }
  }
}

TEST_CASE("Machine: matmul of per-example matrices", "[machine]") {
  Builder b;
  const std::int64_t t = 4, d = 3, k = 2;
  const int x = b.input("X", Shape{t, d}, DType::f32);
  const int w = b.param("W", Shape{d, k}, DType::f32);
  const int q = b.scratch(Shape{t, k}, true, DType::f32),
            scores = b.scratch(Shape{t, t}, true, DType::f32);
  b.emit(Kernel::matmul, q, {x, w});                      // Q = X·W: one gemm over [B·T, D]
  b.emit(Kernel::matmul, scores, {q, q}).trans_b = true;  // Q·Qᵀ per example
  Machine m(b.tape);
  Rng rng(71);
  Tensor wt = random_tensor(rng, Shape{d, k}, DType::f32);
  set(m, w, wt);
  Tensor xt = random_tensor(rng, Shape{5, t, d}, DType::f32);
  m.let(x, xt.view());
  m.run();
  Tensor qv = value_of(m, q), sv = value_of(m, scores);
  std::vector<double> want_q, want_s;
  for (std::int64_t e = 0; e < 5; ++e) {
    for (std::int64_t i = 0; i < t; ++i)
      for (std::int64_t c = 0; c < k; ++c) {
        double sum = 0;
        for (std::int64_t j = 0; j < d; ++j) sum += xt.at(e * t * d + i * d + j) * wt.at(j * k + c);
        want_q.push_back(sum);
      }
    for (std::int64_t i = 0; i < t; ++i)
      for (std::int64_t j = 0; j < t; ++j) {
        double sum = 0;
        for (std::int64_t c = 0; c < k; ++c)
          sum += want_q[std::size_t(e * t * k + i * k + c)] *
                 want_q[std::size_t(e * t * k + j * k + c)];
        want_s.push_back(sum);
      }
  }
  CHECK(mismatch(qv, want_q, 1e-5) == "");
  CHECK(mismatch(sv, want_s, 1e-5) == "");
}

TEST_CASE("Machine: noise is keyed by seed, step, stream and example row", "[machine]") {
  Builder b;
  const int x = b.input("x", Shape{3});  // only sets the batch
  const int eps = b.scratch(Shape{3}), uni = b.scratch(Shape{3}), mask = b.scratch(Shape{3});
  const int shared = b.scratch(Shape{3}, false);  // unbatched: drawn as example 0
  Instruction& n = b.emit(Kernel::random_normal, eps);
  n.scalar[0] = 1, n.scalar[1] = 2, n.stream = 0;
  Instruction& u = b.emit(Kernel::random_uniform, uni);
  u.scalar[0] = -1, u.scalar[1] = 1, u.stream = 1;
  Instruction& d = b.emit(Kernel::dropout, mask);
  d.scalar[0] = 0.25, d.stream = 2;
  Instruction& s = b.emit(Kernel::random_normal, shared);
  s.scalar[1] = 1, s.stream = 3;
  auto run = [&](Machine& m, std::int64_t batch, std::uint64_t step, std::int64_t first_row) {
    Tensor data(DType::f64, Shape{batch, 3});
    m.let(x, data.view());
    m.set_noise(11, step, first_row);
    m.run();
  };
  Machine m(b.tape);
  run(m, 6, 4, 10);
  auto direct = [](void (*fill)(const eq::kernels::NoiseKey&, double, double, eq::View),
                   eq::kernels::NoiseKey key, double p0, double p1, Shape s) {
    Tensor t(DType::f64, s);
    fill(key, p0, p1, t.view());
    return t.to_vector();
  };
  CHECK(value_of(m, eps).to_vector() ==
        direct(eq::kernels::random_normal, {11, 0, 4, 10}, 1, 2, Shape{6, 3}));
  CHECK(value_of(m, uni).to_vector() ==
        direct(eq::kernels::random_uniform, {11, 1, 4, 10}, -1, 1, Shape{6, 3}));
  Tensor want_mask(DType::f64, Shape{6, 3});
  eq::kernels::dropout_mask({11, 2, 4, 10}, 0.25, want_mask.view());
  CHECK(value_of(m, mask).to_vector() == want_mask.to_vector());
  CHECK(value_of(m, shared).to_vector() ==
        direct(eq::kernels::random_normal, {11, 3, 4, 0}, 0, 1, Shape{1, 3}));

  // Examples 12…13 of the same step, drawn in a batch of 2 by another
  // Machine (a resumed run, or another rank), are rows 2…3 above.
  Tensor before = value_of(m, eps);
  Machine other(b.tape);
  run(other, 2, 4, 12);
  Tensor part = value_of(other, eps);
  for (std::int64_t i = 0; i < 6; ++i) CHECK(part.at(i) == before.at(6 + i));
  // The next step draws afresh.
  run(m, 6, 5, 10);
  CHECK(value_of(m, eps).to_vector() != before.to_vector());
}

TEST_CASE("Machine: a second run of the §9 kinds allocates nothing", "[machine]") {
  Builder b;
  const int x = b.input("X", Shape{4, 3});
  const int w = b.param("W", Shape{3, 3});
  const int q = b.scratch(Shape{4, 3}), s = b.scratch(Shape{4, 4}), l = b.scratch(Shape{4, 1});
  const int c = b.scratch(Shape{4, 6}), sl = b.scratch(Shape{2, 3}), un = b.scratch(Shape{4, 3});
  const int wh = b.scratch(Shape{4, 3}), mk = b.scratch(Shape{4, 3}), nz = b.scratch(Shape{4, 3});
  b.emit(Kernel::matmul, q, {x, w});
  b.emit(Kernel::matmul, s, {q, x}).trans_b = true;
  Instruction& r = b.emit(Kernel::reduce_axis, l, {s});
  r.sub = std::uint8_t(Reduce::logsumexp), r.axis = 2;
  b.emit(Kernel::concat, c).parts = {q, x};
  Instruction& sli = b.emit(Kernel::slice, sl, {x});
  sli.axis = 1, sli.start = 1, sli.stop = 3;
  Instruction& uns = b.emit(Kernel::unslice, un, {sl});
  uns.axis = 1, uns.start = 2;
  b.emit(Kernel::where, wh, {un, x, l});
  b.emit(Kernel::dropout, mk).scalar[0] = 0.5;
  b.emit(Kernel::random_normal, nz).scalar[1] = 1;
  Machine m(b.tape);
  Rng rng(72);
  set(m, w, random_tensor(rng, Shape{3, 3}, DType::f64));
  Tensor data = random_tensor(rng, Shape{8, 4, 3}, DType::f64);
  m.let(x, data.view());
  m.run();
  const long before = eq::testing::allocations();
  m.let(x, data.view());
  m.set_noise(1, 2);
  m.run();
  CHECK(eq::testing::allocations() - before == 0);
}
