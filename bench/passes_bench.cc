// The optimisation passes, side by side in one run:
//  1. fusion on an elementwise-heavy step, the LSTM cell update
//     cₜ = fₜ*cₜ₋₁ + iₜ*ĉₜ; hₜ = oₜ*tanh(cₜ), at -O0 (five kernels, each a
//     pass over memory) and with the passes (two fused loops);
//  2. the whole pipeline against -O0 on training steps (mean loss and
//     gradients) of the models in tests/compiler/cases/ and models/.
// float32. Prints µs per step (best of several timed batches of runs) and
// the speed-up. Usage: passes_bench [model.eq ...]
#include <algorithm>
#include <chrono>
#include <cstdio>
#include <filesystem>
#include <random>
#include <string>
#include <vector>

#include "eq/compiler/autodiff/grad.hpp"
#include "eq/compiler/ir/builders.hpp"
#include "eq/compiler/lower/model.hpp"
#include "eq/compiler/machine.hpp"
#include "eq/compiler/parser.hpp"
#include "eq/runtime/error.hpp"

namespace fs = std::filesystem;
using namespace eq;

namespace {

// Best time of one vm.run(), in microseconds.
double best_us(Machine& vm) {
  vm.run();  // sizes buffers
  auto t0 = std::chrono::steady_clock::now();
  vm.run();
  double once = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
  int runs = std::max(1, static_cast<int>(0.05 / std::max(once, 1e-9)));
  double best = 1e30;
  for (int rep = 0; rep < 7; ++rep) {
    auto a = std::chrono::steady_clock::now();
    for (int i = 0; i < runs; ++i) vm.run();
    best = std::min(
        best,
        std::chrono::duration<double, std::micro>(std::chrono::steady_clock::now() - a).count() /
            runs);
  }
  return best;
}

CompileOptions level(int opt) {
  CompileOptions o;
  o.opt_level = opt;
  return o;
}

void fill(Machine& vm, ir::Graph& g, std::int64_t batch, std::mt19937& rng) {
  std::uniform_real_distribution<double> u(-0.5, 0.5);
  for (const ir::Node& in : g.inputs()) {
    Tensor t(in.dtype(), in.shape().at(batch));
    std::int64_t classes = in.attrs().size > 0 ? in.attrs().size : 2;
    for (std::int64_t i = 0; i < t.numel(); ++i)
      t.set(i, in.dtype() == DType::i32 ? static_cast<double>(rng() % classes) : u(rng));
    vm.let(in, t);
  }
  for (const ir::Node& p : g.params()) {
    Tensor t(p.dtype(), p.shape().at(1));
    for (std::int64_t i = 0; i < t.numel(); ++i) t.set(i, u(rng));
    vm.set_param(p, t);
  }
}

// with_h: the whole update; else cₜ alone (no tanh: pure memory traffic).
void lstm_cell(std::int64_t batch, std::int64_t hidden, bool with_h) {
  Graph g;
  Parser p(g);
  for (const char* name : {"iₜ", "fₜ", "oₜ", "ĉₜ", "cₜ₋₁"})
    p.set(name, g.input(name, Shape{hidden}));
  Node c = p.define("cₜ = fₜ*cₜ₋₁ + iₜ*ĉₜ");
  Node h = with_h ? p.define("hₜ = oₜ*tanh(cₜ)") : c;
  double us[2];
  std::size_t code[2];
  for (int opt : {0, 1}) {
    Machine vm(compile(g, {h, c}, level(opt)));
    std::mt19937 rng(1);
    fill(vm, g, batch, rng);
    us[opt] = best_us(vm);
    code[opt] = vm.program().tape.code.size();
  }
  std::printf("%s %5lld x %-5lld  %2zu instr %9.2f us   %2zu instr %9.2f us   %5.2fx\n",
              with_h ? "cₜ and hₜ" : "cₜ only ", static_cast<long long>(batch),
              static_cast<long long>(hidden), code[0], us[0], code[1], us[1], us[0] / us[1]);
}

void model_step(const fs::path& file, std::int64_t batch) {
  double us[2];
  std::size_t code[2];
  for (int opt : {0, 1}) {
    ModelOptions mo;
    Model m = [&] {
      try {
        return Model::load(file.string(), mo);
      } catch (const Error&) {
        mo.dims["V"] = 64;  // a dim the data would set
        return Model::load(file.string(), mo);
      }
    }();
    if (!m.loss()) return;
    ir::Graph& g = m.graph();
    Node objective = optimize(g, {ir::sum(m.loss(), 0) / ir::batch_size(m.loss())}, level(opt))[0];
    std::vector<Node> params, outputs{objective};
    for (const ModelParam& p : m.params()) params.push_back(p.node);
    for (Node d : grad(objective, params)) outputs.push_back(d);
    Machine vm(compile(g, outputs, level(opt)));
    std::mt19937 rng(2);
    fill(vm, g, batch, rng);
    us[opt] = best_us(vm);
    code[opt] = vm.program().tape.code.size();
  }
  std::printf("%-26s  %3zu instr %9.2f us  %3zu instr %9.2f us   %5.2fx\n",
              file.filename().string().c_str(), code[0], us[0], code[1], us[1], us[0] / us[1]);
}

}  // namespace

int main(int argc, char** argv) {
  std::printf(
      "fusion: LSTM cell update, f32          -O0                      passes        speed-up\n");
  for (auto [b, h] : {std::pair<std::int64_t, std::int64_t>{32, 128}, {256, 512}, {1024, 1024}})
    for (bool with_h : {true, false}) lstm_cell(b, h, with_h);

  std::vector<fs::path> files;
  for (int i = 1; i < argc; ++i) files.emplace_back(argv[i]);
  if (files.empty())
    for (const char* folder : {EQ_SOURCE_DIR "/tests/compiler/cases", EQ_SOURCE_DIR "/models"})
      if (fs::is_directory(folder))
        for (const auto& e : fs::directory_iterator(folder))
          if (e.path().extension() == ".eq") files.push_back(e.path());
  std::sort(files.begin(), files.end());
  std::printf("\ntraining step (loss + gradients), batch 32, f32\n");
  std::printf("%-26s  %-23s  %-23s  speed-up\n", "model", "-O0", "passes");
  for (const fs::path& f : files) {
    try {
      model_step(f, 32);
    } catch (const Error& e) {
      std::printf("%-26s  skipped: %s\n", f.filename().string().c_str(), e.what());
    }
  }
}
