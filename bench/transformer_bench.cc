// One training step of models/transformer.eq's block at T = 64, D = E = 128,
// F = 512, batch 32 (Adam), through eq: the training program `eqc train`
// compiles (training_program: the batch-mean loss and every gradient), run
// on synthetic inputs, then the solver's update. Prints milliseconds per step
// (median of several) for bench/transformer_compare.sh to set against
// PyTorch; with EQ_PROFILE set, also where a step's time goes, by kernel.
// Usage: transformer_bench MODEL.eq [steps [NAME=VALUE]...] — other sizes by
// name (T, D, E, F, C, and B for the batch), e.g. the digits' T=8 D=8 E=64 F=128.
#include <algorithm>
#include <cctype>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <ctime>
#include <eq/eq.hpp>
#include <random>
#include <sstream>
#include <string>

#include "eq/train/program.hpp"

int main(int argc, char** argv) {
  if (argc < 2) {
    std::fprintf(stderr, "usage: transformer_bench MODEL.eq [steps [NAME=VALUE]...]\n");
    return 2;
  }
  const int steps = argc > 2 ? std::atoi(argv[2]) : 20;
  std::int64_t B = 32;
  eq::ModelOptions options;
  options.dims = {{"T", 64}, {"D", 128}, {"E", 128}, {"F", 512}, {"C", 10}};
  for (int i = 3; i < argc; ++i) {  // NAME=VALUE: another size (B is the batch)
    const std::string a = argv[i];
    const auto eq_at = a.find('=');
    if (eq_at == std::string::npos) {
      std::fprintf(stderr, "transformer_bench: expected NAME=VALUE, got '%s'\n", argv[i]);
      return 2;
    }
    const std::int64_t v = std::atoll(a.c_str() + eq_at + 1);
    if (a.substr(0, eq_at) == "B")
      B = v;
    else
      options.dims[a.substr(0, eq_at)] = v;
  }
  const std::int64_t T = options.dims.at("T"), D = options.dims.at("D"), C = options.dims.at("C");
  eq::Model m = eq::Model::load(argv[1], options);
  const eq::TrainingProgram program = eq::training_program(m);
  eq::Machine vm(eq::compile(m.graph(), program.outputs(), eq::training_options()));

  eq::Rng rng(1);
  std::vector<eq::SolverParam> sp;
  for (const auto& p : m.params()) {
    eq::initialize(p.init, vm.param(p.node), rng);
    sp.push_back({p.name, vm.param(p.node)});
  }
  eq::Solver solver(eq::SolverConfig::adam(3e-3), sp);

  // Pixel-like inputs in 0..16 (the model divides by 16) and random classes.
  std::mt19937 gen(5);
  std::uniform_real_distribution<float> pixel(0, 16);
  eq::Tensor x(eq::DType::f32, {B, T, D}), y(eq::DType::i32, {B});
  for (std::int64_t i = 0; i < x.numel(); ++i) x.data<float>()[i] = pixel(gen);
  for (std::int64_t b = 0; b < B; ++b) y.set(b, static_cast<double>(gen() % C));
  for (const auto& in : m.inputs()) vm.let(in.node, x);
  for (const auto& t : m.targets()) vm.let(t.node, y);

  std::vector<eq::ConstView> gv(program.grads.size());
  auto one_step = [&] {
    vm.run();
    for (std::size_t i = 0; i < gv.size(); ++i) gv[i] = vm.view(program.grads[i]);
    solver.step(gv);
  };
  one_step();  // sizes the buffers
  std::vector<double> ms;
  const std::clock_t cpu0 = std::clock();  // processor time of every thread, as a check on a
                                           // busy machine (wall time waits for a core)
  for (int i = 0; i < steps; ++i) {
    auto t0 = std::chrono::steady_clock::now();
    one_step();
    ms.push_back(
        std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - t0).count());
  }
  const double cpu_ms = 1e3 * static_cast<double>(std::clock() - cpu0) / CLOCKS_PER_SEC / steps;
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
    // Then the costliest instructions, each with its line of the listing
    // (`eqc tape` prints the same program at batch 1).
    const std::vector<double>& each = vm.runtime().instruction_seconds();
    std::vector<std::string> lines;
    std::istringstream listing(eq::print_tape(vm.program(), B));
    for (std::string line; std::getline(listing, line);)
      if (!line.empty() && std::isdigit(static_cast<unsigned char>(line[0]))) lines.push_back(line);
    std::vector<std::size_t> order(each.size());
    for (std::size_t i = 0; i < order.size(); ++i) order[i] = i;
    std::sort(order.begin(), order.end(), [&](auto a, auto b) { return each[a] > each[b]; });
    std::fprintf(stderr, "the costliest instructions:\n");
    for (std::size_t r = 0; r < std::min<std::size_t>(20, order.size()); ++r) {
      const std::size_t i = order[r];
      std::fprintf(stderr, "%8.3f ms %5.1f%%  %s\n", 1e3 * each[i] / steps, 100 * each[i] / total,
                   i < lines.size() ? lines[i].c_str() : "?");
    }
  }
  std::printf(
      "eq: %.3f ms per training step (median of %d; loss %.4f; %zu instructions; "
      "%.3f ms of processor time a step)\n",
      ms[ms.size() / 2], steps, vm.value(program.objective).at(0), vm.program().tape.code.size(),
      cpu_ms);
  return 0;
}
