// The optimisation pipeline and its options (docs/design.md, "Passes"):
//
//   inference → fold → simplify → split-products → stabilise → CSE → autodiff → (again) → fuse →
//   tree-shake
//
// `inference` runs only for a program that does not train
// (CompileOptions::training false, the default): it removes dropout
// (passes/inference.hpp). Trainers compile with training = true.
//
// Autodiff is the caller's: grad() builds gradient nodes, so the pipeline
// runs in two stages around it.
//   1. optimize(graph, {loss}) — stage "forward": fold, simplify,
//      split-products, stabilise, CSE on the loss before it is differentiated. Stabilisation must
//      come before grad(): the gradient of log(softmax z) divides by softmax z, which underflows to
//      0, while the gradient of logsoftmax z does not.
//   2. compile(graph, {loss', grads…}, options) — stage "step": the same
//      passes again over loss and gradients together (gradients are full of
//      ·1, +0 and repeated subexpressions), then fusion and tree shaking,
//      then the tape.
// So a caller that trains writes:
//
//   Node loss = passes::optimize(g, {loss})[0];
//   std::vector<Node> grads = grad(loss, params);
//   Program p = compile(g, concat({loss}, grads));
//
// and reads p.value(loss) and p.value(grads[k]) (compile maps the nodes it
// was given to their rewritten forms; nodes replaced before compile — the
// loss given to optimize — are not known to the program).
//
// -O0 (opt_level 0) turns off everything correctness does not need: only
// tree shaking and the verifier run. Every pass can be disabled by name,
// the IR printed after any of them, and each counts what it changed.
#pragma once

#include <iosfwd>
#include <string>
#include <vector>

#include "eq/compiler/passes/fuse.hpp"
#include "eq/compiler/passes/pass.hpp"

namespace eq {

struct CompileOptions {
  // The program trains: dropout stays. False (validation, eval, predict,
  // sample, export): the inference pass removes it.
  bool training = false;
  int opt_level = 1;                     // 0: no fold/simplify/split/stabilise/CSE/fusion
  std::vector<std::string> print_after;  // pass names: print the IR after each
  bool print_after_all = false;
  bool stats = false;                // print the counters at the end of compile()
  std::vector<std::string> disable;  // pass names to skip
  bool verify_each = true;           // run the IR verifier after every pass
  std::ostream* out = nullptr;       // where prints go (std::cerr when null)
};

namespace passes {

// The passes by name, in pipeline order: inference fold simplify split-products
// stabilise cse fuse tree-shake.
const std::vector<std::string>& pass_names();

// Stage "forward" (see above): the rewritten roots, same order, same types.
// Counts into *stats when given.
std::vector<Node> optimize(Graph& graph, const std::vector<Node>& roots,
                           const CompileOptions& options = {}, PassStats* stats = nullptr);

struct Optimized {
  std::vector<Node> roots;
  FusionPlan fusion;
};

// Stage "step": what compile() runs before it builds the tape. Throws
// eq::Error for an unknown pass name in the options.
Optimized run_pipeline(Graph& graph, const std::vector<Node>& roots, const CompileOptions& options,
                       PassStats& stats);

}  // namespace passes

using passes::optimize;

}  // namespace eq
