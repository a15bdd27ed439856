// What every pass shares: the counters it reports, the shape of a pass, and
// the rewriting engine the rule-based passes (fold, simplify, stabilise) run.
//
// A pass rewrites the ROOTS of a computation within the same Graph arena:
//
//   std::vector<Node> pass(Graph&, const std::vector<Node>& roots, PassStats&)
//
// It walks the nodes the roots reach in id order (ids are a topological
// order), rebuilds each with its rewritten inputs through Graph::make — hash-
// consing makes an unchanged node cost a lookup and merges equal ones, which
// is common-subexpression elimination for free — applies its rules, and
// returns the rewritten roots in the same order, with the same shapes and
// dtypes. Old nodes stay in the arena as garbage; the tape compiler compiles
// only what the roots reach. A rewritten node keeps the source location (and
// the name, when it has none of its own) of the node it replaces.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "eq/compiler/ir/graph.hpp"

namespace eq::passes {

using ir::Graph;
using ir::Node;

// What the passes changed: one counter per (stage, pass, what), in the order
// first counted. `eqc ir --stats` prints it.
class PassStats {
 public:
  struct Entry {
    std::string stage, pass, what;
    std::int64_t count = 0;
  };
  // The stage and pass the next counts belong to (set by the pipeline).
  void begin(std::string_view stage, std::string_view pass);
  void count(std::string_view what, std::int64_t n = 1);
  // The sum of a pass's counters over every stage ("" = every pass).
  std::int64_t total(std::string_view pass = "") const;
  // One counter's value summed over stages, 0 when never counted.
  std::int64_t get(std::string_view pass, std::string_view what) const;
  const std::vector<Entry>& entries() const { return entries_; }
  // A table: "stage  pass  count  what", one counter a line.
  std::string str() const;

 private:
  std::vector<Entry> entries_;
  std::string stage_, pass_;
};

using PassFn = std::vector<Node> (*)(Graph&, const std::vector<Node>&, PassStats&);

// A rewrite rule: the replacement for n, or a null Node when it does not
// apply. `name` reads like the identity ("x + 0 → x").
struct Rule {
  const char* name;
  Node (*apply)(Node n);
};

// Rebuilds what the roots reach, applying `rules` to every rebuilt node
// (first match wins, again on the result, up to a bound), and repeats the
// whole walk until no rule fires. Counts each firing under the rule's name.
std::vector<Node> rewrite(Graph& graph, const std::vector<Node>& roots,
                          const std::vector<Rule>& rules, PassStats& stats);

// rewrite() for rules that need a number per node that no node holds (how
// many nodes read it, how many products read it so): `counts`, by node id,
// is what walk_count() answers during the call, on this thread. A node built
// during the walk, or any node outside such a call, counts 0.
std::vector<Node> rewrite_counting(Graph& graph, const std::vector<Node>& roots,
                                   const std::vector<Rule>& rules, PassStats& stats,
                                   const std::vector<int>& counts);
int walk_count(Node n);

// ---- matching helpers for rules -------------------------------------------

// The value of a node that holds one number everywhere: a constant, or an
// expand / reshape of one.
std::optional<double> uniform(Node n);
// n is uniformly v.
bool is_value(Node n, double v);
// For a binary n: the operand whose partner is uniformly v (tried in input
// order), or a null Node.
Node other_than(Node n, double v);
// The node of `like`'s shape and dtype holding v everywhere: a constant, or
// an expand of one.
Node uniform_like(Node like, double v);
// x given `like`'s shape (an expand when x broadcasts to it).
Node fit(Node x, Node like);
// n's op is op.
inline bool is(Node n, ir::Op op) { return n && n.op() == op; }

}  // namespace eq::passes
