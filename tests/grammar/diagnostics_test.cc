// Golden diagnostics: each invalid snippet with the exact text `eqc check`
// prints for it (file name t.eq). Bytes that are not UTF-8 are echoed as
// U+FFFD, so a message is always valid UTF-8. Regenerating: run eqc check on the snippet
// and review the message by eye before pasting it here.
#include <catch2/catch.hpp>
#include <string>
#include <string_view>

#include "eq/grammar/parse.hpp"

using namespace std::literals;

namespace {

struct Case {
  std::string_view source;
  std::string_view expected;
};

const Case kCases[] = {
    // x = (a + b
    {"x = (a + b\n"sv, "t.eq:1:5: error: this '(' is never closed\nx = (a + b\n    ^\n"sv},
    // x = a + b)
    {"x = a + b)\n"sv,
     "t.eq:1:10: error: unmatched ')': there is no '(' before it\nx = a + b)\n         ^\n"sv},
    // x = [a, b
    {"x = [a, b\n"sv, "t.eq:1:5: error: this '[' is never closed\nx = [a, b\n    ^\n"sv},
    // y = f(a, b]
    {"y = f(a, b]\n"sv, "t.eq:1:11: error: expected ')', found ']'\ny = f(a, b]\n          ^\n"sv},
    // x = a +
    {"x = a +\n"sv,
     "t.eq:1:7: error: unexpected end of line: the expression after '+' is missing\nx = a +\n      ^\n"sv},
    // x = a *
    {"x = a *\n"sv,
     "t.eq:1:7: error: unexpected end of line: the expression after '*' is missing\nx = a *\n      ^\n"sv},
    // x = a ·
    {"x = a \xc2"
     "\xb7"
     "\n"sv,
     "t.eq:1:7: error: unexpected end of line: the expression after '\xc2"
     "\xb7"
     "' is missing\nx = a \xc2"
     "\xb7"
     "\n      ^\n"sv},
    // x = -
    {"x = -\n"sv,
     "t.eq:1:5: error: unexpected end of line: the expression after '-' is missing\nx = -\n    ^\n"sv},
    // x = a^
    {"x = a^\n"sv,
     "t.eq:1:6: error: unexpected end of line: the expression after '^' is missing\nx = a^\n     ^\n"sv},
    // x =
    {"x =\n"sv,
     "t.eq:1:3: error: unexpected end of line: the value after '=' is missing\nx =\n  ^\n"sv},
    // param W ~
    {"param W ~\n"sv,
     "t.eq:1:9: error: unexpected end of line: the value after '~' is missing\nparam W ~\n        ^\n"sv},
    // y = 1e
    {"y = 1e\n"sv,
     "t.eq:1:5: error: a number cannot end in 'e': write 1*e to multiply by e, or 1e3 or 1\ny = 1e\n    ^~\n"sv},
    // param W : [2E, 10]
    {"param W : [2E, 10]\n"sv,
     "t.eq:1:12: error: a number cannot end in 'E': write 2*E to multiply by E, or 2E3 or 2\nparam W : [2E, 10]\n           ^~\n"sv},
    // w = ∑(y)
    {"w = \xe2"
     "\x88"
     "\x91"
     "(y)\n"sv,
     "t.eq:1:5: error: unknown character '\xe2"
     "\x88"
     "\x91"
     "' (U+2211 N-ARY SUMMATION); did you mean '\xce"
     "\xa3"
     "' (U+03A3 GREEK CAPITAL LETTER SIGMA) or 'sum'?\nw = \xe2"
     "\x88"
     "\x91"
     "(y)\n    ^\n"sv},
    // z = y – 1
    {"z = y \xe2"
     "\x80"
     "\x93"
     " 1\n"sv,
     "t.eq:1:7: error: unknown character '\xe2"
     "\x80"
     "\x93"
     "' (U+2013 EN DASH); did you mean '-'?\nz = y \xe2"
     "\x80"
     "\x93"
     " 1\n      ^\n"sv},
    // z = y ＋ 1
    {"z = y \xef"
     "\xbc"
     "\x8b"
     " 1\n"sv,
     "t.eq:1:7: error: unknown character '\xef"
     "\xbc"
     "\x8b"
     "' (U+FF0B FULLWIDTH PLUS SIGN); did you mean '+'?\nz = y \xef"
     "\xbc"
     "\x8b"
     " 1\n      ^~\n"sv},
    // x = text(“a.txt”)
    {"x = text(\xe2"
     "\x80"
     "\x9c"
     "a.txt\xe2"
     "\x80"
     "\x9d"
     ")\n"sv,
     "t.eq:1:10: error: unknown character '\xe2"
     "\x80"
     "\x9c"
     "' (U+201C LEFT DOUBLE QUOTATION MARK); did you mean '\"'?\nx = text(\xe2"
     "\x80"
     "\x9c"
     "a.txt\xe2"
     "\x80"
     "\x9d"
     ")\n         ^\n"sv},
    // y = 2.5e-
    {"y = 2.5e-\n"sv,
     "t.eq:1:5: error: a number cannot end in 'e-': write 2.5e-3 or 2.5\ny = 2.5e-\n    ^~~~~\n"sv},
    // y = 3E+
    {"y = 3E+\n"sv,
     "t.eq:1:5: error: a number cannot end in 'E+': write 3E+3 or 3\ny = 3E+\n    ^~~\n"sv},
    // y = 1e999
    {"y = 1e999\n"sv,
     "t.eq:1:5: error: the number '1e999' is out of range\ny = 1e999\n    ^~~~~\n"sv},
    // y = a € b
    {"y = a \xe2"
     "\x82"
     "\xac"
     " b\n"sv,
     "t.eq:1:7: error: unknown character '\xe2"
     "\x82"
     "\xac"
     "' (U+20AC)\ny = a \xe2"
     "\x82"
     "\xac"
     " b\n      ^\n"sv},
    // dim = 3
    {"dim = 3\n"sv,
     "t.eq:1:1: error: 'dim' is a keyword and cannot be used as a name\ndim = 3\n^~~\n"sv},
    // param input : [3]
    {"param input : [3]\n"sv,
     "t.eq:1:7: error: 'input' is a keyword and cannot be used as a name\nparam input : [3]\n      ^~~~~\n"sv},
    // param W, dim : [3]
    {"param W, dim : [3]\n"sv,
     "t.eq:1:10: error: 'dim' is a keyword and cannot be used as a name\nparam W, dim : [3]\n         ^~~\n"sv},
    // x = dim + 1
    {"x = dim + 1\n"sv,
     "t.eq:1:5: error: 'dim' is a keyword and cannot be used as a name\nx = dim + 1\n    ^~~\n"sv},
    // sum = a + b
    {"sum = a + b\n"sv,
     "t.eq:1:1: error: 'sum' is a built-in function and cannot be used as a name\nsum = a + b\n^~~\n"sv},
    // param sum : [3]
    {"param sum : [3]\n"sv,
     "t.eq:1:7: error: 'sum' is a built-in function and cannot be used as a name\nparam sum : [3]\n      ^~~\n"sv},
    // y = tanh + 1
    {"y = tanh + 1\n"sv,
     "t.eq:1:5: error: the built-in function 'tanh' needs parentheses: write tanh(\xe2"
     "\x80"
     "\xa6"
     ")\ny = tanh + 1\n    ^~~~\n"sv},
    // y = σ x
    {"y = \xcf"
     "\x83"
     " x\n"sv,
     "t.eq:1:5: error: the built-in function '\xcf"
     "\x83"
     "' needs parentheses: write \xcf"
     "\x83"
     "(\xe2"
     "\x80"
     "\xa6"
     ")\ny = \xcf"
     "\x83"
     " x\n    ^\n"sv},
    // train {
    {"train {\n"sv, "t.eq:1:7: error: this '{' is never closed\ntrain {\n      ^\n"sv},
    // y = 2 x
    {"y = 2 x\n"sv,
     "t.eq:1:7: error: missing operator between '2' and 'x': write 2*x, or 2x without a space\ny = 2 x\n      ^\n"sv},
    // y = a b
    {"y = a b\n"sv, "t.eq:1:7: error: missing operator between 'a' and 'b'\ny = a b\n      ^\n"sv},
    // y = (a)(b)
    {"y = (a)(b)\n"sv,
     "t.eq:1:8: error: missing operator between ')' and '('\ny = (a)(b)\n       ^\n"sv},
    // x + 1
    {"x + 1\n"sv,
     "t.eq:1:3: error: expected '=' after 'x', found '+': an equation is written x = expression\nx + 1\n  ^\n"sv},
    // A keyword misspelt, or with a look-alike letter (found in an audit:
    // "expected '=' after 'parm' … an equation is written parm = expression").
    {"input x : [4]\nparm w : [4] ~ 0\n"sv,
     "t.eq:2:1: error: 'parm' is not a keyword; did you mean 'param'?\nparm w : [4] ~ 0\n"
     "^~~~\n"sv},
    // ... also before a value (`dimm D = 3`: a second review).
    {"dimm D = 3\n"sv,
     "t.eq:1:1: error: 'dimm' is not a keyword; did you mean 'dim'?\ndimm D = 3\n^~~~\n"sv},
    {"n\u043eise \u03b5 : [4] ~ normal(0, 1)\n"sv,
     "t.eq:1:1: error: 'n\u043eise' is not a keyword (its '\u043e' is U+043E CYRILLIC SMALL "
     "LETTER O); did you mean 'noise'?\n"
     "n\u043eise \u03b5 : [4] ~ normal(0, 1)\n^~~~~\n"sv},
    // y z = 3: the break before `z = …` is named (it was found '').
    {"y z = 3\n"sv,
     "t.eq:1:3: error: expected '=' after 'y', found the start of another statement: an "
     "equation is written y = expression\ny z = 3\n  ^\n"sv},
    // 3 = x
    {"3 = x\n"sv,
     "t.eq:1:1: error: expected a declaration or an equation, found number '3'\n3 = x\n^\n"sv},
    // = 4
    {"= 4\n"sv, "t.eq:1:1: error: expected a declaration or an equation, found '='\n= 4\n^\n"sv},
    // input x [4]
    {"input x [4]\n"sv,
     "t.eq:1:9: error: unexpected '[', expected ',' or ':'\ninput x [4]\n        ^\n"sv},
    // input x : foo[3]
    {"input x : foo[3]\n"sv,
     "t.eq:1:11: error: expected a shape like [H] or onehot[V] after ':', found 'foo'\ninput x : foo[3]\n          ^~~\n"sv},
    // param W : [3
    {"param W : [3\n"sv,
     "t.eq:1:11: error: this '[' is never closed\nparam W : [3\n          ^\n"sv},
    // y = "abc
    {"y = \"abc\n"sv,
     "t.eq:1:5: error: this string is not closed: a '\"' is missing before the end of the line\ny = \"abc\n    ^~~~\n"sv},
    // y = "a\nb"
    {"y = \"a\\nb\"\n"sv,
     "t.eq:1:5: error: unknown escape '\\n' in a string: only \\\" and \\\\ are allowed\ny = \"a\\nb\"\n    ^~~~~~\n"sv},
    // y = a_ + 1
    {"y = a_ + 1\n"sv,
     "t.eq:1:5: error: '_' must be followed by a subscript: write x_i or x_{t-1}\ny = a_ + 1\n    ^~\n"sv},
    // y = _a
    {"y = _a\n"sv, "t.eq:1:5: error: a name must start with a letter, not '_'\ny = _a\n    ^\n"sv},
    // y = a ; ; z
    {"y = a ; ; z\n"sv,
     "t.eq:1:12: error: expected '=' after 'z', found end of line: an equation is written z = expression\ny = a ; ; z\n           ^\n"sv},
    // y = 0:4
    {"y = 0:4\n"sv,
     "t.eq:1:6: error: unexpected ':': a range 'a:b' can only be a call argument in the train block\ny = 0:4\n     ^\n"sv},
    // y = "file.csv"
    {"y = \"file.csv\"\n"sv,
     "t.eq:1:5: error: a string can only be a file name in the train block\ny = \"file.csv\"\n    ^~~~~~~~~~\n"sv},
    // param W : [H] ~ normal(0:1)
    {"param W : [H] ~ normal(0:1)\n"sv,
     "t.eq:1:24: error: a range 'a:b' can only select columns in the train block\nparam W : [H] ~ normal(0:1)\n                       ^~~\n"sv},
    // y = a +* b
    {"y = a +* b\n"sv,
     "t.eq:1:8: error: expected an expression after '+', found '*'\ny = a +* b\n       ^\n"sv},
    // y = )
    {"y = )\n"sv, "t.eq:1:5: error: unmatched ')': there is no '(' before it\ny = )\n    ^\n"sv},
    // y = a ++
    {"y = a ++\n"sv,
     "t.eq:1:8: error: unexpected end of line: the expression after '+' is missing\ny = a ++\n       ^\n"sv},
    // y = f(a,,b)
    {"y = f(a,,b)\n"sv,
     "t.eq:1:9: error: expected an expression after ',', found ','\ny = f(a,,b)\n        ^\n"sv},
    // y = ‖a
    {"y = \xe2"
     "\x80"
     "\x96"
     "a\n"sv,
     "t.eq:1:5: error: this '\xe2"
     "\x80"
     "\x96"
     "' is never closed\ny = \xe2"
     "\x80"
     "\x96"
     "a\n    ^\n"sv},
    // y = a ‖ b
    {"y = a \xe2"
     "\x80"
     "\x96"
     " b\n"sv,
     "t.eq:1:7: error: unexpected '\xe2"
     "\x80"
     "\x96"
     "', expected end of line, '(' or an operator\ny = a \xe2"
     "\x80"
     "\x96"
     " b\n      ^\n"sv},
    // output
    {"output\n"sv, "t.eq:1:7: error: unexpected end of line, expected a name\noutput\n      ^\n"sv},
    // const c
    {"const c\n"sv,
     "t.eq:1:8: error: a constant needs a value: write const c = \xe2"
     "\x80"
     "\xa6"
     "\nconst c\n       ^\n"sv},
    // dim H =
    {"dim H = \n"sv,
     "t.eq:1:7: error: unexpected end of line: the value after '=' is missing\ndim H = \n      ^\n"sv},
    // state h : [H] =
    {"state h : [H] =\n"sv,
     "t.eq:1:15: error: unexpected end of line: the value after '=' is missing\nstate h : [H] =\n              ^\n"sv},
    // input x : onehot[V
    {"input x : onehot[V\n"sv,
     "t.eq:1:17: error: this '[' is never closed\ninput x : onehot[V\n                ^\n"sv},
    // x = a $ b
    {"x = a $ b\n"sv, "t.eq:1:7: error: unknown character '$' (U+0024)\nx = a $ b\n      ^\n"sv},
    // x = a | b
    {"x = a | b\n"sv,
     "t.eq:1:7: error: unknown character '|' (U+007C): the norm is written \xe2"
     "\x80"
     "\x96"
     "x\xe2"
     "\x80"
     "\x96"
     "\nx = a | b\n      ^\n"sv},
    // x = a ! b
    {"x = a ! b\n"sv, "t.eq:1:7: error: unknown character '!' (U+0021)\nx = a ! b\n      ^\n"sv},
    // y = a'
    {"y = a'\n"sv,
     "t.eq:1:6: error: unknown character ''' (U+0027): a prime is written \xe2"
     "\x80"
     "\xb2"
     "\ny = a'\n     ^\n"sv},
    // The axis of a reduction as PyTorch names it.
    {"y = Σ(X, dim = 1)\n"sv,
     "t.eq:1:10: error: 'dim' is a keyword and cannot be used as a name; a reduction's axis is "
     "written axis = k (docs/language.md §9.2)\ny = Σ(X, dim = 1)\n         ^~~\n"sv},
    // The transpose as NumPy (X.T) and LaTeX (X^⊤, \top) write it.
    {"y = X.T\n"sv,
     "t.eq:1:6: error: unknown character '.' (U+002E): the transpose is written ᵀ (U+1D40), "
     "as in Xᵀ, or transpose(X)\ny = X.T\n     ^\n"sv},
    {"y = X^⊤\n"sv,
     "t.eq:1:7: error: unknown character '⊤' (U+22A4): the transpose is written ᵀ (U+1D40), "
     "as in Xᵀ, or transpose(X)\ny = X^⊤\n      ^\n"sv},
    // output x y
    {"output x y\n"sv,
     "t.eq:1:10: error: unexpected name 'y', expected end of line or ','\noutput x y\n         ^\n"sv},
    // train { data text("f.txt") }
    {"train { data text(\"f.txt\") }\n"sv,
     "t.eq:1:14: error: the train key 'data' must be followed by '=': write data = value\ntrain { data text(\"f.txt\") }\n             ^~~~\n"sv},
    // train { = 3 }
    {"train { = 3 }\n"sv,
     "t.eq:1:9: error: expected a train key such as 'epochs = 1', found '='\ntrain { = 3 }\n        ^\n"sv},
    // x = a +	 	b +
    {"x = a +\t \tb +\n"sv,
     "t.eq:1:13: error: unexpected end of line: the expression after '+' is missing\nx = a +\t \tb +\n       \t \t  ^\n"sv},
    // y = 漢字 € z
    {"y = \xe6"
     "\xbc"
     "\xa2"
     "\xe5"
     "\xad"
     "\x97"
     " \xe2"
     "\x82"
     "\xac"
     " z\n"sv,
     "t.eq:1:8: error: unknown character '\xe2"
     "\x82"
     "\xac"
     "' (U+20AC)\ny = \xe6"
     "\xbc"
     "\xa2"
     "\xe5"
     "\xad"
     "\x97"
     " \xe2"
     "\x82"
     "\xac"
     " z\n         ^\n"sv},
    // y = ĉ € z
    {"y = \xc4"
     "\x89"
     " \xe2"
     "\x82"
     "\xac"
     " z\n"sv,
     "t.eq:1:7: error: unknown character '\xe2"
     "\x82"
     "\xac"
     "' (U+20AC)\ny = \xc4"
     "\x89"
     " \xe2"
     "\x82"
     "\xac"
     " z\n      ^\n"sv},
    // x = "a" +
    {"x = \"a\" +\n"sv,
     "t.eq:1:9: error: unexpected end of line: the expression after '+' is missing\nx = \"a\" +\n        ^\n"sv},
    // x = a +
    {"x = a +\ny = b\nz = c *\nw = (d\ndim H = 3\n"sv,
     "t.eq:1:7: error: unexpected end of line: the expression after '+' is missing\nx = a +\n      ^\nt.eq:3:7: error: unexpected end of line: the expression after '*' is missing\nz = c *\n      ^\nt.eq:4:5: error: this '(' is never closed\nw = (d\n    ^\n"sv},
    // param W : [H, V] ~ glorot
    {"param W : [H, V] ~ glorot\nparam input : [3]\ntrain {\n  data text(\"f\")\n  epochs = 1\n}\nx = 1e\n"sv,
     "t.eq:2:7: error: 'input' is a keyword and cannot be used as a name\nparam input : [3]\n      ^~~~~\nt.eq:4:8: error: the train key 'data' must be followed by '=': write data = value\n  data text(\"f\")\n       ^~~~\nt.eq:7:5: error: a number cannot end in 'e': write 1*e to multiply by e, or 1e3 or 1\nx = 1e\n    ^~\n"sv},
    // x = a� b
    {"x = a\xff"
     " b\n"sv,
     "t.eq:1:6: error: invalid UTF-8 byte 0xFF\nx = a\xef"
     "\xbf"
     "\xbd"
     " b\n     ^\n"sv},
    // x = � b
    {"x = \xe2"
     "\x82"
     " b\n"sv,
     "t.eq:1:5: error: invalid UTF-8 byte 0xE2\nx = \xef"
     "\xbf"
     "\xbd"
     "\xef"
     "\xbf"
     "\xbd"
     " b\n    ^\n"sv},
    // # caf�
    {"# caf\xe9"
     "\ny = 1\n"sv,
     "t.eq:1:6: error: invalid UTF-8 byte 0xE9\n# caf\xef"
     "\xbf"
     "\xbd"
     "\n     ^\n"sv},
    // y = ���
    {"y = \xed"
     "\xa0"
     "\x80"
     "\n"sv,
     "t.eq:1:5: error: invalid UTF-8 byte 0xED\ny = \xef"
     "\xbf"
     "\xbd"
     "\xef"
     "\xbf"
     "\xbd"
     "\xef"
     "\xbf"
     "\xbd"
     "\n    ^\n"sv},
    // x = f(a,
    {"x = f(a,\n  b\n"sv, "t.eq:1:6: error: this '(' is never closed\nx = f(a,\n     ^\n"sv},
    // x = f(a,
    {"x = f(a,\ndim H = 3\n"sv, "t.eq:1:6: error: this '(' is never closed\nx = f(a,\n     ^\n"sv},
    // x = a\0b: the NUL is drawn as ␀ (U+2400), so it cannot cut the message
    {"x = a\0"
     "b\n"sv,
     "t.eq:1:6: error: unknown character U+0000, invisible in most editors (copied text may "
     "have brought it); delete it\nx = a\u2400b\n     ^\n"sv},
    // lo<U+FE0F>ss: a variation selector, a mark that shows nothing, made
    // "loss" another name; it is no part of a name.
    {"lo\uFE0Fss = 1\n"sv,
     "t.eq:1:3: error: unknown character U+FE0F, invisible in most editors (copied text may "
     "have brought it); delete it\nlo\uFE0Fss = 1\n  ^\n"sv},
    // y = 2
    {"y = 2\n3\n"sv,
     "t.eq:2:1: error: expected a declaration or an equation, found number '3'\n3\n^\n"sv},  // ----
                                                                                             // docs/language.md
                                                                                             // §9
                                                                                             // forms
                                                                                             // and
                                                                                             // issue
                                                                                             // 11
                                                                                             // item
                                                                                             // 8
                                                                                             // ----
    // x = (a + b
    {"x = (a + b\ny = c\nz = d\n"sv,
     "t.eq:1:5: error: this '(' is never closed\nx = (a + b\n    ^\nt.eq:2:1: note: the expression cannot continue with name 'y'\ny = c\n^\n"sv},
    // fₜ = σ(W_f·[hₜ₋₁, xₜ
    {"f\xe2"
     "\x82"
     "\x9c"
     " = \xcf"
     "\x83"
     "(W_f\xc2"
     "\xb7"
     "[h\xe2"
     "\x82"
     "\x9c"
     "\xe2"
     "\x82"
     "\x8b"
     "\xe2"
     "\x82"
     "\x81"
     ", x\xe2"
     "\x82"
     "\x9c"
     "\nh\xe2"
     "\x82"
     "\x9c"
     " = f\xe2"
     "\x82"
     "\x9c"
     "\n"sv,
     "t.eq:1:12: error: this '[' is never closed\nf\xe2"
     "\x82"
     "\x9c"
     " = \xcf"
     "\x83"
     "(W_f\xc2"
     "\xb7"
     "[h\xe2"
     "\x82"
     "\x9c"
     "\xe2"
     "\x82"
     "\x8b"
     "\xe2"
     "\x82"
     "\x81"
     ", x\xe2"
     "\x82"
     "\x9c"
     "\n           ^\nt.eq:2:1: note: the expression cannot continue with name 'h\xe2"
     "\x82"
     "\x9c"
     "'\nh\xe2"
     "\x82"
     "\x9c"
     " = f\xe2"
     "\x82"
     "\x9c"
     "\n^~\n"sv},
    // x = f(a,
    {"x = f(a,\n  b\ny = 2\n"sv,
     "t.eq:1:6: error: this '(' is never closed\nx = f(a,\n     ^\nt.eq:3:1: note: the expression cannot continue with name 'y'\ny = 2\n^\n"sv},
    // y = f(‖a)
    {"y = f(\xe2"
     "\x80"
     "\x96"
     "a)\n"sv,
     "t.eq:1:7: error: this '\xe2"
     "\x80"
     "\x96"
     "' is never closed\ny = f(\xe2"
     "\x80"
     "\x96"
     "a)\n      ^\nt.eq:1:9: note: expected '\xe2"
     "\x80"
     "\x96"
     "' before ')'\ny = f(\xe2"
     "\x80"
     "\x96"
     "a)\n        ^\n"sv},
    // x = ‖a + b
    {"x = \xe2"
     "\x80"
     "\x96"
     "a + b\ny = c\n"sv,
     "t.eq:1:5: error: this '\xe2"
     "\x80"
     "\x96"
     "' is never closed\nx = \xe2"
     "\x80"
     "\x96"
     "a + b\n    ^\n"sv},
    // y = 0 < x < 1
    {"y = 0 < x < 1\n"sv,
     "t.eq:1:11: error: comparisons do not chain: write (0 < x) * (x < 1) for both to hold, or parenthesise one\ny = 0 < x < 1\n          ^\n"sv},
    // y = a ≤ b ≥ c
    {"y = a \xe2"
     "\x89"
     "\xa4"
     " b \xe2"
     "\x89"
     "\xa5"
     " c\n"sv,
     "t.eq:1:11: error: comparisons do not chain: write (a \xe2"
     "\x89"
     "\xa4"
     " b) * (b \xe2"
     "\x89"
     "\xa5"
     " c) for both to hold, or parenthesise one\ny = a \xe2"
     "\x89"
     "\xa4"
     " b \xe2"
     "\x89"
     "\xa5"
     " c\n          ^\n"sv},
    // y = W_f [h, x]
    {"y = W_f [h, x]\n"sv,
     "t.eq:1:9: error: missing operator between 'W_f' and '[': write W_f\xc2"
     "\xb7"
     "[\xe2"
     "\x80"
     "\xa6"
     "] to multiply, or W_f[\xe2"
     "\x80"
     "\xa6"
     "] without a space to index\ny = W_f [h, x]\n        ^\n"sv},
    // y = h[]
    {"y = h[]\n"sv,
     "t.eq:1:7: error: an index needs a position or a slice: write [i], [a:b] or [:]\ny = h[]\n      ^\n"sv},
    // y = h[0:4:2]
    {"y = h[0:4:2]\n"sv,
     "t.eq:1:10: error: unexpected ':': a slice is a:b, with no step\ny = h[0:4:2]\n         ^\n"sv},
    // y = X[1, ]
    {"y = X[1, ]\n"sv,
     "t.eq:1:10: error: expected an expression after ',', found ']'\ny = X[1, ]\n         ^\n"sv},
    // y = Σ(x, axis = )
    {"y = \xce"
     "\xa3"
     "(x, axis = )\n"sv,
     "t.eq:1:17: error: the value of 'axis' is missing: write axis = \xe2"
     "\x80"
     "\xa6"
     "\ny = \xce"
     "\xa3"
     "(x, axis = )\n                ^\n"sv},
    // y = mean(x, axis =, k = 1)
    {"y = mean(x, axis =, k = 1)\n"sv,
     "t.eq:1:19: error: the value of 'axis' is missing: write axis = \xe2"
     "\x80"
     "\xa6"
     "\ny = mean(x, axis =, k = 1)\n                  ^\n"sv},
    // y = [a, ]
    {"y = [a, ]\n"sv,
     "t.eq:1:9: error: expected an expression after ',', found ']'\ny = [a, ]\n        ^\n"sv},
    // y = []
    {"y = []\n"sv,
     "t.eq:1:6: error: unexpected ']': a concatenation [a, b] needs at least one part\ny = []\n     ^\n"sv},
    // y = [a b]
    {"y = [a b]\n"sv,
     "t.eq:1:8: error: missing operator between 'a' and 'b'\ny = [a b]\n       ^\n"sv},
    // noise ε : [Z]
    {"noise \xce"
     "\xb5"
     " : [Z]\n"sv,
     "t.eq:1:14: error: unexpected end of line: a noise needs a distribution: write ~ normal(0, 1) "
     "or ~ uniform(a, b)\nnoise \xce"
     "\xb5"
     " : [Z]\n             ^\n"sv},
    // noise ε : [Z] normal(0, 1)
    {"noise \xce"
     "\xb5"
     " : [Z] normal(0, 1)\n"sv,
     "t.eq:1:15: error: unexpected name 'normal': a noise needs a distribution: write ~ normal(0, "
     "1) or ~ uniform(a, b)\nnoise \xce"
     "\xb5"
     " : [Z] normal(0, 1)\n              ^~~~~~\n"sv},
    // noise = 3
    {"noise = 3\n"sv,
     "t.eq:1:1: error: 'noise' is a keyword and cannot be used as a name\nnoise = 3\n^~~~~\n"sv},
    // where = 1
    {"where = 1\n"sv,
     "t.eq:1:1: error: 'where' is a built-in function and cannot be used as a name\nwhere = 1\n^~~~~\n"sv},
    // y = clip + 1
    {"y = clip + 1\n"sv,
     "t.eq:1:5: error: the built-in function 'clip' needs parentheses: write clip(\xe2"
     "\x80"
     "\xa6"
     ")\ny = clip + 1\n    ^~~~\n"sv},
    // param W[3] ~ 0
    {"param W[3] ~ 0\n"sv,
     "t.eq:1:8: error: a shape follows ':': write W : [\xe2"
     "\x80"
     "\xa6"
     "]\nparam W[3] ~ 0\n       ^\n"sv},
    // y = f(a = 1, a = 2)
    {"y = f(a = 1, a = 2)\n"sv,
     "t.eq:1:14: error: the argument 'a' is given twice\ny = f(a = 1, a = 2)\n             ^\nt.eq:1:7: note: the first is here\ny = f(a = 1, a = 2)\n      ^\n"sv},
    // train {
    {"train {\n  clip 5\n}\n"sv,
     "t.eq:2:8: error: the train key 'clip' must be followed by '=': write clip = value\n  clip 5\n       ^\n"sv},
    // y = a == b
    {"y = a == b\n"sv,
     "t.eq:1:7: error: there is no '==' in eq: '=' defines a name; to test equality write 1 - (a "
     "\xe2"
     "\x89"
     "\xa0"
     " b)\ny = a == b\n      ^~\n"sv},
    // y = where(a == b, 1, 0)
    {"y = where(a == b, 1, 0)\n"sv,
     "t.eq:1:13: error: there is no '==' in eq: '=' defines a name; to test equality write 1 - (a "
     "\xe2"
     "\x89"
     "\xa0"
     " b)\ny = where(a == b, 1, 0)\n            ^~\n"sv},
    // x = (
    {"x = (\ny = 2\nz = 3\n"sv,
     "t.eq:1:5: error: this '(' is never closed\nx = (\n    ^\nt.eq:2:3: note: the expression cannot continue with '='\ny = 2\n  ^\n"sv},
    // y = a < b < c < d
    {"y = a < b < c < d\n"sv,
     "t.eq:1:11: error: comparisons do not chain: write (a < b) * (b < c) for both to hold, or parenthesise one\ny = a < b < c < d\n          ^\n"sv},
    // x = [a, b
    {"x = [a, b\n  c]\n"sv, "t.eq:2:3: error: missing operator between 'b' and 'c'\n  c]\n  ^\n"sv},
    // x = f(a
    {"x = f(a\n  + b)\ny = 1 +\n"sv,
     "t.eq:3:7: error: unexpected end of line: the expression after '+' is missing\ny = 1 +\n      ^\n"sv},
    // y = a <
    {"y = a <\n"sv,
     "t.eq:1:7: error: unexpected end of line: the expression after '<' is missing\ny = a <\n      ^\n"sv},
};

std::string check(std::string_view source) {
  eq::SourceFile file("t.eq", std::string(source));
  eq::Diagnostics diags;
  eq::parse_module(file, diags);
  return diags.render();
}

}  // namespace

TEST_CASE("every invalid snippet gives its exact diagnostic", "[grammar][diagnostics]") {
  REQUIRE(std::size(kCases) >= 40);
  for (const Case& c : kCases) {
    INFO("source: " << c.source);
    CHECK(check(c.source) == c.expected);
  }
}

TEST_CASE("one run reports at most 20 errors, then says it stopped", "[grammar][diagnostics]") {
  std::string source;
  for (int i = 0; i < 30; ++i) source += "x = a +\n";
  eq::SourceFile file("t.eq", source);
  eq::Diagnostics diags;
  eq::parse_module(file, diags);
  CHECK(diags.error_count() == 20);
  const std::string text = diags.render();
  CHECK(text.find("t.eq:20:7: error:") != std::string::npos);
  CHECK(text.find("t.eq:21:") == std::string::npos);
  CHECK(text.ends_with("\nnote: stopped after 20 errors\n"));
}

TEST_CASE("an unclosed bracket reported at its line lets later statements parse",
          "[grammar][diagnostics]") {
  eq::SourceFile file("t.eq", "x = (a + b\ny = c\nz = [d, e\nw = 1\nv = 2\n");
  eq::Diagnostics diags;
  eq::Module m = eq::parse_module(file, diags);
  CHECK(diags.error_count() == 2);
  // The line after each bracket is read as its continuation and skipped.
  REQUIRE(m.statements.size() == 1);
  CHECK(m.statements[0].names[0]->name.text == "v");
}

TEST_CASE("statements after an error still parse", "[grammar][diagnostics]") {
  eq::SourceFile file("t.eq", "x = a +\ny = b\nz = (c\nw = d\n");
  eq::Diagnostics diags;
  eq::Module m = eq::parse_module(file, diags);
  // `(c` swallows the next line, as brackets join lines; then it is never closed.
  CHECK(diags.error_count() == 2);
  REQUIRE(m.statements.size() == 1);
  CHECK(m.statements[0].names[0]->name.text == "y");
}
