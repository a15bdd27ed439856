// How deep an expression may nest, and a stack that holds that depth.
//
// The parser keeps its own stack on the heap, but everything after it walks
// the tree recursively (checks, lowering, printers, structural equality,
// cloning): 10,000 nested calls or 50,000 unary minus signs overflowed the
// 8 MiB stack of the main thread. So the depth is bounded where the tree is
// made: right after parsing, an expression nested deeper than kMaxNesting
// levels is a located error ("nests deeper than …") and is dropped, so no
// later stage sees it. The bound is generous — a sum of 50,000 terms is
// 50,000 levels of `+` in the tree — and every recursive stage runs on a
// thread whose stack holds it (with_nesting_stack; eqc runs each command on
// one, and so do the fuzz targets; a program that parses untrusted text
// with the library should too). Trees are taken apart without recursion
// (~Expr), at any depth.
#pragma once

#include <cstddef>
#include <functional>
#include <optional>

#include "eq/grammar/ast.hpp"
#include "eq/grammar/diagnostics.hpp"

namespace eq {

inline constexpr std::size_t kMaxNesting = 100000;

// Reports every expression of `m` (or `e`) nested deeper than kMaxNesting,
// at the operator (or the node) where the depth passes it, and replaces it
// by the number 0 so that nothing recurses into it. Without recursion.
void bound_nesting(Module& m, Diagnostics& diags);
void bound_nesting(ExprPtr& e, Diagnostics& diags);

// Runs `f` on a thread with a stack for kMaxNesting levels of the deepest
// recursive stage (4 GiB reserved; pages are backed only when used) and
// returns its result; an exception `f` throws is rethrown here.
int with_nesting_stack(const std::function<int()>& f);

// Whether the calling thread is one that with_nesting_stack started.
bool on_nesting_stack();

// Text this short cannot nest deep enough to overflow even a small thread's
// stack (256 KB) in any stage: a level takes at least one byte, a level of
// lowering about a kilobyte of stack. A thread for longer text costs about
// 40 µs (docs/notes.md), little beside lowering it.
inline constexpr std::size_t kShallowText = 128;

// f() for work on text of `text_size` bytes: on a nesting stack when the
// text could nest deeper than an ordinary stack holds, unless already on
// one. The library's entry points that take text (Parser::parse,
// Model::from_source, setup_source) go through it, so that a program's deep
// expression is the located error or the result eqc gives, not a crash.
template <class F>
auto with_stack_for(std::size_t text_size, F&& f) -> decltype(f()) {
  if (text_size <= kShallowText || on_nesting_stack()) return f();
  std::optional<decltype(f())> out;
  with_nesting_stack([&] {
    out.emplace(f());
    return 0;
  });
  return std::move(*out);
}

}  // namespace eq
