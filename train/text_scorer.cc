#include "eq/train/text_scorer.hpp"

#include <algorithm>
#include <cmath>

#include "eq/compiler/passes/pipeline.hpp"
#include "eq/runtime/error.hpp"
#include "eq/runtime/format.hpp"
#include "eq/train/memory_plan.hpp"

namespace eq {
namespace {

double scalar(ConstView v) { return v.dtype == DType::f32 ? *v.as<float>() : *v.as<double>(); }

}  // namespace

std::int64_t streams_for(std::int64_t symbols, std::int64_t wanted, std::int64_t window) {
  // symbols / b ≥ window + 1 holds for every b ≤ symbols / (window + 1).
  return std::max<std::int64_t>(std::min(wanted, symbols / (window + 1)), 1);
}

std::int64_t held_out_start(std::int64_t symbols, double validate) {
  return symbols - held_out_count(validate, symbols);
}

Metrics score_text(Setup& setup, const SafetensorsFile& weights, std::int64_t streams, bool whole) {
  Model& model = *setup.model;
  const std::string& name = model.source().name();
  if (!model.loss()) throw Error(name + ": the model has no `lossₜ` equation to score");
  if (setup.text.numel() == 0 && setup.data.columns.empty())
    throw Error(name +
                ": a time model is scored on text: give --data FILE.txt or `data = text(\"…\")`");
  const Sequence seq = sequence_of(setup);
  const TrainConfig& c = setup.config;
  const std::int64_t window = c.window_steps(), n = seq.size();
  const std::int64_t begin = whole ? 0 : held_out_start(n, c.validate);
  const std::int64_t first = begin < n ? begin : 0;  // nothing held out: all of it
  // Scoring runs whole windows, each step also reading the symbol after it.
  if (n - first < window + seq.lookahead()) {
    const std::string share =
        first ? "its held-out share (validate = " + format_number(c.validate) + ") has " : "";
    throw Error(c.data.path + ": " + share + std::to_string(n - first) + " " + seq.unit() +
                ", fewer than one window of " + std::to_string(window) +
                " steps (the train block's `window`)" + (seq.text ? " plus one" : "") +
                ": eval scores whole windows; give more " + (seq.text ? "text" : "rows"));
  }
  TextStreams text = seq.streams(
      first, n, streams_for(n - first, streams > 0 ? streams : c.batch, window), window);
  const Window unrolled = unroll(model, static_cast<int>(window));
  TextScorer::Compiled compiled = TextScorer::compile(model, unrolled);
  const MemoryNeed need[] = {
      {"the scoring program", plan_bytes(compiled.program.tape, text.streams())}};
  check_memory("scoring " + name, need);
  TextScorer scorer(model, unrolled, text, std::move(compiled));
  set_params(model, weights, scorer.machine());
  return scorer.score();
}

TextScorer::Compiled TextScorer::compile(Model& model, const Window& unrolled) {
  Compiled c;
  // Optimised alone, as training_program() optimises the training objective.
  c.objective = optimize(model.graph(), {unrolled.objective})[0];
  const AccuracyPair acc = accuracy_pair(model);
  for (const auto& [name, node] : model.outputs())
    if (acc.output && node == acc.output) c.outputs = unrolled.values.at(name);
  std::vector<ir::Node> outs{c.objective};
  for (const UnrolledState& s : unrolled.states)
    outs.insert(outs.end(), s.carry_out.begin(), s.carry_out.end());
  outs.insert(outs.end(), c.outputs.begin(), c.outputs.end());
  c.program = eq::compile(model.graph(), outs);
  return c;
}

TextScorer::TextScorer(Model& model, const Window& unrolled, const TextStreams& text,
                       Compiled compiled)
    : objective_(compiled.objective),
      outputs_(std::move(compiled.outputs)),
      run_(model, unrolled, text_leaves(model, false), text, std::move(compiled.program)) {}

Metrics TextScorer::score() {
  run_.reset();
  const TextStreams& s = run_.text();
  double total = 0;
  std::int64_t correct = 0;
  for (std::int64_t w = 0; w < s.windows(); ++w) {
    run_.let(w);
    run_.machine().runtime().set_noise(noise_seed_, static_cast<std::uint64_t>(w),
                                       s.first_stream());
    run_.machine().run();
    total += scalar(run_.machine().view(objective_));
    for (std::size_t t = 0; t < outputs_.size(); ++t) {
      ConstView y = run_.machine().view(outputs_[t]);  // [streams, V]
      const std::int32_t* next = run_.targets()[t].data<std::int32_t>();
      const std::int64_t n = y.shape.last();
      const std::size_t row = static_cast<std::size_t>(n) * dtype_size(y.dtype);
      for (std::int64_t b = 0; b < s.streams(); ++b)
        correct += argmax(static_cast<const char*>(y.data) + static_cast<std::size_t>(b) * row,
                          y.dtype, n) == next[b];
    }
    run_.carry_on();
  }
  Metrics m;
  m.examples = s.windows() * s.streams() * s.window();
  m.loss = total / static_cast<double>(s.windows());
  if (!outputs_.empty())
    m.accuracy = static_cast<double>(correct) / static_cast<double>(m.examples);
  return m;
}

}  // namespace eq
