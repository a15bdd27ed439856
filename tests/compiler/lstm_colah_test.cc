// models/lstm_colah.eq is models/lstm.eq in Colah's notation: with the
// weights mapped across (W_f = [Uf | Wf], b_f = Bf, …) the two give the same
// loss and the same gradients on a window of real text (tinyshakespeare), in
// float64, to rounding. The Colah form runs through other ops (a
// concatenation split into a slice product and a column lookup per gate), so
// agreement checks that rewrite as well as the two files.
#include <catch2/catch.hpp>
#include <cmath>
#include <cstdlib>
#include <filesystem>
#include <random>

#include "eq/compiler/autodiff/grad.hpp"
#include "eq/compiler/ir/builders.hpp"
#include "eq/compiler/lower/unroll.hpp"
#include "eq/compiler/machine.hpp"
#include "eq/runtime/data.hpp"

using namespace eq;
namespace fs = std::filesystem;

namespace {

fs::path source_dir() {
  const char* dir = std::getenv("EQ_SOURCE_DIR");
  return dir ? fs::path(dir) : fs::current_path();
}

const std::int64_t kH = 16, kB = 4;
const int kSteps = 25;

// lstm.eq's name of each of Colah's weights: W_g = [U_g | W_g] (hₜ₋₁'s
// columns first, as [hₜ₋₁, xₜ] joins them), b_g = B_g.
struct Gate {
  const char *colah_w, *colah_b, *w, *u, *b;
};
const Gate kGates[] = {{"W_f", "b_f", "Wf", "Uf", "Bf"},
                       {"Wᵢ", "bᵢ", "Wᵢ", "Uᵢ", "Bᵢ"},
                       {"W_C", "b_C", "Wc", "Uc", "Bc"},
                       {"Wₒ", "bₒ", "Wₒ", "Uₒ", "Bₒ"}};

// [u | w]: the columns of u, then those of w, row by row.
Tensor join_columns(const Tensor& u, const Tensor& w) {
  const std::int64_t rows = u.shape()[0], a = u.shape()[1], b = w.shape()[1];
  Tensor out(u.dtype(), Shape{rows, a + b});
  for (std::int64_t r = 0; r < rows; ++r) {
    for (std::int64_t j = 0; j < a; ++j) out.set(r * (a + b) + j, u.at(r * a + j));
    for (std::int64_t j = 0; j < b; ++j) out.set(r * (a + b) + a + j, w.at(r * b + j));
  }
  return out;
}

struct Run {
  double loss = 0;
  std::map<std::string, Tensor> grads;  // by param name
};

// One window of `steps` symbols per stream, the states carried in given by
// name (lstm.eq's c is Colah's C), the objective and its gradients.
Run run_window(Model& m, const std::map<std::string, Tensor>& params, const TextData& text,
               const std::map<std::string, Tensor>& carried) {
  Window w = unroll(m, kSteps);
  ir::Graph& g = m.graph();
  std::vector<ir::Node> wrt;
  for (const ModelParam& p : m.params()) wrt.push_back(p.node);
  std::vector<ir::Node> outputs{w.objective};
  for (ir::Node d : grad(w.objective, wrt)) outputs.push_back(d);
  Machine vm(compile(g, outputs));
  for (const ModelParam& p : m.params()) vm.set_param(p.node, params.at(p.name));
  // Stream b reads the text from 5000·b: xₜ is symbol t, yₜ symbol t + 1.
  for (const auto& [name, nodes] : w.inputs) {
    const int shift = name.front() == 'y' ? 1 : 0;
    for (int t = 0; t < kSteps; ++t) {
      Tensor s(DType::i32, Shape{kB});
      for (std::int64_t b = 0; b < kB; ++b) s.set(b, text.symbols.at(5000 * b + t + shift));
      vm.let(nodes[static_cast<std::size_t>(t)], s);
    }
  }
  for (const UnrolledState& s : w.states) {
    REQUIRE(s.carry_in.size() == 1);
    const std::string key = s.name.front() == 'h' ? "h" : "c";
    vm.let(s.carry_in[0], carried.at(key));
  }
  vm.run();
  Run r;
  r.loss = vm.value(w.objective).at(0);
  for (std::size_t i = 0; i < wrt.size(); ++i)
    r.grads[m.params()[i].name] = vm.value(outputs[i + 1]);
  return r;
}

void check_close(const Tensor& got, const Tensor& want, const std::string& what) {
  REQUIRE(got.shape() == want.shape());
  double worst = 0, scale = 1e-3;
  for (std::int64_t i = 0; i < want.numel(); ++i) scale = std::max(scale, std::abs(want.at(i)));
  for (std::int64_t i = 0; i < want.numel(); ++i)
    worst = std::max(worst, std::abs(got.at(i) - want.at(i)));
  INFO(what << ": largest difference " << worst << " of scale " << scale);
  CHECK(worst <= 1e-12 * scale);
}

}  // namespace

TEST_CASE("lstm_colah.eq with lstm.eq's weights mapped across has lstm.eq's loss and gradients",
          "[models][time]") {
  TextData text = load_text((source_dir() / "models/data/tinyshakespeare.txt").string());
  const std::int64_t V = static_cast<std::int64_t>(text.vocabulary.size());
  REQUIRE(V == 65);
  ModelOptions options;
  options.dtype = DType::f64;
  options.dims = {{"V", V}, {"H", kH}};
  Model lstm = Model::load((source_dir() / "models/lstm.eq").string(), options);
  Model colah = Model::load((source_dir() / "models/lstm_colah.eq").string(), options);

  std::mt19937 rng(2015);
  std::uniform_real_distribution<double> u(-0.6, 0.6);
  auto random = [&](Shape s) {
    Tensor t(DType::f64, s);
    for (std::int64_t i = 0; i < t.numel(); ++i) t.set(i, u(rng));
    return t;
  };
  std::map<std::string, Tensor> ours, theirs;
  for (const ModelParam& p : lstm.params()) ours[p.name] = random(p.node.shape().example());
  for (const Gate& gate : kGates) {
    theirs[gate.colah_w] = join_columns(ours.at(gate.u), ours.at(gate.w));
    theirs[gate.colah_b] = ours.at(gate.b);
  }
  theirs["W_y"] = ours.at("Wy");
  theirs["b_y"] = ours.at("By");
  REQUIRE(theirs.size() == colah.params().size());
  for (const ModelParam& p : colah.params()) REQUIRE(theirs.count(p.name));
  const std::map<std::string, Tensor> carried = {{"h", random(Shape{kB, kH})},
                                                 {"c", random(Shape{kB, kH})}};

  Run a = run_window(lstm, ours, text, carried);
  Run b = run_window(colah, theirs, text, carried);
  INFO("lstm.eq " << a.loss << ", lstm_colah.eq " << b.loss);
  CHECK(std::isfinite(a.loss));
  CHECK(a.loss > 1.0);  // random weights: far from a trained model's 1.7 nats
  CHECK(std::abs(a.loss - b.loss) <= 1e-13 * a.loss);
  for (const Gate& gate : kGates) {
    check_close(b.grads.at(gate.colah_w), join_columns(a.grads.at(gate.u), a.grads.at(gate.w)),
                gate.colah_w);
    check_close(b.grads.at(gate.colah_b), a.grads.at(gate.b), gate.colah_b);
  }
  check_close(b.grads.at("W_y"), a.grads.at("Wy"), "W_y");
  check_close(b.grads.at("b_y"), a.grads.at("By"), "b_y");
}
