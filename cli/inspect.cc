// `eqc ir`, `eqc tape`, `eqc graph`: the stable text forms of a model's
// graph and tape, for debugging the model and the compiler.
#include <cstdio>
#include <iostream>
#include <sstream>

#include "cli/commands.hpp"
#include "cli/options.hpp"
#include "eq/compiler/ir/printer.hpp"
#include "eq/compiler/passes/pipeline.hpp"
#include "eq/compiler/tape/compile.hpp"
#include "eq/runtime/error.hpp"
#include "eq/train/program.hpp"

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
// with its gradients — the program a trainer compiles (train/program.hpp) —
// or with --predict the outputs only. Sets options.training for the former.
std::vector<ir::Node> roots(Model& m, bool predict, bool with_grad, CompileOptions& options,
                            passes::PassStats& stats) {
  if (predict || !with_grad || !m.loss()) return model_roots(m, predict);
  options.training = true;  // the training step: dropout stays
  std::vector<ir::Node> out = training_program(m, nullptr, options, &stats).outputs();
  for (const auto& [name, node] : m.outputs()) out.push_back(node);
  return out;
}

// --grad and --predict name two programs; asked for both, say so.
void check_one_program(const Options& o) {
  if (o.flag("grad") && o.flag("predict"))
    throw UsageError(
        "eqc: --grad and --predict ask for two programs (the training step with its gradients, "
        "the outputs alone); give one");
}

constexpr const char* kIrUsage =
    "usage: eqc ir FILE.eq [-D NAME=VALUE]... [--grad] [--predict] [--dtype f64] [-O0] [--stats]\n"
    "              [--print-after PASS[,PASS]...] [--print-after-all] [--disable PASS[,PASS]...]\n"
    "  prints the graph IR after the passes, one node a line:\n"
    "  %id name = op inputs : dtype[shape]  # file:line:col\n"
    "  passes: inference, fold, simplify, split-products, stabilise, cse, transpose-weights,\n"
    "  accumulate, fuse, tree-shake (-O0: inference and tree-shake only)\n";
constexpr const char* kTapeUsage =
    "usage: eqc tape FILE.eq [-D NAME=VALUE]... [--predict] [--batch N] [--dtype f64] [-O0] "
    "[--stats]\n"
    "              [--print-after PASS[,PASS]...] [--print-after-all] [--disable PASS[,PASS]...]\n"
    "  prints the instruction listing of the training step (or --predict) and its memory plan\n";
constexpr const char* kGraphUsage =
    "usage: eqc graph FILE.eq [-D NAME=VALUE]... [--grad] [--predict] [--dtype f64]\n"
    "  prints Graphviz dot (eqc graph m.eq | dot -Tsvg > m.svg)\n";

// The options every inspecting command takes, and those of the passes.
const OptionSpec kGrad{"grad", false}, kPredict{"predict", false}, kDtype{"dtype"};
const std::vector<OptionSpec> kPassOptions = {
    {"stats", false}, {"print-after"}, {"print-after-all", false}, {"disable"}};

CommandSpec inspect_command(const std::string& name, const char* usage,
                            std::vector<OptionSpec> options, bool passes) {
  if (passes) options.insert(options.end(), kPassOptions.begin(), kPassOptions.end());
  options.push_back(kDtype);
  return {name, usage, std::move(options), true, passes, 1, 1};
}

int ir(const Options& o) {
  check_one_program(o);
  Model m = load_model(o);
  CompileOptions options = compile_options(o);
  passes::PassStats stats;
  std::vector<ir::Node> r = roots(m, o.flag("predict"), o.flag("grad"), options, stats);
  passes::Optimized done = passes::run_pipeline(m.graph(), r, options, stats);
  std::cout << ir::print_ir(m.graph(), done.roots);
  if (o.flag("stats")) std::cout << "\n" << stats.str();
  return kOk;
}

int graph(const Options& o) {
  check_one_program(o);
  Model m = load_model(o);
  CompileOptions options;
  options.opt_level = 0;  // the graph as lowered (and differentiated)
  passes::PassStats stats;
  std::fputs(
      ir::print_dot(m.graph(), roots(m, o.flag("predict"), o.flag("grad"), options, stats)).c_str(),
      stdout);
  return kOk;
}

int tape(const Options& o) {
  const long long batch = whole_option(o, "batch", 1, 1);
  Model m = load_model(o);
  CompileOptions options = compile_options(o);
  passes::PassStats stats;
  std::vector<ir::Node> r = roots(m, o.flag("predict"), true, options, stats);
  Program p = compile(m.graph(), r, options);
  std::cout << print_tape(p, batch);
  if (o.flag("stats")) {
    for (const auto& e : p.stats.entries()) {
      stats.begin(e.stage, e.pass);
      stats.count(e.what, e.count);
    }
    std::cout << "\n" << stats.str();
  }
  return kOk;
}

}  // namespace

int run_ir(int argc, char** argv) {
  return run_command(inspect_command("ir", kIrUsage, {kGrad, kPredict}, true), argc, argv, ir);
}

int run_graph(int argc, char** argv) {
  return run_command(inspect_command("graph", kGraphUsage, {kGrad, kPredict}, false), argc, argv,
                     graph);
}

int run_tape(int argc, char** argv) {
  return run_command(inspect_command("tape", kTapeUsage, {kPredict, {"batch"}}, true), argc, argv,
                     tape);
}

}  // namespace eq::cli
