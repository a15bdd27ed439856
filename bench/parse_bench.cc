// Parser throughput: generated files of N LSTM-like equations through the
// whole front end (NFC check, lexer, parser, AST). Reports tokens/s; the
// time for 10,000 equations over the time for 1,000 shows the growth is
// linear (bench/README.md, "Parser").
#include <benchmark/benchmark.h>

#include <string>

#include "eq/grammar/lexer.hpp"
#include "eq/grammar/parse.hpp"

namespace {

std::string generate(int equations) {
  std::string s = "dim H = 128\ndim V\ninput xₜ : onehot[V]\n";
  for (int i = 0; i < equations; ++i) {
    const std::string n = std::to_string(i);
    s += "h" + n + "ₜ = σ(W_" + n + "·xₜ + U_{" + n + "}·h" + n + "ₜ₋₁ + B" + n + ") * tanh(½(c" +
         n + "ₜ - 2x²)) / ‖a" + n + "‖  # equation " + n + "\n";
  }
  return s;
}

int64_t count_tokens(const eq::SourceFile& f) {
  eq::Diagnostics d;
  eq::Lexer lex(f, d);
  int64_t n = 0;
  while (lex.next().kind != eq::Tok::End) ++n;
  return n;
}

void BM_parse(benchmark::State& state) {
  const std::string text = generate(static_cast<int>(state.range(0)));
  const int64_t tokens = count_tokens(eq::SourceFile("gen.eq", text));
  for (auto _ : state) {
    eq::SourceFile f("gen.eq", text);
    eq::Diagnostics d;
    eq::Module m = eq::parse_module(f, d);
    if (d.has_errors()) state.SkipWithError("generated file does not parse");
    benchmark::DoNotOptimize(m.statements.data());
  }
  state.counters["tokens/s"] = benchmark::Counter(static_cast<double>(tokens),
                                                  benchmark::Counter::kIsIterationInvariantRate);
  state.counters["MB/s"] = benchmark::Counter(static_cast<double>(text.size()) / 1e6,
                                              benchmark::Counter::kIsIterationInvariantRate);
}
BENCHMARK(BM_parse)->Arg(1000)->Arg(10000)->Unit(benchmark::kMillisecond);

void BM_lex(benchmark::State& state) {
  const eq::SourceFile f("gen.eq", generate(static_cast<int>(state.range(0))));
  int64_t tokens = 0;
  for (auto _ : state) tokens = count_tokens(f);
  state.counters["tokens/s"] = benchmark::Counter(static_cast<double>(tokens),
                                                  benchmark::Counter::kIsIterationInvariantRate);
}
BENCHMARK(BM_lex)->Arg(10000)->Unit(benchmark::kMillisecond);

}  // namespace

BENCHMARK_MAIN();
