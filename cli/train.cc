// `eqc train FILE.eq`: trains a model with its train block (docs/language.md §7),
// every key overridable with --KEY VALUE, and saves the weights (§8).
// The loop itself is the library's eq::Trainer (train/trainer.hpp), for
// example and time models alike; this file parses options, shows progress
// and writes files. The log's format and the report are eq_report's
// (report/log_csv.hpp, report/recorder.hpp).
//
// On several processes (`mpirun -np N eqc train …`, or `--ranks N`, which
// starts mpirun: ranks.hpp) every process runs this same file on its
// rank's share. Rank 0 alone prints, writes the log, checkpoints and
// weights, and reads --init / --resume files, which it broadcasts. Until
// training starts, every step that may fail on one rank runs together
// (run_together), so a bad file on one machine stops all with its message
// ("rank 1: data.csv:17:3: …"), printed once by rank 0; a step of training
// does the same through its gradient sum. Any other error on one rank ends
// the job at once (Communicator::abort), since the others would wait for it.
//
// Inside a process, --threads N (or OPENBLAS_NUM_THREADS) splits
// every batch over N threads when the shares keep enough rows
// (batch_shares, train/thread_team.hpp): each thread is a rank of a
// ThreadTeam and runs this same drive() with its own Trainer, thread 0 of
// process 0 being rank 0; otherwise the N threads go to OpenBLAS and the
// fused loops of one share.
#include <unistd.h>

#include <cmath>
#include <cstdio>
#include <functional>
#include <optional>

#include "cli/commands.hpp"
#include "cli/files.hpp"
#include "cli/interrupt.hpp"
#include "cli/options.hpp"
#include "cli/ranks.hpp"
#include "eq/report/log_csv.hpp"
#include "eq/report/recorder.hpp"
#include "eq/runtime/blas.hpp"
#include "eq/runtime/error.hpp"
#include "eq/runtime/file_io.hpp"
#include "eq/runtime/format.hpp"
#include "eq/runtime/output.hpp"
#include "eq/runtime/parallel.hpp"
#include "eq/runtime/safetensors.hpp"
#include "eq/train/communicator.hpp"
#include "eq/train/thread_team.hpp"
#include "eq/train/trainer.hpp"

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
    "  --threads N           cores to train on (of each process): threads that each train a\n"
    "                        share of every batch when each share holds enough work (8\n"
    "                        rows; weights × rows, × window, ≥ 8 M), else BLAS threads;\n"
    "                        without it, all cores (a default run splits only within\n"
    "                        one process and without --profile)\n"
    "  --ranks N             train on N processes of this machine (starts mpirun; or run\n"
    "                        mpirun -np N eqc train … yourself, on one machine or many)\n"
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

// What a split copies for each thread beyond the first: the examples or the
// text (copy_setup). A default split (no --threads) stays within this.
constexpr std::int64_t kMaxDataCopies = std::int64_t{256} << 20;

std::int64_t data_bytes(const Setup& setup) {
  std::int64_t bytes = setup.text.bytes();
  for (const DataColumn& c : setup.data.columns) bytes += c.values.bytes();
  return bytes;
}

std::string duration(double s) {
  char buf[32];
  if (s < 60)
    std::snprintf(buf, sizeof buf, "%.0fs", s);
  else
    std::snprintf(buf, sizeof buf, "%.0fm%02.0fs", std::floor(s / 60), std::fmod(s, 60));
  return buf;
}

// A file every rank needs, read by rank 0 alone (on several machines only
// rank 0's needs it) and broadcast.
SafetensorsFile load_on_rank0(Communicator& comm, const std::string& path) {
  std::string bytes;
  run_together(comm, [&] {
    if (comm.rank() == 0) bytes = read_file(path);
  });
  broadcast(comm, bytes);
  SafetensorsFile file;
  run_together(comm, [&] { file = decode_safetensors(bytes, path); });
  return file;
}

// The run after set-up: start, train with progress and logging, save.
// Returns kOk, or kInterrupted when a signal stopped it (weights saved).
// `spread` says where it runs (", on 2 processes"), after the run summary.
int drive(Trainer& trainer, Setup& setup, const Options& o, const std::string& path,
          const std::string& output, const std::string& ck_path, std::int64_t every,
          const std::string& spread, bool several_processes, const SafetensorsFile& file) {
  Communicator& comm = trainer.communicator();
  const bool rank0 = comm.rank() == 0;
  const bool quiet = o.flag("quiet") || !rank0;
  const bool tty = !quiet && isatty(fileno(stderr));
  const std::optional<std::string> start = o.key("resume") ? o.key("resume") : o.key("init");
  std::string warning;  // resuming another optimizer's state
  run_together(comm, [&] {
    if (o.key("resume")) {
      warning = trainer.resume(file);
      // A checkpoint at or past the end this run asks for has nothing left
      // to train: saving its weights as if trained would hide that.
      const std::int64_t at = trainer.step(), end = trainer.total_steps();
      if (at >= end)
        throw Error(*start + ": the checkpoint is at step " + std::to_string(at) +
                    (at == end ? ", where" : ", past where") + " this run ends (step " +
                    std::to_string(end) + "): nothing is left to train; ask for more than " +
                    std::to_string(at) + " steps (--steps N) or more epochs to go on");
    } else if (start)
      trainer.load_weights(file);
    else
      trainer.initialize();
  });
  if (rank0) std::fputs(warning.c_str(), stderr);
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
  run_together(comm, [&] {
    if (auto l = o.key("log"); l && rank0) {
      log.emplace(*l);
      write_log(report::log_header());
    }
  });
  if (!quiet) {
    std::printf("training %s: %s", path.c_str(), report::run_summary(setup, trainer).c_str());
    if (o.key("resume"))
      std::printf(", from step %lld of %s", static_cast<long long>(trainer.step()), start->c_str());
    std::printf("%s\n", spread.c_str());
  }
  std::fflush(stdout);
  TrainHooks hooks;
  if (tty)
    hooks.on_step = [unit = trainer.unit()](const StepProgress& p) {
      // The steps this epoch runs: all of it, or to where --steps ends the run.
      const std::int64_t this_epoch =
          std::min(p.epoch_steps, p.total_steps - (p.epoch - 1) * p.epoch_steps);
      std::fprintf(stderr, "\r\033[Kepoch %lld/%lld  step %lld/%lld  loss %s  %.0f %s/s  ETA %s",
                   static_cast<long long>(p.epoch), static_cast<long long>(p.epochs),
                   static_cast<long long>(p.epoch_step), static_cast<long long>(this_epoch),
                   number(p.loss).c_str(), p.examples_per_second, unit,
                   duration(p.eta_seconds).c_str());
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
      std::fprintf(stderr,
                   "%seqc: checkpoint of step %lld not saved: %s; training goes on, and the "
                   "next checkpoint tries again\n",
                   tty ? "\r\033[K" : "", static_cast<long long>(trainer.step()), e.what());
      ck_failed = true;
    }
  };
  // Ctrl-C or SIGTERM (caught by train()): the step in progress ends, then the run.
  hooks.stop = [] { return InterruptGuard::caught() != nullptr; };
  // Of several processes, rank 0 says it is stopping to save only once all
  // have agreed: a signal from mpirun because another rank died is not
  // answered with a promise to save that cannot be kept (cli/interrupt.hpp).
  if (several_processes && rank0)
    hooks.on_stop = [tty] {
      std::fprintf(stderr,
                   "%seqc: stopping to save the run; interrupt again to exit at once without "
                   "saving\n",
                   tty ? "\r\033[K" : "");
    };
  if (o.flag("profile")) trainer.machine().runtime().set_profile(true);
  std::unique_ptr<report::ReportRecorder> recorder;
  if (auto r = o.key("report"); r && rank0) {
    recorder = std::make_unique<report::ReportRecorder>(*r, path, setup, trainer);
    recorder->attach(hooks);
  }
  try {
    trainer.train(hooks);
  } catch (const std::exception& e) {
    // The report says why the run stopped, with the epochs it had finished.
    if (recorder) recorder->fail(e.what());
    throw;
  }
  if (recorder) recorder->finish();
  if (o.flag("profile") && rank0) {
    const auto entries = trainer.machine().runtime().profile();
    double total = 0;
    for (const auto& e : entries) total += e.seconds;
    std::fprintf(stderr, "time per kernel over %lld steps (%.3f s in instructions):\n",
                 static_cast<long long>(trainer.step()), total);
    for (const auto& e : entries)
      std::fprintf(stderr, "  %9.3f ms %5.1f%%  %8lld×  %s\n", 1e3 * e.seconds,
                   total > 0 ? 100 * e.seconds / total : 0.0, static_cast<long long>(e.count),
                   e.label.c_str());
  }
  // Stopped by a signal (on this rank or another: the ranks stopped together).
  const char* caught = InterruptGuard::caught();
  const bool stopped = caught || trainer.step() < trainer.total_steps();
  if (rank0) save_safetensors(output, trainer.weights());
  // The weights are saved first: a checkpoint that fails at the end is
  // reported after them.
  std::optional<Error> ck_failure;
  if (every > 0) {
    const SafetensorsFile ck = trainer.checkpoint();  // every rank: it gathers carried states
    if (rank0) try {
        save_safetensors(ck_path, ck);
      } catch (const Error& e) {
        ck_failure = e;
      }
  }
  if (!quiet) std::printf("saved %s\n", output.c_str());
  std::fflush(stdout);
  if (log) log->close();
  if (stopped && rank0) {
    if (tty) std::fputs("\r\033[K", stderr);
    // The signal may have reached this rank after the ranks agreed to stop
    // on another's: name it if it has come by now.
    const char* signal = caught ? caught : InterruptGuard::caught();
    std::string said = "eqc: " + std::string(signal ? signal : "a signal to another rank") +
                       ": stopped after step " + std::to_string(trainer.step()) + " of " +
                       std::to_string(trainer.total_steps()) + "; the weights were saved to " +
                       output;
    if (every > 0 && !ck_failure)
      said += " and a checkpoint to " + ck_path + " (continue with --resume " + ck_path + ")";
    else if (every == 0)
      said += " (to continue an interrupted run later, train with --checkpoint-every N)";
    std::fprintf(stderr, "%s\n", said.c_str());
  }
  if (ck_failure)
    throw Error(std::string(ck_failure->what()) +
                " (the last checkpoint; the weights were saved to " + output + ")");
  if (log_failure)
    throw Error(std::string(log_failure->what()) + " (logged " + std::to_string(logged) +
                (logged == 1 ? " epoch" : " epochs") + "; the weights were saved to " + output +
                ")");
  return stopped ? kInterrupted : kOk;
}

// The command line: every train key (docs/language.md §7) is an option, and --lr.
CommandSpec train_command() {
  CommandSpec c{"train", kTrainUsage, {}, true, false, 1, 1};
  for (const std::string& k : train_keys()) c.options.push_back({k});
  c.options.push_back({"lr", true, "", {"learning-rate", "learning_rate", "rate", "eta"}});
  c.options.push_back({"output", true, "-o"});
  for (const char* k :
       {"init", "resume", "checkpoint-every", "checkpoint", "threads", "ranks", "log", "report"})
    c.options.push_back({k});
  c.options.push_back({"quiet", false});
  c.options.push_back({"profile", false});
  return c;
}

// train's arguments without --ranks N, for the processes it starts.
std::vector<std::string> without_ranks(int argc, char** argv) {
  std::vector<std::string> out;
  for (int i = 0; i < argc; ++i) {
    if (std::string(argv[i]) == "--ranks") {
      ++i;
      continue;
    }
    out.emplace_back(argv[i]);
  }
  return out;
}

int train(const Options& o, int argc, char** argv) {
  const std::int64_t every = whole_option(o, "checkpoint-every", 0, 1);
  const long long threads = whole_option(o, "threads", 0, 1, kMaxThreads);
  const long long ranks = whole_option(o, "ranks", 1, 1);
  // --checkpoint says where, --checkpoint-every how often: alone it would
  // write nothing, and a user trusting it would find no checkpoint.
  if (auto where = o.key("checkpoint"); where && every == 0)
    throw UsageError("eqc: --checkpoint " + *where +
                     " says where checkpoints go, but not how often: add --checkpoint-every N "
                     "(steps)");
  if (ranks > 1 && !started_by_mpi_launcher()) {
    if (!built_with_mpi())
      throw Error("eqc: --ranks " + std::to_string(ranks) +
                  ": this eqc was built without MPI and trains in one process only; build eq with "
                  "Open MPI (bash scripts/install-deps.sh installs it)");
    return run_on_ranks(static_cast<int>(ranks), without_ranks(argc, argv));
  }
  const std::unique_ptr<Communicator> comm = world_communicator();
  if (o.key("ranks") && ranks != comm->size())
    throw UsageError("eqc: --ranks " + std::to_string(ranks) + " but the launcher started " +
                     std::to_string(comm->size()) + " processes; leave --ranks out under mpirun");
  // The cores this process trains on: --threads, else OPENBLAS_NUM_THREADS
  // (or OMP_NUM_THREADS, which OpenBLAS also reads), else its share of the
  // machine's.
  int cores = static_cast<int>(threads);
  const bool cores_given = cores > 0 || std::getenv("OPENBLAS_NUM_THREADS");
  for (const char* name : {"OPENBLAS_NUM_THREADS", "OMP_NUM_THREADS"})
    if (const char* v = std::getenv(name); cores == 0 && v) cores = std::max(0, std::atoi(v));
  if (cores == 0) cores = threads_per_rank(comm->size());
  const bool tty = !o.flag("quiet") && comm->rank() == 0 && isatty(fileno(stderr));

  const std::string& path = o.files[0];
  const std::string output = o.key("output").value_or(stem(path) + ".safetensors");
  std::string ck_path = o.key("checkpoint").value_or("");
  if (ck_path.empty()) {
    const std::string ext = ".safetensors";
    const bool has_ext = output.size() > ext.size() && output.ends_with(ext);
    ck_path = (has_ext ? output.substr(0, output.size() - ext.size()) : output) + ".ckpt" + ext;
  }
  // A command-line mistake that every rank finds alike (an output that is
  // an input): the job exits 2, as one process does, though the ranks
  // report it together as a CollectiveError.
  bool usage_error = false;
  auto usage_check = [&](const std::function<void()>& check) {
    try {
      check();
    } catch (const UsageError&) {
      usage_error = true;
      throw;
    }
  };
  try {
    // Every file the run writes at its end (rank 0 writes them) is checked
    // now, before the data is read and the first step taken (the log is
    // opened before the first step).
    run_together(*comm, [&] {
      if (comm->rank() != 0) return;
      check_writable(output);
      if (every > 0) check_writable(ck_path);
      if (auto report = o.key("report")) check_writable(*report);
    });
    // The weights of --init or --resume, read by rank 0 for every rank
    // (the same file everywhere: a failure to use it is every rank's); their
    // labels and vocabulary read the data (SetupOptions::start).
    const std::optional<std::string> start = o.key("resume") ? o.key("resume") : o.key("init");
    SafetensorsFile start_file;
    SavedModel start_model;
    if (start) {
      start_file = load_on_rank0(*comm, *start);
      run_together(*comm, [&] { start_model = decode_metadata(start_file.metadata, *start); });
    }
    SetupOptions so;
    if (start) {
      so.start = &start_model;
      so.start_path = *start;
    }
    so.dims = o.dims;
    for (const auto& [k, v] : o.keys)
      if (overridable_key(k)) so.overrides[k] = v;
    Setup setup;
    int shares = 1;
    run_together(*comm, [&] {
      setup = setup_file(path, so);
      // No output may be an input or another output (cli/files.hpp); the
      // weights a run starts from may be replaced by -o or the checkpoint
      // (that is how a run is continued), not by the log or the report.
      std::vector<FileRole> reads{{path, "the model's source"}};
      for (FileRole& f : data_files(setup.config.data)) reads.push_back(std::move(f));
      const std::vector<FileRole> writes{{output, "-o"},
                                         {every > 0 ? ck_path : "", "the checkpoint"},
                                         {o.key("log").value_or(""), "--log"},
                                         {o.key("report").value_or(""), "--report"}};
      std::vector<FileRole> weights_in;
      for (const char* key : {"init", "resume"})
        if (auto w = o.key(key)) weights_in.push_back({*w, "the weights of --" + std::string(key)});
      usage_check([&] {
        check_distinct(reads, writes);
        check_distinct(weights_in, {writes[2], writes[3]});
      });
      // Asked for threads: split when each share holds the work to pay for
      // it. Not asked, in one process, the same unless profiling (the
      // profile is one thread's share) or the other threads' copies of the
      // data would pass kMaxDataCopies: on the char-LSTM, 200 steps took
      // 5.4 s on the two BLAS threads of the old default, 3.3 s on one
      // thread and 2.5 s split (docs/notes.md). Not asked under MPI, no
      // split: each process counts its own cores, and all must agree.
      if (cores_given || (comm->size() == 1 && !o.flag("profile"))) {
        shares = batch_shares(setup, cores, comm->size());
        if (!cores_given && shares > 1 && data_bytes(setup) * (shares - 1) > kMaxDataCopies)
          shares = 1;
      }
    });
    // Either the threads split every batch (each share on one thread, with
    // one-thread BLAS), or one share threads its products and fused loops
    // (docs/notes.md, "Two threads").
    const int inner = shares > 1 ? 1 : cores;
    if (threads > 0 || shares > 1 || (comm->size() > 1 && !std::getenv("OPENBLAS_NUM_THREADS")))
      blas::set_threads(inner);
    runtime::set_parallel_threads(inner);
    std::string spread;
    if (comm->size() > 1) spread += ", on " + std::to_string(comm->size()) + " processes";
    if (shares > 1)
      spread += (comm->size() > 1 ? " of " : ", on ") + std::to_string(shares) +
                " threads, each on its share of the batch";
    ThreadTeam team(shares, *comm);
    std::unique_ptr<TeamTrainers> trainers;
    run_together(*comm, [&] {
      // An error about an entry of the train block ("scale = standard is not
      // …") is located there, as `eqc check` locates it, unless the command
      // line gave that value.
      try {
        trainers = std::make_unique<TeamTrainers>(setup, team);
      } catch (const Error& e) {
        const std::string key = entry_named_in(setup.model->train(), e.what());
        if (key.empty() || so.overrides.count(key)) throw;
        throw Error(at_train_block(setup.model->train(), key, e.what()));
      }
    });
    if (comm->rank() == 0) std::fputs(setup.model->warnings().c_str(), stderr);
    // Ctrl-C or SIGTERM: the step in progress ends, then the run (cli/interrupt.hpp);
    // rank 0 alone says so.
    InterruptGuard interrupts(comm->size() == 1);
    if (shares == 1)
      return drive((*trainers)[0], setup, o, path, output, ck_path, every, spread, comm->size() > 1,
                   start_file);
    // A thread's error outside a collective step ends the process, as a
    // rank's ends the job (below): the other threads would wait for it.
    int code = kOk;
    const auto thrown = team.run([&](Communicator& member) {
      Trainer& trainer = trainers->of(member);
      try {
        const int c = drive(trainer, setup, o, path, output, ck_path, every, spread,
                            comm->size() > 1, start_file);
        if (&trainer == &(*trainers)[0]) code = c;
      } catch (const CollectiveError&) {
        throw;
      } catch (const std::exception& e) {
        const bool user = dynamic_cast<const Error*>(&e);
        const std::string who =
            comm->size() > 1 ? "rank " + std::to_string(member.rank()) + ": " : std::string();
        member.abort(who + (user ? "" : "internal error: ") + e.what());
      }
    });
    for (const std::exception_ptr& e : thrown)
      if (e) std::rethrow_exception(e);  // every thread's CollectiveError: the first
    return code;
  } catch (const CollectiveError& e) {
    // Every rank has it; rank 0 reports it before any rank ends, since the
    // launcher stops the job when the first rank exits with an error.
    const int code = usage_error ? kUsage : kUserError;
    if (comm->rank() == 0) {
      if (tty) std::fputs("\r\033[K", stderr);
      fail(e);
    }
    comm->barrier();
    return code;
  } catch (const std::exception& e) {
    // This rank's alone: the others may be waiting for it in a collective.
    if (comm->size() > 1) {
      const bool user = dynamic_cast<const Error*>(&e);
      comm->abort("rank " + std::to_string(comm->rank()) + ": " + (user ? "" : "internal error: ") +
                  e.what());
    }
    if (tty) std::fputs("\r\033[K", stderr);  // the progress line
    throw;
  }
}

}  // namespace

int run_train(int argc, char** argv) {
  return run_command(train_command(), argc, argv, [&](const Options& o) {
    return out_of_memory_while("training " + o.files[0], [&] { return train(o, argc, argv); });
  });
}

}  // namespace eq::cli
