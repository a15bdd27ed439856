// parse_train_value: one train-block value on its own (`--lr 3e-3`,
// `--data 'csv("f.csv", x = 0:4)'`), with the block's rules: strings and
// column ranges are allowed, where parse_expression refuses them.
#include <catch2/catch.hpp>

#include "eq/grammar/parse.hpp"

namespace {

struct Parsed {
  std::unique_ptr<eq::SourceFile> file;
  eq::ExprPtr value;
  std::string errors;
};

Parsed train_value(const std::string& text) {
  Parsed p;
  p.file = std::make_unique<eq::SourceFile>("--key", text);
  eq::Diagnostics d;
  p.value = eq::parse_train_value(*p.file, d);
  p.errors = d.render();
  return p;
}

}  // namespace

TEST_CASE("a train value: numbers, calls, strings and column ranges", "[parse][train]") {
  Parsed n = train_value("3e-3");
  REQUIRE(n.value);
  CHECK(n.value->kind == eq::ExprKind::Number);
  CHECK(n.value->number == 3e-3);

  Parsed c = train_value("csv(\"f.csv\", x = 0:4, y = \"label\")\n");
  INFO(c.errors);
  REQUIRE(c.value);
  CHECK(c.value->kind == eq::ExprKind::Call);
  CHECK(c.value->args.at(0)->kind == eq::ExprKind::String);
  CHECK(c.value->args.at(0)->text == "f.csv");
  REQUIRE(c.value->kwargs.size() == 2);
  CHECK(c.value->kwargs[0].value->kind == eq::ExprKind::Range);
  CHECK(c.value->kwargs[1].value->text == "label");
  // Spans point into the value's own text.
  CHECK(c.file->slice(c.value->kwargs[0].value->span) == "0:4");

  // The same text as an expression of a model is refused.
  eq::SourceFile f("e.eq", "csv(\"f.csv\", x = 0:4)");
  eq::Diagnostics d;
  CHECK_FALSE(eq::parse_expression(f, d));
  CHECK(d.has_errors());
}

TEST_CASE("a train value: errors are located in its text", "[parse][train]") {
  Parsed p = train_value("adam(lr = )");
  CHECK_FALSE(p.value);
  CHECK(p.errors.rfind("--key:1:11: error: ", 0) == 0);
  Parsed two = train_value("1\n2");
  CHECK_FALSE(two.value);
  CHECK(two.errors.rfind("--key:2:1: error: ", 0) == 0);
}
