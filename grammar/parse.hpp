// Parsing entry points: text → AST (ast.hpp), with diagnostics.
//
// All of them report every syntax error they find to `diags` (recovering at
// the end of each statement or train entry, up to Diagnostics::kErrorLimit),
// and return what parsed cleanly. Check diags.has_errors() before trusting
// the result; at the public API, diags.throw_if_errors().
//
// The returned tree points into `file` through its spans: keep the
// SourceFile alive as long as the tree.
#pragma once

#include <optional>

#include "eq/grammar/ast.hpp"
#include "eq/grammar/diagnostics.hpp"
#include "eq/grammar/source.hpp"

namespace eq {

// A whole `.eq` file.
Module parse_module(const SourceFile& file, Diagnostics& diags);

// One expression, e.g. "σ(Wᵢ·xₜ + Bᵢ)" for Parser::parse. Null on error.
ExprPtr parse_expression(const SourceFile& file, Diagnostics& diags);

// One value of a train block, e.g. "3e-3" or "adam(lr = 1e-3)" given on the
// command line as `--KEY VALUE`: an expression in which, as in the block,
// strings and column ranges may appear. Null on error.
ExprPtr parse_train_value(const SourceFile& file, Diagnostics& diags);

// Exactly one statement, e.g. "iₜ = σ(Wᵢ·xₜ + Bᵢ)" for Parser::define.
std::optional<Stmt> parse_statement(const SourceFile& file, Diagnostics& diags);

}  // namespace eq
