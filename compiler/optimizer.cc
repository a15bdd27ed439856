#include "eq/compiler/optimizer.hpp"

#include "eq/compiler/autodiff/grad.hpp"
#include "eq/compiler/passes/pipeline.hpp"
#include "eq/runtime/error.hpp"

namespace eq {

std::vector<Learnable> learnables(ir::Node loss, const std::vector<ir::Node>& params) {
  for (const ir::Node& p : params)
    if (p.op() != ir::Op::param)
      throw Error("learnables: " + ir::label(p) +
                  " is not a parameter (make it with Graph::param)");
  // Differentiated after the forward stage of the passes, as eqc does:
  // log(softmax(z)) becomes logsoftmax(z), whose gradient stays finite for
  // logits far apart, where the chain rule through softmax gives 0·∞ = NaN
  // (docs/notes.md). The caller's loss node is left as it is: compile()
  // rewrites it the same way.
  // As a training program: dropout stays in the gradients.
  CompileOptions training;
  training.training = true;
  const ir::Node stable = passes::optimize(loss.graph(), {loss}, training)[0];
  const std::vector<ir::Node> grads = grad(stable, params);
  std::vector<Learnable> out;
  out.reserve(params.size());
  for (std::size_t i = 0; i < params.size(); ++i) out.push_back({params[i], grads[i]});
  return out;
}

std::vector<ir::Node> with_gradients(std::initializer_list<ir::Node> outputs,
                                     const std::vector<Learnable>& learn) {
  std::vector<ir::Node> all(outputs);
  for (const Learnable& l : learn) all.push_back(l.grad);
  return all;
}

namespace {
std::vector<SolverParam> solver_params(Machine& vm, const std::vector<Learnable>& learn) {
  std::vector<SolverParam> out;
  out.reserve(learn.size());
  for (const Learnable& l : learn) {
    // Its gradient must be an output of the program (it said only "node %10
    // is not part of this program"; an API audit).
    try {
      vm.program().readable(l.grad);
    } catch (const Error&) {
      throw Error("Optimizer: the gradient of " + l.param.name() +
                  " is not an output of this Machine's program: compile it with "
                  "eq::with_gradients({outputs…}, learnables), as in compile(graph, "
                  "with_gradients({loss}, learn))");
    }
    out.push_back({l.param.name(), vm.param(l.param)});
  }
  return out;
}
}  // namespace

Optimizer::Optimizer(Machine& vm, SolverConfig config, std::vector<Learnable> learn)
    : vm_(vm), learn_(std::move(learn)), solver_(config, solver_params(vm, learn_)) {
  grads_.reserve(learn_.size());
}

void Optimizer::step() {
  grads_.clear();
  for (const Learnable& l : learn_) grads_.push_back(vm_.view(l.grad));
  solver_.step(grads_);
}

}  // namespace eq
