// `eqc report LOG.csv [-o FILE.html]`: the curves of a finished run, drawn
// from the CSV that `eqc train --log` wrote (report/log_csv.hpp), as the
// same self-contained HTML page `eqc train --report` writes.
#include <cstdio>
#include <fstream>

#include "cli/commands.hpp"
#include "cli/files.hpp"
#include "cli/options.hpp"
#include "eq/report/html.hpp"
#include "eq/report/log_csv.hpp"
#include "eq/runtime/file_io.hpp"

namespace eq::cli {
namespace {

constexpr const char* kReportUsage =
    "usage: eqc report LOG.csv [-o FILE.html]\n"
    "  draws the loss, accuracy and learning-rate curves of an `eqc train --log` file as one\n"
    "  HTML page (default: LOG.html)\n";

int report_command(const Options& o) {
  const std::string& path = o.files[0];
  const std::string output = o.key("output").value_or(stem(path) + ".html");
  check_distinct({{path, "the log file"}}, {{output, "-o"}});
  // The default name is often the page the training run wrote beside its
  // log (`--log r.csv --report r.html`), which holds more than the curves:
  // it is replaced only when -o names it.
  if (!o.key("output")) {
    std::ifstream in(output, std::ios::binary);
    std::string start(2048, '\0');
    in.read(start.data(), static_cast<std::streamsize>(start.size()));
    start.resize(static_cast<std::size_t>(in.gcount()));
    if (report::written_by_training(start))
      throw UsageError("eqc: " + output +
                       " is the report its training run wrote (equations, graph and time per "
                       "kernel beside the curves); write these curves elsewhere with -o, or "
                       "pass -o " +
                       output + " to replace it");
  }
  report::RunHistory h;
  h.title = path;
  h.epochs = report::read_log(path);
  h.finished = true;
  const std::string html = report::render_report(h);
  const ByteChunk chunk{html.data(), html.size()};
  write_file_atomically(output, {&chunk, 1});
  std::printf("wrote %s\n", output.c_str());
  return kOk;
}

}  // namespace

int run_report(int argc, char** argv) {
  const CommandSpec c{"report", kReportUsage, {{"output", true, "-o"}}};
  return run_command(c, argc, argv, report_command);
}

}  // namespace eq::cli
