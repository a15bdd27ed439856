#include "eq/grammar/nesting.hpp"

#include <pthread.h>

#include <cstring>
#include <exception>
#include <string>
#include <utility>
#include <vector>

#include "eq/runtime/error.hpp"

namespace eq {
namespace {

// At the bound, `eqc ir --grad` of 100,000 nested calls, signs, `+`, `*` or
// `^` peaks under 340 MB of memory in all (stack and heap) in a release
// build; 4 GiB leaves room for the larger frames of a sanitizer build. Only
// the pages touched are ever backed by memory.
constexpr std::size_t kNestingStackBytes = std::size_t{4} << 30;

template <class F>
void for_each_child(const Expr& e, F&& f) {
  for (const ExprPtr& a : e.args)
    if (a) f(*a);
  for (const KeywordArg& k : e.kwargs)
    if (k.value) f(*k.value);
  for (const IndexAxis& x : e.index)
    for (const ExprPtr* p : {&x.index, &x.start, &x.stop})
      if (*p) f(**p);
}

// The first node (in depth-first order) at depth kMaxNesting + 1, or null.
const Expr* too_deep(const Expr& root) {
  std::vector<std::pair<const Expr*, std::size_t>> stack{{&root, 1}};
  while (!stack.empty()) {
    auto [e, depth] = stack.back();
    stack.pop_back();
    if (depth > kMaxNesting) return e;
    for_each_child(*e, [&, d = depth](const Expr& c) { stack.emplace_back(&c, d + 1); });
  }
  return nullptr;
}

void bound(ExprPtr& e, Diagnostics& diags) {
  if (!e) return;
  const Expr* deep = too_deep(*e);
  if (!deep) return;
  const Span at = deep->op_span.file     ? deep->op_span
                  : deep->name_span.file ? deep->name_span
                                         : deep->span;
  diags.error(at, "this expression nests deeper than " + std::to_string(kMaxNesting) +
                      " levels; name some of its parts in equations of their own");
  e = make_number(e->span, 0);
}

}  // namespace

void bound_nesting(ExprPtr& e, Diagnostics& diags) { bound(e, diags); }

void bound_nesting(Module& m, Diagnostics& diags) {
  for (Stmt& s : m.statements) {
    for (ExprPtr& n : s.names) bound(n, diags);
    bound(s.value, diags);
    for (ExprPtr& d : s.shape) bound(d, diags);
    for (TrainEntry& t : s.entries) bound(t.value, diags);
  }
}

namespace {
thread_local bool t_on_nesting_stack = false;
}  // namespace

bool on_nesting_stack() { return t_on_nesting_stack; }

int with_nesting_stack(const std::function<int()>& f) {
  struct Call {
    const std::function<int()>* f = nullptr;
    int result = 0;
    std::exception_ptr error;
  } call;
  call.f = &f;
  auto body = [](void* p) -> void* {
    auto* c = static_cast<Call*>(p);
    t_on_nesting_stack = true;
    try {
      c->result = (*c->f)();
    } catch (...) {
      c->error = std::current_exception();
    }
    return nullptr;
  };
  pthread_attr_t attr;
  pthread_attr_init(&attr);
  pthread_t thread;
  int rc = pthread_attr_setstacksize(&attr, kNestingStackBytes);
  if (rc == 0) rc = pthread_create(&thread, &attr, body, &call);
  pthread_attr_destroy(&attr);
  // Without such a thread (a machine that cannot reserve the stack), the
  // work runs here: the bound still holds, with less room.
  if (rc != 0) return f();
  pthread_join(thread, nullptr);
  if (call.error) std::rethrow_exception(call.error);
  return call.result;
}

}  // namespace eq
