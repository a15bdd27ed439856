// `eqc export`: a trained model's prediction program as an ONNX model.
//   export FILE.eq -w W.safetensors -o model.onnx
//   export W.safetensors -o model.onnx     the .eq source is in W's metadata
// Dims, input scaling, class labels and the vocabulary come from the weights
// file, as for `eqc predict`, so the ONNX model takes the same raw data.
#include "cli/commands.hpp"
#include "cli/files.hpp"
#include "cli/options.hpp"
#include "eq/runtime/error.hpp"
#include "eq/runtime/file_io.hpp"
#include "eq/runtime/safetensors.hpp"
#include "eq/train/evaluate.hpp"
#include "eq/train/setup.hpp"

#ifdef EQ_HAVE_ONNX
#include "eq/compiler/export/onnx_export.hpp"
#endif

namespace eq::cli {
namespace {

constexpr const char* kExportUsage =
    "usage: eqc export FILE.eq -w W.safetensors -o model.onnx [--force]\n"
    "       eqc export W.safetensors -o model.onnx\n"
    "  writes what `eqc predict` runs as an ONNX model (opset 17) taking raw features;\n"
    "  a time model exports its step (inputs xₜ and the states, outputs ŷₜ and the next states)\n"
    "  --force  use weights saved from another source (the parameters must still fit)\n";

int export_model(const Options& o) {
  if (!o.key("output")) throw missing_option("export", "-o model.onnx", kExportUsage);
  // A .eq file alone has no weights to export: not a safetensors file to read.
  if (!o.key("weights") && o.files[0].ends_with(".eq"))
    throw missing_option("export", "the weights of " + o.files[0] + ": -w W.safetensors",
                         kExportUsage);
#ifdef EQ_HAVE_ONNX
  const std::optional<std::string> weights_key = o.key("weights");
  const std::string weights_path = weights_key ? *weights_key : o.files[0];
  std::vector<FileRole> reads{{weights_path, "the weights"}};
  if (weights_key) reads.push_back({o.files[0], "the model's source"});
  check_distinct(reads, {{*o.key("output"), "-o"}});
  SafetensorsFile weights = load_safetensors(weights_path);
  SavedModel saved = decode_metadata(weights.metadata, weights_path);
  SetupOptions so;
  so.saved = &saved;
  so.saved_path = weights_path;
  so.force = o.flag("force");
  so.load_data = false;
  Setup setup = weights_key ? setup_file(o.files[0], so) : setup_saved_source(so);
  check_params(*setup.model, weights);  // no NaN leaves eq in an ONNX file
  onnx_export::ExportOptions eo;
  for (const auto& [name, s] : saved.scale) eo.scale[name] = {s.offset, s.factor};
  eo.labels = saved.labels;
  eo.vocabulary = saved.vocabulary;
  eo.producer_version = EQ_VERSION;
  const std::string bytes = onnx_export::export_onnx(*setup.model, weights, eo);
  const ByteChunk chunk{bytes.data(), bytes.size()};
  write_file_atomically(*o.key("output"), {&chunk, 1});
  return kOk;
#else
  throw Error(
      "eqc export: this eqc was built without ONNX (install libonnx-dev and "
      "libprotobuf-dev, then configure again)");
#endif
}

}  // namespace

int run_export(int argc, char** argv) {
  return run_command(
      {"export", kExportUsage, {{"weights", true, "-w"}, {"output", true, "-o"}, {"force", false}}},
      argc, argv, export_model);
}

}  // namespace eq::cli
