// One char-LSTM training step (models/lstm.eq: H = 128, window 50, batch 32,
// Adam) through eq: feed a window of symbols, run forward + backward over the
// unrolled window, step the solver, carry the state. Prints milliseconds per
// step (median of several) for bench/lstm_compare.sh to set against PyTorch.
// A model whose xₜ is a vector of numbers (bench/lstm_dense.eq) is fed
// random numbers in [-1, 1) instead of symbols.
// Usage: lstm_bench MODEL.eq [steps] [batch] [PASS,...]  (passes to disable,
// e.g. accumulate, to time a pass's worth: bench/README.md)
#include <algorithm>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <eq/eq.hpp>
#include <random>
#include <string_view>

#include "eq/compiler/lower/unroll.hpp"

int main(int argc, char** argv) {
  if (argc < 2) {
    std::fprintf(stderr, "usage: lstm_bench MODEL.eq [steps] [batch] [PASS,...]\n");
    return 2;
  }
  const int steps = argc > 2 ? std::atoi(argv[2]) : 20;
  const std::int64_t B = argc > 3 ? std::atoi(argv[3]) : 32, V = 65;
  eq::CompileOptions compile_options;
  if (argc > 4)
    for (std::string_view rest = argv[4]; !rest.empty();) {
      const std::size_t comma = rest.find(',');
      compile_options.disable.emplace_back(rest.substr(0, comma));
      rest = comma == std::string_view::npos ? std::string_view() : rest.substr(comma + 1);
    }
  const int T = 50;
  eq::ModelOptions options;
  options.dims["V"] = V;
  eq::Model m = eq::Model::load(argv[1], options);
  eq::Window w = eq::unroll(m, T);
  std::vector<eq::Node> params;
  for (const auto& p : m.params()) params.push_back(p.node);
  eq::Node objective = eq::optimize(m.graph(), {w.objective})[0];
  std::vector<eq::Node> grads = eq::grad(objective, params);
  std::vector<eq::Node> outputs{objective};
  outputs.insert(outputs.end(), grads.begin(), grads.end());
  for (const auto& s : w.states) outputs.push_back(s.carry_out[0]);
  eq::Machine vm(eq::compile(m.graph(), outputs, compile_options));

  eq::Rng rng(1);
  std::vector<eq::SolverParam> sp;
  for (const auto& p : m.params()) {
    eq::initialize(p.init, vm.param(p.node), rng);
    sp.push_back({p.name, vm.param(p.node)});
  }
  eq::SolverConfig config = eq::SolverConfig::adam(2e-3);
  config.clip = 5;
  eq::Solver solver(config, sp);

  std::mt19937 gen(5);
  std::vector<eq::Tensor> xs, ys;
  const eq::Node x0 = w.inputs.at("xₜ")[0];
  const bool dense = x0.dtype() != eq::DType::i32;
  const eq::Shape dense_shape = x0.shape().example().with_front(B);
  std::uniform_real_distribution<double> uniform(-1, 1);
  for (int t = 0; t < T; ++t) {
    eq::Tensor x = dense ? eq::Tensor(x0.dtype(), dense_shape) : eq::Tensor(eq::DType::i32, {B});
    eq::Tensor y(eq::DType::i32, {B});
    for (std::int64_t i = 0; i < x.numel(); ++i)
      x.set(i, dense ? uniform(gen) : static_cast<double>(gen() % V));
    for (std::int64_t b = 0; b < B; ++b) y.set(b, static_cast<double>(gen() % V));
    xs.push_back(std::move(x));
    ys.push_back(std::move(y));
  }
  std::vector<eq::Tensor> carry;
  for (const auto& s : w.states)
    carry.emplace_back(eq::DType::f32, s.carry_in[0].shape().example().with_front(B));

  std::vector<eq::ConstView> gv(grads.size());
  auto one_step = [&] {
    for (int t = 0; t < T; ++t) {
      vm.let(w.inputs.at("xₜ")[static_cast<std::size_t>(t)], xs[static_cast<std::size_t>(t)]);
      vm.let(w.inputs.at("yₜ")[static_cast<std::size_t>(t)], ys[static_cast<std::size_t>(t)]);
    }
    for (std::size_t i = 0; i < w.states.size(); ++i) vm.let(w.states[i].carry_in[0], carry[i]);
    vm.run();
    for (std::size_t i = 0; i < grads.size(); ++i) gv[i] = vm.view(grads[i]);
    solver.step(gv);
    for (std::size_t i = 0; i < w.states.size(); ++i) {
      eq::ConstView v = vm.view(w.states[i].carry_out[0]);
      std::copy_n(v.as<float>(), v.numel(), carry[i].data<float>());
    }
  };
  one_step();  // sizes the buffers
  std::vector<double> ms;
  for (int i = 0; i < steps; ++i) {
    auto t0 = std::chrono::steady_clock::now();
    one_step();
    ms.push_back(
        std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - t0).count());
  }
  std::sort(ms.begin(), ms.end());
  if (std::getenv("EQ_PROFILE")) {  // where a step's time goes, by kernel
    vm.runtime().set_profile(true);
    for (int i = 0; i < steps; ++i) one_step();
    double total = 0;
    for (const auto& e : vm.runtime().profile()) total += e.seconds;
    for (const auto& e : vm.runtime().profile())
      std::fprintf(stderr, "%8.3f ms %5.1f%%  %6lld× %s\n", 1e3 * e.seconds / steps,
                   100 * e.seconds / total, static_cast<long long>(e.count / steps),
                   e.label.c_str());
  }
  std::printf("eq: %.3f ms per training step (median of %d; loss %.4f; %zu instructions)\n",
              ms[ms.size() / 2], steps, vm.value(objective).at(0), vm.program().tape.code.size());
  return 0;
}
