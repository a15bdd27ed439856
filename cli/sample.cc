// `eqc sample FILE.eq -w W.safetensors [-n 500] [--prime TEXT]
//  [--temperature T] [--seed S]`: runs a trained time model one step at a
// time, feeding each sampled symbol back as xₜ, and prints the text.
#include <cstdio>
#include <cstdlib>

#include "cli/commands.hpp"
#include "cli/options.hpp"
#include "eq/runtime/error.hpp"
#include "eq/runtime/safetensors.hpp"
#include "eq/train/evaluate.hpp"
#include "eq/train/sampler.hpp"
#include "eq/train/setup.hpp"

namespace eq::cli {
namespace {

constexpr const char* kSampleUsage =
    "usage: eqc sample FILE.eq -w W.safetensors [-n 500] [--prime TEXT] [--temperature T] [--seed "
    "S]\n"
    "                  [--force]\n"
    "  generates text from a trained time model, feeding each sampled symbol back as its input\n"
    "  --force  use weights saved from another source (the parameters must still fit)\n";

int sample(const Options& o) {
  if (!o.key("weights")) throw missing_option("sample", "-w W.safetensors", kSampleUsage);
  const long long count = whole_option(o, "count", 500, 0);
  double temperature = 1.0;
  if (auto t = o.key("temperature")) {
    char* end = nullptr;
    temperature = std::strtod(t->c_str(), &end);
    if (*end != '\0' || !(temperature > 0))
      throw UsageError("eqc: --temperature takes a number greater than 0; got '" + *t + "'");
  }
  const std::string weights_path = *o.key("weights");
  SafetensorsFile weights = load_safetensors(weights_path);
  SavedModel saved = decode_metadata(weights.metadata, weights_path);
  const long long seed = whole_option(o, "seed", static_cast<long long>(saved.seed), 0);
  SetupOptions so;
  so.saved = &saved;
  so.saved_path = weights_path;
  so.force = o.flag("force");
  so.load_data = false;
  // After the setup, which names weights of another model as such first.
  Setup setup = setup_file(o.files[0], so);
  if (saved.vocabulary.empty())
    throw Error(weights_path + ": the weights carry no vocabulary: they were not trained on text");
  Sampler sampler(*setup.model);
  set_params(*setup.model, weights, sampler.machine());
  sampler.set_noise_seed(static_cast<std::uint64_t>(seed));
  Rng rng(static_cast<std::uint64_t>(seed), 3);
  const std::string text = sample_text(sampler, saved.vocabulary, weights_path,
                                       o.key("prime").value_or(""), count, temperature, rng);
  std::fputs(text.c_str(), stdout);
  if (text.empty() || text.back() != '\n') std::fputc('\n', stdout);
  return kOk;
}

}  // namespace

int run_sample(int argc, char** argv) {
  const CommandSpec c{"sample",
                      kSampleUsage,
                      {{"weights", true, "-w"},
                       {"count", true, "-n"},
                       {"prime"},
                       {"temperature"},
                       {"seed"},
                       {"force", false}}};
  return run_command(c, argc, argv, sample);
}

}  // namespace eq::cli
