// The calls a newcomer from PyTorch or NumPy writes in a §9 model, with the
// exact diagnostic each gives: what eq writes instead (compiler/lower/call_hints.hpp),
// at the place of the mistake.
#include "eq/compiler/lower/call_hints.hpp"

#include <catch2/catch.hpp>

#include "eq/compiler/lower/model.hpp"
#include "eq/runtime/error.hpp"
#include "support/diagnose.hpp"

using eq::testing::diagnose;

TEST_CASE("a function of another framework says what eq writes", "[lower]") {
  CHECK(diagnose("input x : [3]\ny = concat(x, x)\n") ==
        "m.eq:2:5: error: 'concat' is not a built-in function: join values along their last "
        "axis with [a, b] (docs/language.md §9.3)\n"
        "y = concat(x, x)\n"
        "    ^~~~~~\n");
  CHECK(diagnose("input X : [4, 3]\ny = layer_norm(X)\n") ==
        "m.eq:2:5: error: 'layer_norm' is not a built-in function: write the normalisation "
        "out: μ = mean(x, axis = -1), then (x - μ)/√(mean((x - μ)², axis = -1) + ε) "
        "(docs/language.md §9.2)\n"
        "y = layer_norm(X)\n"
        "    ^~~~~~~~~~\n");
  CHECK(diagnose("input X : [4, 3]\ny = masked_fill(X, X > 0, 0)\n") ==
        "m.eq:2:5: error: 'masked_fill' is not a built-in function: choose elementwise with "
        "where(mask, x, value) (docs/language.md §9.4)\n"
        "y = masked_fill(X, X > 0, 0)\n"
        "    ^~~~~~~~~~~\n");
  CHECK(diagnose("input x : [3]\ny = x + randn(3)\n") ==
        "m.eq:2:9: error: 'randn' is not a built-in function: noise is declared, not called: "
        "noise ε : [n] ~ normal(0, 1), then use ε (docs/language.md §9.6)\n"
        "y = x + randn(3)\n"
        "        ^~~~~\n");
  // Case and underscores do not matter: LayerNorm, BatchNorm, Concat.
  CHECK(eq::lower::foreign_function_hint("LayerNorm") ==
        eq::lower::foreign_function_hint("layernorm"));
  CHECK(eq::lower::foreign_function_hint("BatchNorm").find("mixes the examples") !=
        std::string::npos);
  CHECK(eq::lower::foreign_function_hint("Concat") == eq::lower::foreign_function_hint("cat"));
  CHECK(eq::lower::foreign_function_hint("softmaxx").empty());
}

TEST_CASE("a built-in written in another case is suggested as it is spelt", "[lower]") {
  // The nearest spelling by edits alone is 'elu' (one deletion); the same
  // letters in lower case are what was meant.
  CHECK(diagnose("input x : [3]\ny = Gelu(x)\n") ==
        "m.eq:2:5: error: 'Gelu' is not a built-in function; did you mean 'gelu'?\n"
        "y = Gelu(x)\n"
        "    ^~~~\n");
  CHECK(eq::lower::builtin_in_other_case("LeakyReLU") == "leaky_relu");
  CHECK(eq::lower::builtin_in_other_case("SoftMax") == "softmax");
  CHECK(eq::lower::builtin_in_other_case("gelu").empty());
}

TEST_CASE("a keyword argument a built-in does not take shows the call to write", "[lower]") {
  // Two arguments, one named: the name is the mistake, not the count.
  CHECK(diagnose("input x : [3]\ny = dropout(x, p = 0.5)\n") ==
        "m.eq:2:16: error: dropout has no argument named 'p'; its arguments are given in "
        "order, without names: write dropout(x, 0.5)\n"
        "y = dropout(x, p = 0.5)\n"
        "               ^\n");
  CHECK(diagnose("input x : [3]\ny = clip(x, lo = 0, hi = 1)\n") ==
        "m.eq:2:13: error: clip has no argument named 'lo'; its arguments are given in order, "
        "without names: write clip(x, 0, 1)\n"
        "y = clip(x, lo = 0, hi = 1)\n"
        "            ^~\n");
  CHECK(diagnose("input X : [4, 3]\nA = softmax(X, axis = -1)\n") ==
        "m.eq:2:16: error: softmax has no argument named 'axis'; it always works along the "
        "last axis, one row at a time: write softmax(X)\n"
        "A = softmax(X, axis = -1)\n"
        "               ^~~~\n");
  // Without a better word, the keywords the built-in takes.
  CHECK(diagnose("input X : [4, 3]\ny = Σ(X, axes = 1)\n") ==
        "m.eq:2:10: error: Σ has no argument named 'axes'; it takes 'axis = …'\n"
        "y = Σ(X, axes = 1)\n"
        "         ^~~~\n");
}
