// Deep nesting (issue 17 item 4): an expression deeper than kMaxNesting is a
// located error made without recursion; one within it is checked, lowered,
// differentiated and printed on the stack with_nesting_stack gives.
#include "eq/grammar/nesting.hpp"

#include <pthread.h>

#include <catch2/catch.hpp>
#include <string>

#include "eq/compiler/autodiff/grad.hpp"
#include "eq/compiler/ir/printer.hpp"
#include "eq/compiler/lower/model.hpp"
#include "eq/compiler/parser.hpp"
#include "eq/grammar/parse.hpp"
#include "eq/runtime/error.hpp"

namespace {

std::string repeat(const std::string& s, std::size_t n) {
  std::string out;
  out.reserve(s.size() * n);
  for (std::size_t i = 0; i < n; ++i) out += s;
  return out;
}

std::string first_line(const std::string& s) { return s.substr(0, s.find('\n')); }

// The first diagnostic of parsing `text`, on this thread's ordinary stack:
// the parser, the bound and the tree's destructor must not recurse.
std::string parse_error(const std::string& text) {
  eq::SourceFile file("m.eq", text);
  eq::Diagnostics diags;
  eq::Module m = eq::parse_module(file, diags);
  return first_line(diags.render());
}

}  // namespace

TEST_CASE("an expression nested past the bound is an error where it passes it") {
  const std::size_t n = eq::kMaxNesting;
  // 10^6 unary minus: the (n+1)-th sign is at column 4 + n + 1.
  CHECK(parse_error("y = " + repeat("-", 1000000) + "x\n") ==
        "m.eq:1:" + std::to_string(n + 5) +
            ": error: this expression nests deeper than 100000 levels; name some of its parts in "
            "equations of their own");
  // Calls: at the name of the (n+1)-th call.
  CHECK(parse_error("y = " + repeat("exp(", n + 1) + "x" + repeat(")", n + 1) + "\n") ==
        "m.eq:1:" + std::to_string(4 * n + 5) +
            ": error: this expression nests deeper than 100000 levels; name some of its parts in "
            "equations of their own");
  // Exactly at the bound: no error (n levels: n - 1 signs and x). The
  // checks after parsing recurse: on the stack eqc gives them.
  CHECK(eq::with_nesting_stack([&] {
          return static_cast<int>(parse_error("y = " + repeat("-", n - 1) + "x\n").size());
        }) == 0);
}

TEST_CASE("a sum of 50,000 terms and 50,000 signs lower and differentiate") {
  const std::string head = "input x : [4]\ntarget t : [4]\n";
  const std::string tail = "\nloss = Σ((y - t)²)\noutput y\n";
  for (const std::string& y : {"y = x" + repeat(" + x", 49999), "y = " + repeat("-", 50000) + "x",
                               "y = " + repeat("tanh(", 10000) + "x" + repeat(")", 10000)}) {
    const int nodes = eq::with_nesting_stack([&] {
      eq::Model m = eq::Model::from_source("m.eq", head + y + tail);
      std::vector<eq::ir::Node> wrt{m.inputs()[0].node};
      eq::grad(m.loss(), wrt);
      return static_cast<int>(m.graph().size());
    });
    CHECK(nodes > 10000);
  }
}

TEST_CASE("the library's text entry points give themselves the stack deep text needs") {
  // On this thread's ordinary stack, as a program calls them: a sum of
  // 50,000 terms overflowed it in Parser::parse and Model::from_source (an
  // API audit: "Segmentation fault" at 12,000 terms), and a deeper one is
  // the located error, not a crash.
  CHECK_FALSE(eq::on_nesting_stack());
  const std::string sum = "x" + repeat(" + x", 49999);
  eq::Graph g;
  eq::Parser p(g);
  p.set("x", g.input("x", eq::Shape{3}));
  CHECK(p.parse(sum).shape().example() == eq::Shape{3});
  CHECK_THROWS_WITH(p.parse(repeat("-", 200000) + "x"),
                    Catch::Contains("nests deeper than 100000 levels"));
  eq::Model m = eq::Model::from_source("m.eq", "input x : [4]\ny = " + sum + "\noutput y\n");
  CHECK(m.graph().size() > 10000);
  CHECK_FALSE(eq::on_nesting_stack());
}

TEST_CASE("a thread with a small stack parses a model of a thousand levels") {
  // A second review: 1,000 nested signs in 1 KB of text overflowed a thread
  // of 512 KB (macOS's default for threads), under the 2 KB cutoff then.
  struct Run {
    std::size_t nodes = 0;
    std::string error;
  } run;
  auto body = [](void* p) -> void* {
    auto* r = static_cast<Run*>(p);
    try {
      eq::Model m = eq::Model::from_source(
          "m.eq", "input x : [4]\ny = " + repeat("-", 1000) + "x\noutput y\n");
      r->nodes = static_cast<std::size_t>(m.graph().size());
    } catch (const std::exception& e) {
      r->error = e.what();
    }
    return nullptr;
  };
  pthread_attr_t attr;
  pthread_attr_init(&attr);
  pthread_attr_setstacksize(&attr, std::size_t{256} << 10);
  pthread_t thread;
  REQUIRE(pthread_create(&thread, &attr, body, &run) == 0);
  pthread_attr_destroy(&attr);
  pthread_join(thread, nullptr);
  CHECK(run.error.empty());
  CHECK(run.nodes >= 2);
}

TEST_CASE("with_nesting_stack returns the result and rethrows") {
  CHECK(eq::with_nesting_stack([] { return 7; }) == 7);
  CHECK_THROWS_WITH(eq::with_nesting_stack([]() -> int { throw eq::Error("no"); }), "no");
}
