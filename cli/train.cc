// `eqc train FILE.eq`: trains a model with its train block (docs/language.md §7),
// every key overridable with --KEY VALUE, and saves the weights (§8).
// The loop itself is the library's eq::Trainer (train/trainer.hpp), for
// example and time models alike; this file parses options, shows progress
// and writes files. The log's format and the report are eq_report's
// (report/log_csv.hpp, report/recorder.hpp).
#include <unistd.h>

#include <cmath>
#include <cstdio>
#include <optional>

#include "cli/commands.hpp"
#include "cli/interrupt.hpp"
#include "cli/options.hpp"
#include "report/log_csv.hpp"
#include "report/recorder.hpp"
#include "runtime/blas.hpp"
#include "runtime/error.hpp"
#include "runtime/file_io.hpp"
#include "runtime/format.hpp"
#include "runtime/output.hpp"
#include "runtime/safetensors.hpp"
#include "train/trainer.hpp"

namespace eq::cli {
namespace {

constexpr const char* kTrainUsage =
    "usage: eqc train FILE.eq [-D NAME=VALUE]... [--KEY VALUE]... [options]\n"
    "  --KEY VALUE           override a train key: data optimizer epochs steps batch window clip\n"
    "                        decay validate seed scale dtype; --lr sets the optimizer's rate\n"
    "  -o FILE               where to save the weights (default: NAME.safetensors)\n"
    "  --init W.safetensors  start from these weights instead of the initialisers\n"
    "  --resume CK           continue a checkpoint (optimizer state, step count, data order)\n"
    "  --checkpoint-every N  write a checkpoint every N steps (to --checkpoint FILE,\n"
    "                        default NAME.ckpt.safetensors)\n"
    "  --threads N           BLAS threads\n"
    "  --log FILE            write each epoch's metrics as CSV\n"
    "  --report FILE.html    write a report (curves, equations, graph, time per kernel) at\n"
    "                        every epoch and at the end; turns the profiler on\n"
    "  --quiet               print nothing but errors\n"
    "  --profile             time every instruction; print where a step's time goes\n";

std::string percent(const std::optional<double>& a) {
  if (!a) return "";
  char buf[32];
  std::snprintf(buf, sizeof buf, "%.2f%%", 100 * *a);
  return buf;
}

// Losses and times in reports: six significant digits.
std::string number(double x) { return format_number(x, 6); }

std::string duration(double s) {
  char buf[32];
  if (s < 60) std::snprintf(buf, sizeof buf, "%.0fs", s);
  else std::snprintf(buf, sizeof buf, "%.0fm%02.0fs", std::floor(s / 60), std::fmod(s, 60));
  return buf;
}

// The run after set-up: start, train with progress and logging, save.
// Returns kOk, or kInterrupted when a signal stopped it (weights saved).
int drive(Trainer& trainer, Setup& setup, const Options& o, const std::string& path,
           const std::string& output, const std::string& ck_path, std::int64_t every) {
  const bool quiet = o.flag("quiet");
  const bool tty = !quiet && isatty(fileno(stderr));
  if (auto r = o.key("resume")) {
    std::fputs(trainer.resume(load_safetensors(*r)).c_str(), stderr);
  } else if (auto w = o.key("init")) {
    trainer.load_weights(load_safetensors(*w));
  } else {
    trainer.initialize();
  }
  // The log is written line by line, each write checked (output.hpp). A
  // failed write does not stop the run: the log stops, the weights are still
  // saved, and the error is reported at the end (exit 1).
  std::optional<OutputFile> log;
  std::optional<Error> log_failure;
  std::int64_t logged = 0;  // epoch lines written
  auto write_log = [&](const std::string& line) {
    if (!log) return false;
    try {
      log->write(line);
      return true;
    } catch (const Error& e) {
      log_failure = e;
      log.reset();
      return false;
    }
  };
  if (auto l = o.key("log")) {
    log.emplace(*l);
    write_log(report::log_header());
  }
  if (!quiet) std::printf("training %s: %s\n", path.c_str(), report::run_summary(setup, trainer).c_str());
  std::fflush(stdout);
  TrainHooks hooks;
  if (tty)
    hooks.on_step = [unit = trainer.unit()](const StepProgress& p) {
      std::fprintf(stderr, "\r\033[Kepoch %lld/%lld  step %lld/%lld  loss %s  %.0f %s/s  ETA %s",
                   static_cast<long long>(p.epoch), static_cast<long long>(p.epochs),
                   static_cast<long long>(p.epoch_step), static_cast<long long>(p.epoch_steps),
                   number(p.loss).c_str(), p.examples_per_second, unit, duration(p.eta_seconds).c_str());
    };
  hooks.on_epoch = [&](const EpochReport& r) {
    if (log) {
      logged += write_log(report::log_row(report::epoch_point(r, trainer.solver().config().lr)));
    }
    if (quiet) return;
    if (tty) std::fputs("\r\033[K", stderr);
    std::string line = "epoch " + std::to_string(r.epoch) + "  loss " + number(r.train.loss);
    if (r.train.accuracy) line += "  accuracy " + percent(r.train.accuracy);
    if (r.validation) {
      line += "  val_loss " + number(r.validation->loss);
      if (r.validation->accuracy) line += "  val_accuracy " + percent(r.validation->accuracy);
    }
    char secs[32];
    std::snprintf(secs, sizeof secs, "  %.3fs", r.seconds);
    std::printf("%s%s\n", line.c_str(), secs);
    std::fflush(stdout);
  };
  hooks.checkpoint_every = every;
  // A checkpoint that cannot be written (a full disk) does not end the run:
  // it is reported, training goes on, and the next checkpoint tries again.
  bool ck_failed = false;
  hooks.on_checkpoint = [&](const SafetensorsFile& f) {
    try {
      save_safetensors(ck_path, f);
      if (ck_failed)
        std::fprintf(stderr, "%seqc: checkpoint of step %lld saved to %s\n", tty ? "\r\033[K" : "",
                     static_cast<long long>(trainer.step()), ck_path.c_str());
      ck_failed = false;
    } catch (const Error& e) {
      std::fprintf(stderr, "%seqc: checkpoint of step %lld not saved: %s; training goes on, and the "
                   "next checkpoint tries again\n", tty ? "\r\033[K" : "",
                   static_cast<long long>(trainer.step()), e.what());
      ck_failed = true;
    }
  };
  // Ctrl-C or SIGTERM: the step in progress ends, then the run (cli/interrupt.hpp).
  InterruptGuard interrupts;
  hooks.stop = [] { return InterruptGuard::caught() != nullptr; };
  if (o.flag("profile")) trainer.machine().runtime().set_profile(true);
  std::unique_ptr<report::ReportRecorder> recorder;
  if (auto r = o.key("report")) {
    recorder = std::make_unique<report::ReportRecorder>(*r, path, setup, trainer);
    recorder->attach(hooks);
  }
  trainer.train(hooks);
  if (recorder) recorder->finish();
  if (o.flag("profile")) {
    const auto entries = trainer.machine().runtime().profile();
    double total = 0;
    for (const auto& e : entries) total += e.seconds;
    std::fprintf(stderr, "time per kernel over %lld steps (%.3f s in instructions):\n",
                 static_cast<long long>(trainer.step()), total);
    for (const auto& e : entries)
      std::fprintf(stderr, "  %9.3f ms %5.1f%%  %8lld×  %s\n", 1e3 * e.seconds,
                   total > 0 ? 100 * e.seconds / total : 0.0, static_cast<long long>(e.count), e.label.c_str());
  }
  const char* signal = InterruptGuard::caught();
  save_safetensors(output, trainer.weights());
  // The weights are saved first: a checkpoint that fails at the end is
  // reported after them.
  std::optional<Error> ck_failure;
  if (every > 0) try {
      save_safetensors(ck_path, trainer.checkpoint());
    } catch (const Error& e) {
      ck_failure = e;
    }
  if (!quiet) std::printf("saved %s\n", output.c_str());
  std::fflush(stdout);
  if (log) log->close();
  if (signal) {
    if (tty) std::fputs("\r\033[K", stderr);
    std::string said = "eqc: " + std::string(signal) + ": stopped after step " +
                       std::to_string(trainer.step()) + " of " + std::to_string(trainer.total_steps()) +
                       "; the weights were saved to " + output;
    if (every > 0 && !ck_failure)
      said += " and a checkpoint to " + ck_path + " (continue with --resume " + ck_path + ")";
    else if (every == 0)
      said += " (to continue an interrupted run later, train with --checkpoint-every N)";
    std::fprintf(stderr, "%s\n", said.c_str());
  }
  if (ck_failure)
    throw Error(std::string(ck_failure->what()) + " (the last checkpoint; the weights were saved to " +
                output + ")");
  if (log_failure)
    throw Error(std::string(log_failure->what()) + " (logged " + std::to_string(logged) +
                (logged == 1 ? " epoch" : " epochs") + "; the weights were saved to " + output +
                ")");
  return signal ? kInterrupted : kOk;
}

// The command line: every train key (docs/language.md §7) is an option, and --lr.
CommandSpec train_command() {
  CommandSpec c{"train", kTrainUsage, {}, true, false, 1, 1};
  for (const std::string& k : train_keys()) c.options.push_back({k});
  c.options.push_back({"lr", true, "", {"learning-rate", "learning_rate", "rate", "eta"}});
  c.options.push_back({"output", true, "-o"});
  for (const char* k : {"init", "resume", "checkpoint-every", "checkpoint", "threads", "log", "report"})
    c.options.push_back({k});
  c.options.push_back({"quiet", false});
  c.options.push_back({"profile", false});
  return c;
}

int train(const Options& o) {
  const std::int64_t every = whole_option(o, "checkpoint-every", 0, 1);
  const long long threads = whole_option(o, "threads", 0, 1, kMaxThreads);
  if (threads > 0) blas::set_threads(static_cast<int>(threads));
  const bool tty = !o.flag("quiet") && isatty(fileno(stderr));

  const std::string& path = o.files[0];
  const std::string output = o.key("output").value_or(stem(path) + ".safetensors");
  std::string ck_path = o.key("checkpoint").value_or("");
  if (ck_path.empty()) {
    const std::string ext = ".safetensors";
    const bool has_ext = output.size() > ext.size() && output.ends_with(ext);
    ck_path = (has_ext ? output.substr(0, output.size() - ext.size()) : output) + ".ckpt" + ext;
  }
  // Every file the run writes at its end is checked now, before the data is
  // read and the first step taken (the log is opened before the first step).
  check_writable(output);
  if (every > 0) check_writable(ck_path);
  if (auto report = o.key("report")) check_writable(*report);
  try {
    SetupOptions so;
    so.dims = o.dims;
    for (const auto& [k, v] : o.keys)
      if (k == "lr" || std::find(train_keys().begin(), train_keys().end(), k) != train_keys().end())
        so.overrides[k] = v;
    Setup setup = setup_file(path, so);
    std::fputs(setup.model->warnings().c_str(), stderr);
    Trainer trainer(setup);
    return drive(trainer, setup, o, path, output, ck_path, every);
  } catch (const Error&) {
    if (tty) std::fputs("\r\033[K", stderr);  // the progress line
    throw;
  } catch (const std::bad_alloc&) {
    if (tty) std::fputs("\r\033[K", stderr);
    throw;
  }
}

}  // namespace

int run_train(int argc, char** argv) {
  return run_command(train_command(), argc, argv, [](const Options& o) {
    return out_of_memory_while("training " + o.files[0], [&] { return train(o); });
  });
}

}  // namespace eq::cli
