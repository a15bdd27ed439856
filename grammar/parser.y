// The grammar of `.eq` files (docs/language.md §1–§7, §9), Bison C++ skeleton.
//
// Actions only build AST nodes from their children and @$ (as souffle's
// and jq's grammars do). Precedence is written as one nonterminal per level, loosest first:
//   compare (< > ≤ ≥ ≠, non-associative: a chain is reported) →
//   add (+ -) → mul (* / ·, left-assoc) → unary (- + √, and `2x`) →
//   power (^, right-assoc, binds tighter than unary minus) →
//   postfix (² ³ ᵀ, and indexing `h[a:b]`) →
//   primary (names, numbers, calls, ( ), ‖ ‖, concatenation [a, b]).
// A '[' directly after an operand is LINDEX (lexer.hpp), so indexing and
// concatenation never compete for the same token.
// A number directly before a name, call, '(' or π multiplies (`2x`,
// `½(a+b)`, `2π`); the lexer marks such numbers NUMBER_ADJ, and the factor
// after them is a power whose base starts with a name (power_np).
// The first token, injected by the driver, selects what to parse: a whole
// module, one expression, or one train-block value (`--lr 3e-3`). Errors recover at the end of the statement (or of
// the train entry); messages are written by report_syntax_error in
// parse_errors.cc.

%require "3.8"
%language "c++"
%skeleton "lalr1.cc"
%define api.namespace {eq::grammar}
%define api.parser.class {BisonParser}
%define api.value.type variant
%define api.value.automove
%define api.token.constructor
%define api.location.type {eq::Span}
%define parse.error custom
%define parse.lac full
%locations
%expect 0
%param {eq::ParseDriver& drv}

%code requires {
#include "eq/grammar/parse_driver.hpp"
}

%code {
// Spans of nonterminals cover their children; empty rules sit at the end of
// what came before.
#define YYLLOC_DEFAULT(Cur, Rhs, N)                     \
  do {                                                  \
    (Cur).file = &drv.file;                             \
    if (N) {                                            \
      (Cur).begin = YYRHSLOC(Rhs, 1).begin;             \
      (Cur).end = YYRHSLOC(Rhs, N).end;                 \
    } else {                                            \
      (Cur).begin = (Cur).end = YYRHSLOC(Rhs, 0).end;   \
    }                                                   \
  } while (false)

namespace eq::grammar {
BisonParser::symbol_type yylex(eq::ParseDriver& drv);
}
}

%token END 0 "end of file"
%token NEWLINE "end of line"
%token SEMI ";"
%token LEXERROR "invalid text"
%token START_MODULE START_EXPR
%token START_TRAIN_VALUE
%token <std::string> NAME "name"
%token <std::string> BUILTIN "built-in function"
%token <std::string> STRING "string"
%token <double> NUMBER "number"
%token <double> NUMBER_ADJ "number before a factor"
%token <double> PI "π"
%token <double> PI_ADJ "π before a factor"
%token DIM "dim" INPUT "input" TARGET "target" PARAM "param" STATE "state"
%token CONST "const" OUTPUT "output" NOISE "noise" TRAIN "train"
%token LPAREN "(" RPAREN ")" LBRACKET "[" LINDEX "index '['" RBRACKET "]" LBRACE "{" RBRACE "}"
%token COMMA "," COLON ":" EQUALS "=" TILDE "~"
%token LESS "<" GREATER ">" LESS_EQ "≤" GREATER_EQ "≥" NOT_EQ "≠"
%token PLUS "+" MINUS "-" STAR "*" SLASH "/" MATMUL "·" CARET "^"
%token SQRT "√" NORM "‖" SQUARE "²" CUBE "³" TRANSPOSE "ᵀ"

%nterm <eq::ExprPtr> expr add mul unary implicit power power_np postfix postfix_np
%nterm <eq::ExprPtr> primary primary_np call name init_opt value_opt arg_value
%nterm <std::vector<eq::ExprPtr>> name_list dims
%nterm <eq::Stmt> stmt
%nterm <eq::ShapeSyntax> shape type shape_opt
%nterm <eq::CallArgs> args args_opt
%nterm <eq::TrainEntry> train_entry
%nterm <std::vector<eq::TrainEntry>> train_body
%nterm <eq::ExprPtr> compare comparison expr_opt
%nterm <eq::Op> compare_op
%nterm <std::vector<eq::ExprPtr>> parts
%nterm <std::vector<eq::IndexAxis>> axes
%nterm <eq::IndexAxis> axis

%start start

%%

start:
  START_MODULE lines
| START_EXPR blank_lines expr blank_lines  { drv.expr = $3; }
| START_TRAIN_VALUE blank_lines expr blank_lines  { drv.expr = $3; }
;

blank_lines: %empty | blank_lines NEWLINE;

lines: %empty | lines line;

line:
  end_stmt
| stmt end_stmt    { drv.module.statements.push_back($1); }
| error end_stmt   { yyerrok; if (drv.diags.full()) YYABORT; }
;

end_stmt: NEWLINE | SEMI;

stmt:
  DIM name                              { $$ = make_stmt(StmtKind::Dim, @$, @1, one($2), {}, nullptr); }
| DIM name "=" expr                     { $$ = make_stmt(StmtKind::Dim, @$, @1, one($2), {}, $4); }
| INPUT name_list ":" type              { $$ = make_stmt(StmtKind::Input, @$, @1, $2, $4, nullptr); }
| TARGET name_list ":" type             { $$ = make_stmt(StmtKind::Target, @$, @1, $2, $4, nullptr); }
| PARAM name_list shape_opt init_opt    { $$ = make_stmt(StmtKind::Param, @$, @1, $2, $3, $4); }
| STATE name shape_opt value_opt        { $$ = make_stmt(StmtKind::State, @$, @1, one($2), $3, $4); }
| CONST name "=" expr                   { $$ = make_stmt(StmtKind::Const, @$, @1, one($2), {}, $4); }
| OUTPUT name_list                      { $$ = make_stmt(StmtKind::Output, @$, @1, $2, {}, nullptr); }
| NOISE name_list shape_opt "~" expr     { $$ = make_stmt(StmtKind::Noise, @$, @1, $2, $3, $5); }
| name "=" expr                         { $$ = make_stmt(StmtKind::Equation, @$, Span{}, one($1), {}, $3); }
| TRAIN "{" train_body "}"              { $$ = make_train(@$, @1, $3); }
| TRAIN "{" train_body train_entry "}"  { auto e = $3; e.push_back($4); $$ = make_train(@$, @1, std::move(e)); }
| TRAIN "{" train_body error "}"        { yyerrok; $$ = make_train(@$, @1, $3); }
;

name: NAME                              { $$ = make_name(@1, $1); };

name_list:
  name                                  { $$ = one($1); }
| name_list "," name                    { $$ = $1; $$.push_back($3); }
;

type:
  shape                                 { $$ = $1; }
| NAME shape                            { $$ = make_type(drv, @1, $1, $2); }
;

// `onehot[V]` reaches the shape with the index bracket.
shape:
  "[" "]"                               { $$ = ShapeSyntax{true, false, @$, {}}; }
| "[" dims "]"                          { $$ = ShapeSyntax{true, false, @$, $2}; }
| LINDEX "]"                            { $$ = ShapeSyntax{true, false, @$, {}}; }
| LINDEX dims "]"                       { $$ = ShapeSyntax{true, false, @$, $2}; }
;

dims:
  expr                                  { $$ = one($1); }
| dims "," expr                         { $$ = $1; $$.push_back($3); }
;

shape_opt: %empty { $$ = ShapeSyntax{}; } | ":" shape { $$ = $2; };
init_opt: %empty { $$ = nullptr; } | "~" expr { $$ = $2; };
value_opt: %empty { $$ = nullptr; } | "=" expr { $$ = $2; };

train_body:
  %empty                                { $$ = std::vector<TrainEntry>{}; }
| train_body end_stmt                   { $$ = $1; }
| train_body train_entry end_stmt       { $$ = $1; $$.push_back($2); }
| train_body error end_stmt             { yyerrok; $$ = $1; if (drv.diags.full()) YYABORT; }
;

train_entry:
  NAME "=" expr                         { $$ = TrainEntry{canonical_name($1), @1, $3, @$}; }
| BUILTIN "=" expr                      { $$ = TrainEntry{$1, @1, $3, @$}; }  // clip = 5
;

expr: compare;

compare: add | comparison;

// `a < b < c` parses, so that it can be reported as a chain (parse.cc).
comparison:
  add compare_op add                    { $$ = make_binary($2, @2, $1, $3); }
| comparison compare_op add             { $$ = make_chained_comparison(drv, $2, @2, $1, $3); }
;

compare_op:
  "<"                                   { $$ = Op::Less; }
| ">"                                   { $$ = Op::Greater; }
| "≤"                                   { $$ = Op::LessEqual; }
| "≥"                                   { $$ = Op::GreaterEqual; }
| "≠"                                   { $$ = Op::NotEqual; }
;

add:
  mul
| add "+" mul                           { $$ = make_binary(Op::Add, @2, $1, $3); }
| add "-" mul                           { $$ = make_binary(Op::Sub, @2, $1, $3); }
;

mul:
  unary
| mul "*" unary                         { $$ = make_binary(Op::Mul, @2, $1, $3); }
| mul "/" unary                         { $$ = make_binary(Op::Div, @2, $1, $3); }
| mul "·" unary                         { $$ = make_binary(Op::MatMul, @2, $1, $3); }
;

unary:
  power
| implicit
| "-" unary                             { $$ = make_unary(Op::Neg, @1, $2); }
| "+" unary                             { $$ = make_unary(Op::Plus, @1, $2); }
| "√" unary                             { $$ = make_unary(Op::Sqrt, @1, $2); }
;

implicit:
  NUMBER_ADJ power_np                   { $$ = make_implicit_mul(make_number(@1, $1), $2); }
| PI_ADJ power_np                       { $$ = make_implicit_mul(make_number(@1, $1), $2); }
;

power:
  postfix
| postfix "^" unary                     { $$ = make_binary(Op::Pow, @2, $1, $3); }
;

power_np:
  postfix_np
| postfix_np "^" unary                  { $$ = make_binary(Op::Pow, @2, $1, $3); }
;

postfix:
  primary
| postfix "²"                           { $$ = make_postfix(Op::Square, @2, $1); }
| postfix "³"                           { $$ = make_postfix(Op::Cube, @2, $1); }
| postfix "ᵀ"                           { $$ = make_postfix(Op::Transpose, @2, $1); }
| postfix LINDEX axes "]"               { $$ = make_index(@$, $1, $3); }
;

postfix_np:
  primary_np
| postfix_np "²"                        { $$ = make_postfix(Op::Square, @2, $1); }
| postfix_np "³"                        { $$ = make_postfix(Op::Cube, @2, $1); }
| postfix_np "ᵀ"                        { $$ = make_postfix(Op::Transpose, @2, $1); }
| postfix_np LINDEX axes "]"            { $$ = make_index(@$, $1, $3); }
;

axes:
  axis                                  { $$ = std::vector<IndexAxis>{}; $$.push_back($1); }
| axes "," axis                         { $$ = $1; $$.push_back($3); }
;

axis:
  expr                                  { $$ = make_axis_index(@$, $1); }
| expr_opt ":" expr_opt                 { $$ = make_axis_slice(@$, $1, $3); }
;

expr_opt: %empty { $$ = nullptr; } | expr { $$ = $1; };

primary:
  primary_np
| NUMBER                                { $$ = make_number(@1, $1); }
| NUMBER_ADJ                            { $$ = make_number(@1, $1); }
| STRING                                { $$ = make_string(@1, $1); }
| "‖" expr "‖"                          { $$ = make_norm(@$, $2); }
| "[" parts "]"                         { $$ = make_concat(@$, $2); }
;

parts:
  expr                                  { $$ = one($1); }
| parts "," expr                        { $$ = $1; $$.push_back($3); }
;

primary_np:
  name
| call
| "(" expr ")"                          { $$ = make_group(@$, $2); }
| PI                                    { $$ = make_number(@1, $1); }
| PI_ADJ                                { $$ = make_number(@1, $1); }
;

call:
  NAME "(" args_opt ")"                 { auto a = $3; $$ = make_call(@$, @1, $1, false, std::move(a.args), std::move(a.kwargs)); }
| BUILTIN "(" args_opt ")"              { auto a = $3; $$ = make_call(@$, @1, $1, true, std::move(a.args), std::move(a.kwargs)); }
;

args_opt: %empty { $$ = CallArgs{}; } | args { $$ = $1; };

args:
  arg_value                             { $$ = CallArgs{}; $$.args.push_back($1); }
| NAME "=" arg_value                    { $$ = CallArgs{}; $$.kwargs.push_back({analyze_name($1), @1, $3, @$}); }
| args "," arg_value                    { $$ = $1; $$.args.push_back($3); }
| args "," NAME "=" arg_value           { $$ = $1; $$.kwargs.push_back({analyze_name($3), @3, $5, Span::cover(@3, @5)}); }
;

// A range `0:4` selects columns in the train block (checked in parse.cc).
arg_value:
  expr
| expr ":" expr                         { $$ = make_range(@2, $1, $3); }
;

%%
