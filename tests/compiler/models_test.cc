// Passes change results by rounding only: every model in models/ (whatever
// exists when the test runs) and in tests/compiler/cases/ is compiled at
// -O0 and with the default pipeline, run on the same random data, and its
// mean loss and gradients compared (relative 1e-5 in float32).
#include <catch2/catch.hpp>
#include <cmath>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <random>
#include <regex>
#include <sstream>

#include "eq/compiler/autodiff/grad.hpp"
#include "eq/compiler/ir/builders.hpp"
#include "eq/compiler/lower/model.hpp"
#include "eq/compiler/machine.hpp"
#include "eq/grammar/names.hpp"
#include "eq/runtime/error.hpp"

using namespace eq;
using namespace eq::ir;
namespace fs = std::filesystem;

namespace {

fs::path source_dir() {
  const char* dir = std::getenv("EQ_SOURCE_DIR");
  return dir ? fs::path(dir) : fs::current_path();
}

std::vector<fs::path> model_files() {
  std::vector<fs::path> files;
  for (const char* folder : {"models", "tests/compiler/cases"}) {
    fs::path dir = source_dir() / folder;
    if (!fs::is_directory(dir)) continue;
    for (const auto& entry : fs::directory_iterator(dir))
      if (entry.path().extension() == ".eq") files.push_back(entry.path());
  }
  std::sort(files.begin(), files.end());
  return files;
}

// Dims without a value (`dim V`) are set by data; give them a small size.
std::map<std::string, std::int64_t> data_dims(const fs::path& file) {
  std::ifstream in(file);
  std::stringstream text;
  text << in.rdbuf();
  std::map<std::string, std::int64_t> dims;
  static const std::regex dim_line(R"(^\s*dim\s+([^=#\n]+?)\s*(#.*)?$)");
  std::string line;
  while (std::getline(text, line)) {
    std::smatch m;
    if (!std::regex_match(line, m, dim_line)) continue;
    std::stringstream names(m[1].str());
    for (std::string name; std::getline(names, name, ',');) {
      name.erase(0, name.find_first_not_of(" \t"));
      name.erase(name.find_last_not_of(" \t") + 1);
      if (!name.empty()) dims[canonical_name(name)] = 4;
    }
  }
  return dims;
}

struct Result {
  std::vector<Tensor> values;  // objective, then one gradient per parameter
};

Result run_model(const fs::path& file, int opt) {
  ModelOptions mo;
  mo.dims = data_dims(file);
  Model m = Model::load(file.string(), mo);
  Graph& g = m.graph();
  CompileOptions options;
  options.opt_level = opt;
  options.training = true;  // a training step: dropout stays, drawn alike in both runs
  Node objective = sum(m.loss(), 0) / batch_size(m.loss());
  objective = optimize(g, {objective}, options)[0];
  std::vector<Node> params;
  for (const ModelParam& p : m.params()) params.push_back(p.node);
  std::vector<Node> outputs{objective};
  for (Node d : grad(objective, params)) outputs.push_back(d);
  Machine vm(compile(g, outputs, options));
  // The same data for both runs: one generator per run, same seed, same order.
  std::mt19937 rng(17);
  std::uniform_real_distribution<double> u(-0.5, 0.5);
  const std::int64_t B = 5;
  for (const Node& in : g.inputs()) {
    Shape s = in.shape().at(B);
    Tensor t(in.dtype(), s);
    std::int64_t classes = in.attrs().size > 0 ? in.attrs().size : 2;
    for (std::int64_t i = 0; i < t.numel(); ++i)
      t.set(i, in.dtype() == DType::i32 ? static_cast<double>(rng() % classes) : u(rng));
    vm.let(in, t);
  }
  for (const Node& p : g.params()) {
    Tensor t(p.dtype(), p.shape().at(1));
    for (std::int64_t i = 0; i < t.numel(); ++i) t.set(i, u(rng));
    vm.set_param(p, t);
  }
  vm.run();
  Result r;
  for (const Node& o : outputs) r.values.push_back(vm.value(o));
  return r;
}

}  // namespace

TEST_CASE("every model gives the same loss and gradients at -O0 and with the passes",
          "[passes][models]") {
  std::vector<fs::path> files = model_files();
  REQUIRE(files.size() >= 3);
  int compared = 0;
  for (const fs::path& file : files) {
    INFO(file.string());
    Result plain, optimised;
    try {
      plain = run_model(file, 0);
    } catch (const Error& e) {
      WARN("skipped " << file.filename().string() << ": " << e.what());
      continue;
    }
    optimised = run_model(file, 1);
    REQUIRE(plain.values.size() == optimised.values.size());
    for (std::size_t k = 0; k < plain.values.size(); ++k) {
      const Tensor &a = plain.values[k], &b = optimised.values[k];
      REQUIRE(a.shape() == b.shape());
      double scale = 0;
      for (std::int64_t i = 0; i < a.numel(); ++i) scale = std::max(scale, std::abs(a.at(i)));
      for (std::int64_t i = 0; i < a.numel(); ++i) {
        INFO((k == 0 ? std::string("objective") : "gradient " + std::to_string(k))
             << " element " << i << ": " << a.at(i) << " vs " << b.at(i));
        REQUIRE(std::isfinite(b.at(i)));
        CHECK(std::abs(a.at(i) - b.at(i)) <= 1e-5 * std::max(scale, 1e-3));
      }
    }
    ++compared;
  }
  CHECK(compared >= 3);
}
