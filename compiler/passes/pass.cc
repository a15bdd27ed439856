#include "eq/compiler/passes/pass.hpp"

#include <algorithm>
#include <sstream>

#include "eq/compiler/ir/builders.hpp"
#include "eq/runtime/error.hpp"

namespace eq::passes {

using namespace eq::ir;

void PassStats::begin(std::string_view stage, std::string_view pass) {
  stage_ = stage;
  pass_ = pass;
}

void PassStats::count(std::string_view what, std::int64_t n) {
  for (Entry& e : entries_)
    if (e.stage == stage_ && e.pass == pass_ && e.what == what) {
      e.count += n;
      return;
    }
  entries_.push_back(Entry{stage_, pass_, std::string(what), n});
}

std::int64_t PassStats::total(std::string_view pass) const {
  std::int64_t sum = 0;
  for (const Entry& e : entries_)
    if (pass.empty() || e.pass == pass) sum += e.count;
  return sum;
}

std::int64_t PassStats::get(std::string_view pass, std::string_view what) const {
  std::int64_t sum = 0;
  for (const Entry& e : entries_)
    if (e.pass == pass && e.what == what) sum += e.count;
  return sum;
}

std::string PassStats::str() const {
  std::ostringstream out;
  std::size_t stage_w = 5, pass_w = 4;
  for (const Entry& e : entries_) {
    stage_w = std::max(stage_w, e.stage.size());
    pass_w = std::max(pass_w, e.pass.size());
  }
  auto pad = [](const std::string& s, std::size_t w) {
    return s + std::string(w - s.size() + 2, ' ');
  };
  out << pad("stage", stage_w) << pad("pass", pass_w) << "  count  what\n";
  for (const Entry& e : entries_) {
    std::string n = std::to_string(e.count);
    out << pad(e.stage, stage_w) << pad(e.pass, pass_w)
        << std::string(n.size() < 7 ? 7 - n.size() : 0, ' ') << n << "  " << e.what << "\n";
  }
  return out.str();
}

namespace {

// The rewritten node stands where `old` stood: it keeps its origin, and its
// name when it has none (leaves and named nodes keep their own).
void inherit(Graph& graph, Node now, Node old) {
  if (now == old) return;
  graph.set_origin(now, old.data().origin);
  if (now.name().empty() && !old.name().empty()) graph.set_name(now, old.name());
}

std::vector<Node> rewrite_once(Graph& graph, const std::vector<Node>& roots,
                               const std::vector<Rule>& rules, PassStats& stats, bool& fired) {
  const std::vector<char> keep = reachable(graph, roots);
  const NodeId end = graph.size();
  std::vector<NodeId> map(static_cast<std::size_t>(end), -1);
  for (NodeId id = 0; id < end; ++id) {
    if (!keep[static_cast<std::size_t>(id)]) continue;
    Node old = graph.node(id);
    Node now = old;
    if (info(old.op()).kind != OpKind::leaf) {
      std::vector<Node> inputs;
      bool moved = false;
      for (NodeId in : old.data().inputs) {
        NodeId to = map[static_cast<std::size_t>(in)];
        moved |= to != in;
        inputs.push_back(graph.node(to));
      }
      if (moved) now = graph.make(old.op(), std::move(inputs), old.attrs());
      // Rules on the rebuilt node, again on each result (bounded: a rule set
      // that cycled would be a bug, caught by the bound not hanging).
      for (int round = 0; round < 16 && !rules.empty(); ++round) {
        Node replacement;
        for (const Rule& rule : rules) {
          replacement = rule.apply(now);
          if (replacement) {
            stats.count(rule.name);
            break;
          }
        }
        if (!replacement || replacement == now) break;
        replacement = fit(replacement, now);
        EQ_ASSERT(replacement.dtype() == now.dtype(), "a rewrite changed a dtype");
        inherit(graph, replacement, now);
        now = replacement;
        fired = true;
      }
      inherit(graph, now, old);
    }
    map[static_cast<std::size_t>(id)] = now.id();
  }
  std::vector<Node> out;
  for (const Node& r : roots) out.push_back(graph.node(map[static_cast<std::size_t>(r.id())]));
  return out;
}

}  // namespace

std::vector<Node> rewrite(Graph& graph, const std::vector<Node>& roots,
                          const std::vector<Rule>& rules, PassStats& stats) {
  std::vector<Node> current = roots;
  // Rules build new nodes whose own inputs were not visited; another walk
  // rewrites those. A handful of walks reach the fixpoint in practice.
  for (int walk = 0; walk < 8; ++walk) {
    bool fired = false;
    current = rewrite_once(graph, current, rules, stats, fired);
    if (!fired) break;
  }
  return current;
}

namespace {
// Thread-local: programs of their own graphs may be compiled on several
// threads at once.
thread_local const std::vector<int>* walk_counts = nullptr;
}  // namespace

std::vector<Node> rewrite_counting(Graph& graph, const std::vector<Node>& roots,
                                   const std::vector<Rule>& rules, PassStats& stats,
                                   const std::vector<int>& counts) {
  struct Scope {
    explicit Scope(const std::vector<int>& c) { walk_counts = &c; }
    ~Scope() { walk_counts = nullptr; }
  } scope(counts);
  return rewrite(graph, roots, rules, stats);
}

int walk_count(Node n) {
  const auto id = static_cast<std::size_t>(n.id());
  return walk_counts != nullptr && id < walk_counts->size() ? (*walk_counts)[id] : 0;
}

std::optional<double> uniform(Node n) {
  if (!n) return std::nullopt;
  switch (n.op()) {
    case Op::constant:
      return n.attrs().value;
    case Op::expand:
    case Op::reshape:
    case Op::transpose:
      return uniform(n.input(0));
    default:
      return std::nullopt;
  }
}

bool is_value(Node n, double v) {
  auto u = uniform(n);
  return u && *u == v;
}

Node other_than(Node n, double v) {
  if (n.arity() != 2) return Node();
  if (is_value(n.input(1), v)) return n.input(0);
  if (is_value(n.input(0), v)) return n.input(1);
  return Node();
}

Node uniform_like(Node like, double v) {
  Node c = like.graph().constant(v, like.dtype());
  return expand(c, like.shape());
}

Node fit(Node x, Node like) {
  if (x.shape() == like.shape()) return x;
  return expand(x, like.shape());
}

}  // namespace eq::passes
