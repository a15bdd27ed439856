// `eqc ir`, `eqc tape`, `eqc graph`: the stable text forms of a model's
// graph and tape, for debugging the model and the compiler.
#include <cstdio>

#include "cli/commands.hpp"
#include "cli/options.hpp"
#include "compiler/autodiff/grad.hpp"
#include "compiler/ir/builders.hpp"
#include "compiler/ir/printer.hpp"
#include "compiler/tape/compile.hpp"
#include "runtime/error.hpp"

namespace eq::cli {
namespace {

// What a command looks at: the training objective (mean loss over the batch)
// with its gradients, or with --predict the outputs only.
std::vector<ir::Node> roots(Model& m, bool predict, bool with_grad) {
  std::vector<ir::Node> out;
  if (!predict && m.loss()) {
    ir::Node objective = ir::sum(m.loss(), 0) / ir::batch_size(m.loss());
    m.graph().set_name(objective, "objective");
    out.push_back(objective);
    if (with_grad) {
      std::vector<ir::Node> params;
      for (const ModelParam& p : m.params()) params.push_back(p.node);
      std::vector<ir::Node> grads = grad(objective, params);
      for (std::size_t i = 0; i < grads.size(); ++i) {
        if (m.graph().data(grads[i].id()).name.empty())
          m.graph().set_name(grads[i], "∂" + m.params()[i].name);
        out.push_back(grads[i]);
      }
    }
  }
  for (const auto& [name, node] : m.outputs()) out.push_back(node);
  if (out.empty())
    for (const auto& [name, node] : m.values()) out.push_back(node);
  return out;
}

constexpr const char* kIrUsage =
    "usage: eqc ir FILE.eq [-D NAME=VALUE]... [--grad] [--predict]\n"
    "  prints the graph IR, one node a line: %id name = op inputs : dtype[shape]  # file:line:col\n";
constexpr const char* kTapeUsage =
    "usage: eqc tape FILE.eq [-D NAME=VALUE]... [--predict] [--batch N]\n"
    "  prints the instruction listing of the training step (or --predict) and its memory plan\n";
constexpr const char* kGraphUsage =
    "usage: eqc graph FILE.eq [-D NAME=VALUE]... [--grad] [--predict]\n"
    "  prints Graphviz dot (eqc graph m.eq | dot -Tsvg > m.svg)\n";

}  // namespace

int run_ir(int argc, char** argv) {
  auto o = parse_options(argc, argv, {"grad", "predict"}, kIrUsage);
  if (!o) return kUsage;
  auto m = load_model(*o);
  if (!m) return kUserError;
  std::fputs(ir::print_ir(m->graph(), roots(*m, o->flag("predict"), o->flag("grad"))).c_str(), stdout);
  return kOk;
}

int run_graph(int argc, char** argv) {
  auto o = parse_options(argc, argv, {"grad", "predict"}, kGraphUsage);
  if (!o) return kUsage;
  auto m = load_model(*o);
  if (!m) return kUserError;
  std::fputs(ir::print_dot(m->graph(), roots(*m, o->flag("predict"), o->flag("grad"))).c_str(), stdout);
  return kOk;
}

int run_tape(int argc, char** argv) {
  auto o = parse_options(argc, argv, {"predict"}, kTapeUsage);
  if (!o) return kUsage;
  auto m = load_model(*o);
  if (!m) return kUserError;
  std::int64_t batch = 1;
  if (auto b = o->key("batch")) batch = std::max(1LL, std::atoll(b->c_str()));
  try {
    Program p = compile(m->graph(), roots(*m, o->flag("predict"), true));
    std::fputs(print_tape(p, batch).c_str(), stdout);
  } catch (const Error& e) {
    std::fputs(e.what(), stderr);
    return kUserError;
  }
  return kOk;
}

}  // namespace eq::cli
