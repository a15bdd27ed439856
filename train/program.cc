#include "eq/train/program.hpp"

#include "eq/compiler/autodiff/grad.hpp"
#include "eq/compiler/ir/builders.hpp"
#include "eq/compiler/machine.hpp"
#include "eq/runtime/error.hpp"

namespace eq {
void require_loss(const Model& model, bool timed) {
  if (model.loss()) return;
  throw Error(model.source().name() + ": the model has no `" + (timed ? "lossₜ" : "loss") +
              "` equation to minimise: write one, the loss of one " + (timed ? "step" : "example") +
              ", as in `" + (timed ? "lossₜ = -Σ(yₜ*log(ŷₜ))" : "loss = -Σ(y*log(ŷ))") +
              "` (docs/language.md §5)");
}

std::vector<ir::Node> TrainingProgram::outputs(std::span<const ir::Node> extra) const {
  std::vector<ir::Node> out{objective};
  out.insert(out.end(), grads.begin(), grads.end());
  out.insert(out.end(), extra.begin(), extra.end());
  return out;
}

ir::Node batch_objective(Model& model) {
  require_loss(model, false);
  const ir::Node loss = model.loss();
  const ir::Node examples = ir::batch_size(loss);
  const ir::Node total = ir::sum(loss, 0);
  const ir::Node objective = total / examples;
  // At the loss equation: a sum over the batch that overflows is named
  // there, not as a nameless "sum" (stop_if_not_finite).
  model.graph().set_origin(total, loss.data().origin);
  model.graph().set_origin(objective, loss.data().origin);
  model.graph().set_name(objective, "objective");
  return objective;
}

std::vector<ir::Node> model_roots(Model& model, bool predict) {
  std::vector<ir::Node> out;
  if (!predict && model.loss()) out.push_back(batch_objective(model));
  for (const auto& [name, node] : model.outputs()) out.push_back(node);
  if (out.empty())
    for (const auto& [name, node] : model.values()) out.push_back(node);
  return out;
}

CompileOptions training_options(CompileOptions options) {
  options.training = true;  // dropout stays (passes/inference.hpp)
  return options;
}

namespace {

TrainingProgram build(Model& model, const Window* window, const CompileOptions& options,
                      passes::PassStats* stats, bool shared) {
  if (window) require_loss(model, true);
  const ir::Node objective = window ? window->objective : batch_objective(model);
  TrainingProgram p;
  p.objective = optimize(model.graph(), {objective}, training_options(options), stats)[0];
  if (shared) {
    // A parameter, so that it keeps the value the loop sets; not the model's,
    // so that no solver updates it and no file saves it.
    p.share = model.graph().param("share of the step", Shape{});
    p.objective = p.objective * p.share;
    model.graph().set_name(p.objective, "objective");
  }
  std::vector<ir::Node> params;
  for (const ModelParam& param : model.params()) params.push_back(param.node);
  p.grads = grad(p.objective, params);
  for (std::size_t i = 0; i < p.grads.size(); ++i)
    if (p.grads[i].name().empty()) model.graph().set_name(p.grads[i], "∂" + model.params()[i].name);
  return p;
}

}  // namespace

TrainingProgram training_program(Model& model, const Window* window, const CompileOptions& options,
                                 passes::PassStats* stats) {
  return build(model, window, options, stats, false);
}

TrainingProgram shared_training_program(Model& model, const Window* window) {
  return build(model, window, {}, nullptr, true);
}

void set_share(Machine& m, const TrainingProgram& program, std::int64_t part, std::int64_t whole) {
  if (!program.share) return;
  const View v = m.param(program.share);
  const double share = static_cast<double>(part) / static_cast<double>(whole);
  if (v.dtype == DType::f32)
    *v.as<float>() = static_cast<float>(share);
  else
    *v.as<double>() = share;
}

}  // namespace eq
