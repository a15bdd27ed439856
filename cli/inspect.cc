// `eqc ir`, `eqc tape`, `eqc graph`: the stable text forms of a model's
// graph and tape, for debugging the model and the compiler.
#include <cstdio>
#include <iostream>
#include <sstream>

#include "cli/commands.hpp"
#include "cli/options.hpp"
#include "cli/run_options.hpp"
#include "compiler/autodiff/grad.hpp"
#include "compiler/ir/builders.hpp"
#include "compiler/ir/printer.hpp"
#include "compiler/passes/pipeline.hpp"
#include "compiler/tape/compile.hpp"
#include "runtime/error.hpp"

namespace eq::cli {
namespace {

// The pass options of -O0, --print-after PASS[,PASS…], --print-after-all,
// --stats, --disable PASS[,PASS…]; prints go to standard output.
CompileOptions compile_options(const Options& o) {
  CompileOptions c;
  c.opt_level = o.opt_level;
  c.print_after_all = o.flag("print-after-all");
  c.out = &std::cout;
  auto split = [](const std::string& list, std::vector<std::string>& into) {
    std::stringstream in(list);
    for (std::string name; std::getline(in, name, ',');)
      if (!name.empty()) into.push_back(name);
  };
  if (auto names = o.key("print-after")) split(*names, c.print_after);
  if (auto names = o.key("disable")) split(*names, c.disable);
  return c;
}

// What a command looks at: the training objective (mean loss over the batch)
// with its gradients, or with --predict the outputs only. The objective is
// optimised (stabilised) before it is differentiated: see passes/pipeline.hpp.
std::vector<ir::Node> roots(Model& m, bool predict, bool with_grad, const CompileOptions& options,
                            passes::PassStats& stats) {
  std::vector<ir::Node> out;
  if (!predict && m.loss()) {
    ir::Node objective = ir::sum(m.loss(), 0) / ir::batch_size(m.loss());
    m.graph().set_name(objective, "objective");
    if (with_grad) objective = optimize(m.graph(), {objective}, options, &stats)[0];
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
    "usage: eqc ir FILE.eq [-D NAME=VALUE]... [--grad] [--predict] [-O0] [--stats]\n"
    "              [--print-after PASS[,PASS]...] [--print-after-all] [--disable PASS[,PASS]...]\n"
    "  prints the graph IR after the passes, one node a line:\n"
    "  %id name = op inputs : dtype[shape]  # file:line:col\n"
    "  passes: fold, simplify, stabilise, cse, fuse, tree-shake (-O0: tree-shake only)\n";
constexpr const char* kTapeUsage =
    "usage: eqc tape FILE.eq [-D NAME=VALUE]... [--predict] [--batch N] [-O0] [--stats]\n"
    "              [--print-after PASS[,PASS]...] [--print-after-all] [--disable PASS[,PASS]...]\n"
    "  prints the instruction listing of the training step (or --predict) and its memory plan\n";
constexpr const char* kGraphUsage =
    "usage: eqc graph FILE.eq [-D NAME=VALUE]... [--grad] [--predict]\n"
    "  prints Graphviz dot (eqc graph m.eq | dot -Tsvg > m.svg)\n";

}  // namespace

int run_ir(int argc, char** argv) {
  auto o = parse_options(argc, argv, {"grad", "predict", "stats", "print-after-all"}, kIrUsage);
  if (!o) return kUsage;
  auto m = load_model(*o);
  if (!m) return kUserError;
  try {
    CompileOptions options = compile_options(*o);
    passes::PassStats stats;
    std::vector<ir::Node> r = roots(*m, o->flag("predict"), o->flag("grad"), options, stats);
    passes::Optimized done = passes::run_pipeline(m->graph(), r, options, stats);
    std::cout << ir::print_ir(m->graph(), done.roots);
    if (o->flag("stats")) std::cout << "\n" << stats.str();
  } catch (const Error& e) {
    std::fputs(e.what(), stderr);
    std::fputs("\n", stderr);
    return kUserError;
  }
  return kOk;
}

int run_graph(int argc, char** argv) {
  auto o = parse_options(argc, argv, {"grad", "predict"}, kGraphUsage);
  if (!o) return kUsage;
  auto m = load_model(*o);
  if (!m) return kUserError;
  CompileOptions options;
  options.opt_level = 0;  // the graph as lowered (and differentiated)
  passes::PassStats stats;
  std::fputs(ir::print_dot(m->graph(), roots(*m, o->flag("predict"), o->flag("grad"), options, stats)).c_str(),
             stdout);
  return kOk;
}

int run_tape(int argc, char** argv) {
  auto o = parse_options(argc, argv, {"predict", "stats", "print-after-all"}, kTapeUsage);
  if (!o) return kUsage;
  auto m = load_model(*o);
  if (!m) return kUserError;
  std::int64_t batch = 1;
  if (auto b = o->key("batch")) batch = std::max(1LL, std::atoll(b->c_str()));
  try {
    CompileOptions options = compile_options(*o);
    passes::PassStats stats;
    std::vector<ir::Node> r = roots(*m, o->flag("predict"), true, options, stats);
    Program p = compile(m->graph(), r, options);
    std::cout << print_tape(p, batch);
    if (o->flag("stats")) {
      for (const auto& e : p.stats.entries()) {
        stats.begin(e.stage, e.pass);
        stats.count(e.what, e.count);
      }
      std::cout << "\n" << stats.str();
    }
  } catch (const Error& e) {
    return fail(e);  // ends the message with a newline if it lacks one
  }
  return kOk;
}

}  // namespace eq::cli
