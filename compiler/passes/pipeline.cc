#include "eq/compiler/passes/pipeline.hpp"

#include <algorithm>
#include <functional>
#include <iostream>

#include "eq/compiler/ir/printer.hpp"
#include "eq/compiler/passes/accumulate.hpp"
#include "eq/compiler/passes/cse.hpp"
#include "eq/compiler/passes/fold.hpp"
#include "eq/compiler/passes/inference.hpp"
#include "eq/compiler/passes/simplify.hpp"
#include "eq/compiler/passes/split_products.hpp"
#include "eq/compiler/passes/stabilise.hpp"
#include "eq/compiler/passes/transpose_weights.hpp"
#include "eq/compiler/passes/tree_shake.hpp"
#include "eq/compiler/passes/verify.hpp"
#include "eq/runtime/error.hpp"

namespace eq::passes {

namespace {

// Why a pass runs: for speed and accuracy (off at -O0), or for correctness.
enum class Need { speed, correctness };

struct Step {
  const char* name;
  Need need;
  std::function<std::vector<Node>(Graph&, const std::vector<Node>&, PassStats&)> run;
};

// The pipeline, top to bottom: the rewriting passes (both stages; autodiff
// happens between them, as the header says), then fusion and tree shaking.
std::vector<Step> forward_stage(const CompileOptions& o) {
  std::vector<Step> steps;
  if (!o.training) steps.push_back({"inference", Need::correctness, strip_training_ops});
  for (Step& s : std::vector<Step>{
           {"fold", Need::speed, fold_constants},
           {"simplify", Need::speed, simplify},
           {"split-products", Need::speed, split_products},
           {"stabilise", Need::speed, stabilise},
           {"cse", Need::speed, cse},
       })
    steps.push_back(std::move(s));
  return steps;
}

std::vector<Step> final_steps(FusionPlan& fusion) {
  std::vector<Step> steps;
  // After the rounds: simplify would fold the transpose back into the flag.
  steps.push_back({"transpose-weights", Need::speed, transpose_weights});
  steps.push_back({"accumulate", Need::speed, accumulate});
  steps.push_back(
      {"fuse", Need::speed, [&fusion](Graph& g, const std::vector<Node>& roots, PassStats& s) {
         fusion = plan_fusion(g, roots, s);
         return roots;
       }});
  steps.push_back({"tree-shake", Need::correctness, tree_shake});
  return steps;
}

bool listed(const std::vector<std::string>& names, const std::string& name) {
  return std::find(names.begin(), names.end(), name) != names.end();
}

void check_names(const CompileOptions& o) {
  for (const auto* list : {&o.print_after, &o.disable})
    for (const std::string& name : *list)
      if (!listed(pass_names(), name)) {
        std::string all;
        for (const std::string& p : pass_names()) all += (all.empty() ? "" : ", ") + p;
        throw Error("unknown pass '" + name + "' (the passes are " + all + ")");
      }
}

// Runs one pass: skipped when off, checked, verified, printed.
std::vector<Node> run_step(Graph& graph, std::vector<Node> roots, const Step& step,
                           const std::string& stage, const CompileOptions& o, PassStats& stats,
                           const FusionPlan* fusion) {
  const bool off = (step.need == Need::speed && o.opt_level <= 0) || listed(o.disable, step.name);
  if (off) return roots;
  stats.begin(stage, step.name);
  std::vector<Node> next = step.run(graph, roots, stats);
  EQ_ASSERT(next.size() == roots.size(), std::string(step.name) + " lost a root");
  for (std::size_t i = 0; i < roots.size(); ++i)
    EQ_ASSERT(next[i].shape() == roots[i].shape() && next[i].dtype() == roots[i].dtype(),
              std::string(step.name) + " changed the type of a root");
  if (o.verify_each) verify(graph, next, step.name);
  if (o.print_after_all || listed(o.print_after, step.name)) {
    std::ostream& out = o.out ? *o.out : std::cerr;
    out << "# after " << step.name << " (" << stage << ")\n" << ir::print_ir(graph, next);
    if (fusion && std::string(step.name) == "fuse") out << fusion->str();
  }
  return next;
}

// The rewriting passes feed each other (stabilise leaves reshapes for
// simplify, simplify exposes patterns for stabilise), so they run as rounds
// until a round changes nothing; the passes after them run once.
std::vector<Node> run_stage(Graph& graph, std::vector<Node> roots, const std::vector<Step>& rounds,
                            const std::vector<Step>& once, const char* stage,
                            const CompileOptions& o, PassStats& stats, const FusionPlan* fusion) {
  check_names(o);
  for (int round = 1; round <= 4; ++round) {
    const std::int64_t before = stats.total();
    std::string name =
        round == 1 ? std::string(stage) : std::string(stage) + ", round " + std::to_string(round);
    for (const Step& step : rounds) roots = run_step(graph, roots, step, name, o, stats, fusion);
    if (stats.total() == before) break;
  }
  for (const Step& step : once) roots = run_step(graph, roots, step, stage, o, stats, fusion);
  return roots;
}

}  // namespace

const std::vector<std::string>& pass_names() {
  static const std::vector<std::string> names = {
      "inference",         "fold",       "simplify", "split-products", "stabilise", "cse",
      "transpose-weights", "accumulate", "fuse",     "tree-shake"};
  return names;
}

std::vector<Node> optimize(Graph& graph, const std::vector<Node>& roots,
                           const CompileOptions& options, PassStats* stats) {
  PassStats local;
  return run_stage(graph, roots, forward_stage(options), {}, "forward", options,
                   stats ? *stats : local, nullptr);
}

Optimized run_pipeline(Graph& graph, const std::vector<Node>& roots, const CompileOptions& options,
                       PassStats& stats) {
  Optimized result;
  result.roots = run_stage(graph, roots, forward_stage(options), final_steps(result.fusion), "step",
                           options, stats, &result.fusion);
  if (options.stats) (options.out ? *options.out : std::cerr) << stats.str();
  return result;
}

}  // namespace eq::passes
