// Parsing: the example files of cases/ (the forms of docs/language.md),
// precedence, names, spans, round trips.
#include <catch2/catch.hpp>

#include <cmath>
#include <filesystem>
#include <fstream>
#include <numbers>
#include <sstream>

#include "grammar/builtins.hpp"
#include "grammar/lexer.hpp"
#include "grammar/parse.hpp"

namespace {

std::string read(const std::filesystem::path& p) {
  std::ifstream in(p, std::ios::binary);
  std::ostringstream s;
  s << in.rdbuf();
  return s.str();
}

std::filesystem::path cases_dir() {
  const char* root = std::getenv("EQ_SOURCE_DIR");
  return std::filesystem::path(root ? root : ".") / "tests/grammar/cases";
}

// A fully parenthesised prefix form, independent of the printer.
std::string sx(const eq::Expr& e) {
  using eq::ExprKind;
  switch (e.kind) {
    case ExprKind::Number: {
      std::ostringstream s;
      s << e.number;
      return s.str();
    }
    case ExprKind::Name: return e.name.text;
    case ExprKind::String: return "\"" + e.text + "\"";
    default: break;
  }
  std::string out = "(";
  if (e.kind == ExprKind::Call) out += e.name.text;
  else if (e.kind == ExprKind::Norm) out += "norm";
  else if (e.kind == ExprKind::Range) out += "range";
  else out += std::string(eq::op_name(e.op)) + (e.implicit ? "*" : "");
  for (const eq::ExprPtr& a : e.args) out += " " + sx(*a);
  for (const eq::KeywordArg& k : e.kwargs) out += " " + k.name.text + "=" + sx(*k.value);
  return out + ")";
}

struct Parsed {
  std::unique_ptr<eq::SourceFile> file;
  eq::ExprPtr expr;
  std::string errors;
};

Parsed expr(const std::string& text) {
  Parsed p;
  p.file = std::make_unique<eq::SourceFile>("e.eq", text);
  eq::Diagnostics d;
  p.expr = eq::parse_expression(*p.file, d);
  p.errors = d.render();
  return p;
}

std::string sx(const std::string& text) {
  Parsed p = expr(text);
  INFO(p.errors);
  REQUIRE(p.expr != nullptr);
  return sx(*p.expr);
}

}  // namespace

TEST_CASE("every example in tests/grammar/cases parses and round-trips", "[grammar][parse]") {
  int files = 0;
  for (const auto& entry : std::filesystem::directory_iterator(cases_dir())) {
    if (entry.path().extension() != ".eq") continue;
    ++files;
    INFO(entry.path());
    eq::SourceFile file(entry.path().filename().string(), read(entry.path()));
    eq::Diagnostics d;
    eq::Module m = eq::parse_module(file, d);
    INFO(d.render());
    REQUIRE_FALSE(d.has_errors());
    CHECK(m.statements.size() > 3);

    const std::string printed = eq::print(m);
    eq::SourceFile again("printed.eq", printed);
    eq::Diagnostics d2;
    eq::Module m2 = eq::parse_module(again, d2);
    INFO(printed);
    INFO(d2.render());
    REQUIRE_FALSE(d2.has_errors());
    CHECK(eq::same(m, m2));
    CHECK(eq::print(m2) == printed);  // the printer is a fixed point
  }
  CHECK(files >= 4);
}

TEST_CASE("the lstm example has the expected statements", "[grammar][parse]") {
  eq::SourceFile file("lstm.eq", read(cases_dir() / "lstm.eq"));
  eq::Diagnostics d;
  eq::Module m = eq::parse_module(file, d);
  REQUIRE(m.statements.size() == 19);
  CHECK(m.statements[0].kind == eq::StmtKind::Dim);
  CHECK(m.statements[0].value == nullptr);
  CHECK(m.statements[2].kind == eq::StmtKind::Input);
  CHECK(m.statements[2].onehot);
  const eq::Stmt& p = m.statements[4];
  CHECK(p.kind == eq::StmtKind::Param);
  REQUIRE(p.names.size() == 4);
  CHECK(p.names[1]->name.text == "Wf");
  CHECK(sx(*p.value) == "glorot");
  const eq::Stmt& c = m.statements[13];
  CHECK(eq::print(c) == "cₜ = fₜ * cₜ₋₁ + iₜ * ĉₜ");
  const eq::Stmt& loss = m.statements[16];
  CHECK(sx(*loss.value) == "(neg (Σ (mul yₜ (log ŷₜ))))");
  const eq::Stmt& t = m.statements[18];
  REQUIRE(t.kind == eq::StmtKind::Train);
  REQUIRE(t.entries.size() == 6);
  CHECK(t.entries[1].key == "optimizer");
  CHECK(sx(*t.entries[1].value) == "(adam lr=0.002)");
  CHECK(sx(*t.entries[0].value) == "(text \"tinyshakespeare.txt\")");
}

TEST_CASE("precedence follows docs/language.md §2", "[grammar][parse]") {
  CHECK(sx("a + b * c") == "(add a (mul b c))");
  CHECK(sx("a - b - c") == "(sub (sub a b) c)");
  CHECK(sx("a * b / c · d") == "(matmul (div (mul a b) c) d)");
  CHECK(sx("a / b * c") == "(mul (div a b) c)");
  CHECK(sx("A·B·C") == "(matmul (matmul A B) C)");
  CHECK(sx("a^b^c") == "(pow a (pow b c))");
  CHECK(sx("-x²") == "(neg (square x))");
  CHECK(sx("-x^2") == "(neg (pow x 2))");
  CHECK(sx("x^-1") == "(pow x (neg 1))");
  CHECK(sx("√x + 1") == "(add (sqrt x) 1)");
  CHECK(sx("-a·b") == "(matmul (neg a) b)");
  CHECK(sx("Aᵀ·x") == "(matmul (transpose A) x)");
  CHECK(sx("x²³ᵀ") == "(transpose (cube (square x)))");
  CHECK(sx("(a + b)²") == "(square (add a b))");
  CHECK(sx("‖a - b‖²") == "(square (norm (sub a b)))");
  CHECK(sx("σ(Wᵢ·xₜ + Bᵢ)") == "(σ (add (matmul Wᵢ xₜ) Bᵢ))");
}

TEST_CASE("all operator spellings", "[grammar][parse]") {
  CHECK(sx("a − b") == "(sub a b)");
  for (const char* op : {"*", "⊙", "∘", "×"}) CHECK(sx(std::string("a ") + op + " b") == "(mul a b)");
  for (const char* op : {"/", "÷"}) CHECK(sx(std::string("a ") + op + " b") == "(div a b)");
  for (const char* op : {"·", "⋅", "∙", "@"})
    CHECK(sx(std::string("a ") + op + " b") == "(matmul a b)");
  CHECK(sx("+a") == "(plus a)");
  CHECK(sx("a³") == "(cube a)");
}

TEST_CASE("a number directly before a name or '(' multiplies", "[grammar][parse]") {
  CHECK(sx("2x") == "(mul* 2 x)");
  CHECK(sx("½(a+b)") == "(mul* 0.5 (add a b))");
  CHECK(sx("2x²") == "(mul* 2 (square x))");
  CHECK(sx("a/2x") == "(div a (mul* 2 x))");
  CHECK(sx("-2x") == "(neg (mul* 2 x))");
  CHECK(sx("2π") == "(mul* 2 3.14159)");
  CHECK(sx("πr²") == "(mul* 3.14159 (square r))");
  CHECK(sx("2exp(x)") == "(mul* 2 (exp x))");
  CHECK(sx("2e3x") == "(mul* 2000 x)");
  CHECK(sx("3W_f·x") == "(matmul (mul* 3 W_f) x)");
}

TEST_CASE("numbers", "[grammar][parse]") {
  CHECK(expr("3").expr->number == 3);
  CHECK(expr("0.5").expr->number == 0.5);
  CHECK(expr(".5").expr->number == 0.5);
  CHECK(expr("1e-3").expr->number == 1e-3);
  CHECK(expr("2.5E+4").expr->number == 2.5e4);
  CHECK(expr("½").expr->number == 0.5);
  CHECK(expr("¼").expr->number == 0.25);
  CHECK(expr("¾").expr->number == 0.75);
  CHECK(expr("π").expr->number == std::numbers::pi);
}

TEST_CASE("names are canonical and expose base and time", "[grammar][names]") {
  CHECK(eq::canonical_name("W_i") == "Wᵢ");
  CHECK(eq::canonical_name("W_{i}") == "Wᵢ");
  CHECK(eq::canonical_name("Wᵢ") == "Wᵢ");
  CHECK(eq::canonical_name("h_{t-1}") == "hₜ₋₁");
  CHECK(eq::canonical_name("hₜ₋₁") == "hₜ₋₁");
  CHECK(eq::canonical_name("W_hh") == "Wₕₕ");
  CHECK(eq::canonical_name("b_ih") == "bᵢₕ");
  CHECK(eq::canonical_name("W_f") == "W_f");
  CHECK(eq::canonical_name("W_{f}") == "W_f");
  CHECK(eq::canonical_name("Wf") == "Wf");
  CHECK(eq::canonical_name("x_{ab}c") == "x_{ab}c");
  CHECK(eq::canonical_name("x_{f-1}") == "x_{f-1}");

  const eq::NameParts h = eq::analyze_name("h_{t-1}");
  CHECK(h.base == "h");
  CHECK(h.timed);
  CHECK(h.offset == -1);
  const eq::NameParts h1 = eq::analyze_name("h₁ₜ");
  CHECK(h1.base == "h₁");
  CHECK(h1.stem == "h");
  CHECK(h1.subscript == "₁");
  CHECK(h1.offset == 0);
  CHECK(eq::analyze_name("xₜ₊₁").offset == 1);
  CHECK(eq::analyze_name("x_t").timed);
  CHECK_FALSE(eq::analyze_name("Wᵢ").timed);
  CHECK_FALSE(eq::analyze_name("t").timed);
  const eq::NameParts f = eq::analyze_name("W_ft");
  CHECK(f.text == "W_ft");
  CHECK(f.base == "W_f");
  CHECK(f.timed);

  // Spellings meet in the parser too.
  CHECK(sx("W_i + W_{i} + Wᵢ") == "(add (add Wᵢ Wᵢ) Wᵢ)");
  CHECK(sx("h_{t-1}") == "hₜ₋₁");
}

TEST_CASE("spans cover operands and operators", "[grammar][parse]") {
  Parsed p = expr("σ(Wᵢ·xₜ + Bᵢ)");
  REQUIRE(p.expr);
  const eq::SourceFile& f = *p.file;
  CHECK(f.slice(p.expr->span) == "σ(Wᵢ·xₜ + Bᵢ)");
  CHECK(f.slice(p.expr->name_span) == "σ");
  const eq::Expr& add = *p.expr->args[0];
  CHECK(f.slice(add.span) == "Wᵢ·xₜ + Bᵢ");
  CHECK(f.slice(add.op_span) == "+");
  const eq::Expr& mm = *add.args[0];
  CHECK(f.slice(mm.op_span) == "·");
  CHECK(f.slice(mm.args[0]->span) == "Wᵢ");
  CHECK(f.slice(mm.args[1]->span) == "xₜ");
  CHECK(f.location(mm.args[1]->span.begin).column == 6);
}

TEST_CASE("statements: every declaration form", "[grammar][parse]") {
  eq::SourceFile f("d.eq",
                   "dim H = 128\ninput x : [4]\ntarget y : []\nparam a ~ 0\nparam W\n"
                   "state hₜ : [H] = h0\nstate c\nconst λ = 1e-4\noutput ŷ, z\n");
  eq::Diagnostics d;
  eq::Module m = eq::parse_module(f, d);
  INFO(d.render());
  REQUIRE(m.statements.size() == 9);
  CHECK(sx(*m.statements[0].value) == "128");
  CHECK(m.statements[1].shape.size() == 1);
  CHECK(m.statements[2].has_shape);
  CHECK(m.statements[2].shape.empty());
  CHECK_FALSE(m.statements[3].has_shape);
  CHECK(sx(*m.statements[3].value) == "0");
  CHECK(m.statements[4].value == nullptr);
  CHECK(sx(*m.statements[5].value) == "h0");
  CHECK(m.statements[5].names[0]->name.timed);
  CHECK(m.statements[6].value == nullptr);
  CHECK(m.statements[8].names.size() == 2);
  CHECK(f.slice(m.statements[1].shape_span) == "[4]");
  CHECK(f.slice(m.statements[0].keyword_span) == "dim");
}

TEST_CASE("parse_statement takes exactly one statement", "[grammar][parse]") {
  eq::SourceFile one("s.eq", "iₜ = σ(x)");
  eq::Diagnostics d;
  auto s = eq::parse_statement(one, d);
  REQUIRE(s);
  CHECK(s->kind == eq::StmtKind::Equation);
  eq::SourceFile two("s.eq", "a = 1; b = 2");
  CHECK_FALSE(eq::parse_statement(two, d));
  CHECK(d.render() == "s.eq:1:1: error: expected one statement, found 2\na = 1; b = 2\n^~~~~~~~~~~~\n");
}

TEST_CASE("newlines inside brackets do not end a statement", "[grammar][parse]") {
  eq::SourceFile g("n.eq", "y = f(a,\n  b) + (c\n)\n");
  eq::Diagnostics d2;
  eq::Module m = eq::parse_module(g, d2);
  CHECK_FALSE(d2.has_errors());
  REQUIRE(m.statements.size() == 1);
  CHECK(eq::print(m) == "y = f(a, b) + c\n");
}

TEST_CASE("the lexer and builtins.hpp agree on reserved words", "[grammar][lexer]") {
  for (const eq::BuiltinSpelling& b : eq::kBuiltins) {
    if (!b.is_name) continue;
    eq::SourceFile f("b.eq", std::string(b.spelling));
    eq::Diagnostics d;
    eq::Lexer lex(f, d);
    const eq::Token t = lex.next();
    INFO(b.spelling);
    CHECK(t.kind == eq::Tok::Builtin);
    CHECK(t.end == b.spelling.size());
  }
  for (std::string_view k : eq::kKeywords) {
    eq::SourceFile f("k.eq", std::string(k));
    eq::Diagnostics d;
    eq::Lexer lex(f, d);
    const eq::Token t = lex.next();
    CHECK(t.kind >= eq::Tok::Dim);
    CHECK(t.kind <= eq::Tok::Train);
  }
  CHECK(eq::find_builtin("ln")->function == "log");
  CHECK(eq::find_builtin("Σ")->function == "sum");
  CHECK(eq::find_builtin("x") == nullptr);
}

TEST_CASE("printer parenthesises only where needed", "[grammar][print]") {
  auto rt = [](const std::string& s) {
    Parsed p = expr(s);
    INFO(p.errors);
    REQUIRE(p.expr);
    const std::string out = eq::print(*p.expr);
    Parsed q = expr(out);
    INFO(out);
    REQUIRE(q.expr);
    CHECK(eq::same(*p.expr, *q.expr));
    return out;
  };
  CHECK(rt("(a + b) * c") == "(a + b) * c");
  CHECK(rt("a - (b - c)") == "a - (b - c)");
  CHECK(rt("(a^b)^c") == "(a^b)^c");
  CHECK(rt("(-x)^2") == "(-x)^2");
  CHECK(rt("(x^2)²") == "(x^2)²");
  CHECK(rt("2(e)") == "2(e)");
  CHECK(rt("2(x + 1)") == "2(x + 1)");
  CHECK(rt("2(‖x‖)") == "2(‖x‖)");
  CHECK(rt("a / 2x") == "a / 2x");
  CHECK(rt("W_{i}·x_t") == "Wᵢ · xₜ");
  CHECK(rt("0.1 + 1e300 + 3.141592653589793") == "0.1 + 1e+300 + π");
  CHECK(rt("max(a, b)ᵀ") == "max(a, b)ᵀ");
}
