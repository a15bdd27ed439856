// Parsing: the example files of cases/ (the forms of docs/language.md),
// precedence, names, spans, round trips.
#include "eq/grammar/parse.hpp"

#include <catch2/catch.hpp>
#include <cmath>
#include <filesystem>
#include <fstream>
#include <numbers>
#include <sstream>

#include "eq/grammar/builtins.hpp"
#include "eq/grammar/lexer.hpp"

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
    case ExprKind::Name:
      return e.name.text;
    case ExprKind::String:
      return "\"" + e.text + "\"";
    default:
      break;
  }
  std::string out = "(";
  if (e.kind == ExprKind::Call)
    out += e.name.text;
  else if (e.kind == ExprKind::Norm)
    out += "norm";
  else if (e.kind == ExprKind::Range)
    out += "range";
  else if (e.kind == ExprKind::Concat)
    out += "concat";
  else if (e.kind == ExprKind::Index)
    out += "index";
  else
    out += std::string(eq::op_name(e.op)) + (e.implicit ? "*" : "");
  for (const eq::ExprPtr& a : e.args) out += " " + sx(*a);
  for (const eq::KeywordArg& k : e.kwargs) out += " " + k.name.text + "=" + sx(*k.value);
  // An axis: its position, or [start:stop] with absent ends left out.
  for (const eq::IndexAxis& a : e.index)
    out += a.slice ? " [" + (a.start ? sx(*a.start) : "") + ":" + (a.stop ? sx(*a.stop) : "") + "]"
                   : " " + sx(*a.index);
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

// Prints an expression, checks that the text parses back to the same tree,
// and returns the text.
std::string rt(const std::string& text) {
  Parsed p = expr(text);
  INFO(p.errors);
  REQUIRE(p.expr);
  const std::string out = eq::print(*p.expr);
  Parsed q = expr(out);
  INFO(out);
  REQUIRE(q.expr);
  CHECK(eq::same(*p.expr, *q.expr));
  return out;
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
  for (const char* op : {"*", "⊙", "∘", "×"})
    CHECK(sx(std::string("a ") + op + " b") == "(mul a b)");
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
  // U+2212 MINUS SIGN, a minus everywhere else, in braces too (it was
  // "'_' must be followed by a subscript"; found in an audit).
  CHECK(sx("h_{t\u22121}") == "hₜ₋₁");
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
  CHECK(d.render() ==
        "s.eq:1:1: error: expected one statement, found 2\na = 1; b = 2\n^~~~~~~~~~~~\n");
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

// ---- docs/language.md §9 -------------------------------------------------------

TEST_CASE("comparisons bind looser than + - and are non-associative", "[grammar][parse]") {
  CHECK(sx("a + b < c·d") == "(lt (add a b) (matmul c d))");
  CHECK(sx("-a > b^2") == "(gt (neg a) (pow b 2))");
  CHECK(sx("a ≤ b") == "(le a b)");
  CHECK(sx("a <= b") == "(le a b)");
  CHECK(sx("a ≥ b") == "(ge a b)");
  CHECK(sx("a >= b") == "(ge a b)");
  CHECK(sx("a ≠ b") == "(ne a b)");
  CHECK(sx("a != b") == "(ne a b)");
  CHECK(sx("(a < b) < c") == "(lt (lt a b) c)");
  CHECK(sx("(a < b)*(b < c)") == "(mul (lt a b) (lt b c))");
  CHECK(sx("where(x < 0, -x, x)") == "(where (lt x 0) (neg x) x)");
  Parsed p = expr("a < b");
  REQUIRE(p.expr);
  CHECK(eq::is_comparison(p.expr->op));
  CHECK(p.file->slice(p.expr->op_span) == "<");
  Parsed chain = expr("0 < x < 1");
  CHECK(chain.expr == nullptr);
  CHECK(chain.errors ==
        "e.eq:1:7: error: comparisons do not chain: write (0 < x) * (x < 1) for both to hold, "
        "or parenthesise one\n0 < x < 1\n      ^\n");
}

TEST_CASE("a bracketed list is a concatenation, a bracket touching an operand indexes",
          "[grammar][parse]") {
  CHECK(sx("W_f·[hₜ₋₁, xₜ] + b_f") == "(add (matmul W_f (concat hₜ₋₁ xₜ)) b_f)");
  CHECK(sx("[a]") == "(concat a)");
  CHECK(sx("[a + b, 2c, f(x)]") == "(concat (add a b) (mul* 2 c) (f x))");
  CHECK(sx("[a, b][0]") == "(index (concat a b) 0)");
  CHECK(sx("[\n  a,\n  b\n]") == "(concat a b)");
  Parsed p = expr("W·[h, x]");
  REQUIRE(p.expr);
  CHECK(p.file->slice(p.expr->args[1]->span) == "[h, x]");
}

TEST_CASE("indexing and slices apply to any primary", "[grammar][parse]") {
  CHECK(sx("h[a:b]") == "(index h [a:b])");
  CHECK(sx("h[:b]") == "(index h [:b])");
  CHECK(sx("h[a:]") == "(index h [a:])");
  CHECK(sx("h[:]") == "(index h [:])");
  CHECK(sx("X[i]") == "(index X i)");
  CHECK(sx("X[:, a:b]") == "(index X [:] [a:b])");
  CHECK(sx("h[H:2H]") == "(index h [H:(mul* 2 H)])");
  CHECK(sx("h[H + 1:-1]") == "(index h [(add H 1):(neg 1)])");
  CHECK(sx("X[0][1]") == "(index (index X 0) 1)");
  CHECK(sx("f(x)[0]") == "(index (f x) 0)");
  CHECK(sx("(a + b)[1]") == "(index (add a b) 1)");
  CHECK(sx("‖x‖[0]") == "(index (norm x) 0)");
  // Indexing is a postfix operator, as ² and ᵀ are.
  CHECK(sx("x²[0]") == "(index (square x) 0)");
  CHECK(sx("h[0]²") == "(square (index h 0))");
  CHECK(sx("Xᵀ[0]") == "(index (transpose X) 0)");
  CHECK(sx("-h[0]") == "(neg (index h 0))");
  CHECK(sx("2h[0]") == "(mul* 2 (index h 0))");
  CHECK(sx("a^h[0]") == "(pow a (index h 0))");
  CHECK(sx("W·h[H:2H]") == "(matmul W (index h [H:(mul* 2 H)]))");

  Parsed p = expr("X[:, a:b] + h[:H]");
  REQUIRE(p.expr);
  const eq::SourceFile& f = *p.file;
  const eq::Expr& x = *p.expr->args[0];
  REQUIRE(x.kind == eq::ExprKind::Index);
  CHECK(f.slice(x.span) == "X[:, a:b]");
  CHECK(f.slice(x.args[0]->span) == "X");
  REQUIRE(x.index.size() == 2);
  CHECK(x.index[0].slice);
  CHECK(x.index[0].start == nullptr);
  CHECK(x.index[0].stop == nullptr);
  CHECK(f.slice(x.index[0].span) == ":");
  CHECK(x.index[1].slice);
  CHECK(f.slice(x.index[1].span) == "a:b");
  CHECK(f.slice(x.index[1].start->span) == "a");
  CHECK(f.slice(x.index[1].stop->span) == "b");
  const eq::Expr& h = *p.expr->args[1];
  REQUIRE(h.index.size() == 1);
  CHECK(h.index[0].start == nullptr);
  CHECK(f.slice(h.index[0].span) == ":H");
  Parsed i = expr("X[i]");
  REQUIRE(i.expr);
  CHECK_FALSE(i.expr->index[0].slice);
  CHECK(i.file->slice(i.expr->index[0].index->span) == "i");
}

TEST_CASE("named arguments in calls carry name, value and span", "[grammar][parse]") {
  CHECK(sx("Σ(e, axis = k)") == "(Σ e axis=k)");
  CHECK(sx("mean(X, axis = -1)") == "(mean X axis=(neg 1))");
  CHECK(sx("leaky_relu(x, α = 0.01)") == "(leaky_relu x α=0.01)");
  Parsed p = expr("logsumexp(A, axis = -1)");
  REQUIRE(p.expr);
  REQUIRE(p.expr->kwargs.size() == 1);
  const eq::KeywordArg& k = p.expr->kwargs[0];
  CHECK(k.name.text == "axis");
  CHECK(p.file->slice(k.name_span) == "axis");
  CHECK(p.file->slice(k.span) == "axis = -1");
  CHECK(p.file->slice(k.value->span) == "-1");
  Parsed q = expr("adam(lr = 2e-3, β₁ = 0.9)");
  REQUIRE(q.expr);
  CHECK(q.file->slice(q.expr->kwargs[1].span) == "β₁ = 0.9");
}

TEST_CASE("the §9 built-ins are reserved and keep their spelling", "[grammar][parse]") {
  for (const char* f : {"where", "clip", "logsumexp", "erf", "gelu", "elu", "leaky_relu", "sign",
                        "floor", "dropout", "vec"}) {
    INFO(f);
    const eq::BuiltinSpelling* b = eq::find_builtin(f);
    REQUIRE(b != nullptr);
    CHECK(b->function == f);
    Parsed p = expr(std::string(f) + "(x)");
    REQUIRE(p.expr);
    CHECK(p.expr->builtin);
    CHECK(p.expr->name.text == f);
  }
  // `clip` is also a train key.
  eq::SourceFile file("c.eq", "train {\n  clip = 5\n}\n");
  eq::Diagnostics d;
  eq::Module m = eq::parse_module(file, d);
  INFO(d.render());
  REQUIRE(m.statements.size() == 1);
  REQUIRE(m.statements[0].entries.size() == 1);
  CHECK(m.statements[0].entries[0].key == "clip");
}

TEST_CASE("noise declarations keep shape and distribution", "[grammar][parse]") {
  eq::SourceFile f("n.eq",
                   "noise ε : [Z] ~ normal(0, 1)\nnoise u₁, u₂ : [H, 2] ~ uniform(-1, 1)\n"
                   "noise η ~ normal(0, 0.1)\n");
  eq::Diagnostics d;
  eq::Module m = eq::parse_module(f, d);
  INFO(d.render());
  REQUIRE(m.statements.size() == 3);
  const eq::Stmt& e = m.statements[0];
  CHECK(e.kind == eq::StmtKind::Noise);
  CHECK(f.slice(e.keyword_span) == "noise");
  CHECK(e.names[0]->name.text == "ε");
  CHECK(e.has_shape);
  CHECK(f.slice(e.shape_span) == "[Z]");
  REQUIRE(e.value);
  CHECK(sx(*e.value) == "(normal 0 1)");
  CHECK(f.slice(e.value->span) == "normal(0, 1)");
  CHECK(eq::print(e) == "noise ε : [Z] ~ normal(0, 1)");
  CHECK(m.statements[1].names.size() == 2);
  CHECK(sx(*m.statements[1].value) == "(uniform (neg 1) 1)");
  CHECK_FALSE(m.statements[2].has_shape);
}

TEST_CASE("shapes take arithmetic of dims, and onehot takes two dims", "[grammar][parse]") {
  eq::SourceFile f("s.eq",
                   "param W : [H, H + V] ~ glorot\nparam b : [2H] ~ 0\ninput w : onehot[T, V]\n"
                   "input v : onehot [V]\n");
  eq::Diagnostics d;
  eq::Module m = eq::parse_module(f, d);
  INFO(d.render());
  REQUIRE(m.statements.size() == 4);
  REQUIRE(m.statements[0].shape.size() == 2);
  CHECK(sx(*m.statements[0].shape[1]) == "(add H V)");
  CHECK(sx(*m.statements[1].shape[0]) == "(mul* 2 H)");
  const eq::Stmt& w = m.statements[2];
  CHECK(w.onehot);
  REQUIRE(w.shape.size() == 2);
  CHECK(f.slice(w.shape_span) == "onehot[T, V]");
  CHECK(m.statements[3].onehot);
  CHECK(eq::print(m) ==
        "param W : [H, H + V] ~ glorot\nparam b : [2H] ~ 0\ninput w : onehot[T, V]\n"
        "input v : onehot[V]\n");
}

TEST_CASE("statements may share a line, as §9 prints attention", "[grammar][parse]") {
  eq::SourceFile f("q.eq", "Q = X·W_q    K = X·W_k    V = f(x)ᵀ\ndim H = 3 V₂ = H\n");
  eq::Diagnostics d;
  eq::Module m = eq::parse_module(f, d);
  INFO(d.render());
  REQUIRE_FALSE(d.has_errors());
  REQUIRE(m.statements.size() == 5);
  CHECK(eq::print(m.statements[1]) == "K = X · Wₖ");
  CHECK(f.slice(m.statements[1].span) == "K = X·W_k");
  CHECK(m.statements[3].kind == eq::StmtKind::Dim);
  CHECK(eq::print(m.statements[4]) == "V₂ = H");
  // Inside brackets a name and '=' stay a named argument.
  CHECK(sx("f(x, a = 1)") == "(f x a=1)");
}

TEST_CASE("a parenthesised operand's span includes its parentheses", "[grammar][parse]") {
  Parsed p = expr("Σ((y-μ)²) + 2(a + b)");
  REQUIRE(p.expr);
  const eq::Expr& sq = *p.expr->args[0]->args[0];
  CHECK(p.file->slice(sq.span) == "(y-μ)²");
  CHECK(p.file->slice(sq.args[0]->span) == "(y-μ)");
  CHECK(p.file->slice(sq.args[0]->op_span) == "-");
  CHECK(p.file->slice(p.expr->args[1]->args[1]->span) == "(a + b)");
}

TEST_CASE("a UTF-8 byte-order mark at the start is dropped", "[grammar][parse]") {
  eq::SourceFile f("b.eq", "\xEF\xBB\xBFx = 1\ny = x +\n");
  CHECK(f.text() == "x = 1\ny = x +\n");
  eq::Diagnostics d;
  eq::Module m = eq::parse_module(f, d);
  CHECK(m.statements.size() == 1);
  CHECK(d.render() ==
        "b.eq:2:7: error: unexpected end of line: the expression after '+' is missing\n"
        "y = x +\n      ^\n");
}

TEST_CASE("printer round-trips the §9 forms", "[grammar][print]") {
  CHECK(rt("a+b<c") == "a + b < c");
  CHECK(rt("(a<b)<c") == "(a < b) < c");
  CHECK(rt("a<(b<c)") == "a < (b < c)");
  CHECK(rt("a <= b") == "a ≤ b");
  CHECK(rt("a != b") == "a ≠ b");
  CHECK(rt("(a < b)*c") == "(a < b) * c");
  CHECK(rt("W·[h,x]") == "W · [h, x]");
  CHECK(rt("[a<b, c]") == "[a < b, c]");
  CHECK(rt("X[:,a:b]") == "X[:, a:b]");
  CHECK(rt("h[ : H]") == "h[:H]");
  CHECK(rt("h[H: ]") == "h[H:]");
  CHECK(rt("h[H:2H]") == "h[H:2H]");
  CHECK(rt("(a+b)[0]") == "(a + b)[0]");
  CHECK(rt("(-x)[0]") == "(-x)[0]");
  CHECK(rt("(x^2)[0]") == "(x^2)[0]");
  CHECK(rt("(2)[0]") == "(2)[0]");
  CHECK(rt("(π)[0]") == "(π)[0]");
  CHECK(rt("2x[0]") == "2x[0]");
  CHECK(rt("[a,b][0]") == "[a, b][0]");
  CHECK(rt("Σ(e, axis=-1)") == "Σ(e, axis = -1)");
  CHECK(rt("leaky_relu(x, α=0.01)") == "leaky_relu(x, α = 0.01)");
  CHECK(rt("where(a<b, a, b)") == "where(a < b, a, b)");
}
