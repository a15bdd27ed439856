// eqc's subcommands: each is one row of the table in main.cc.
#pragma once

namespace eq::cli {

// Exit codes: 0 success, 1 a user error with a diagnostic,
// 2 bad usage, 130 a training run stopped by a signal (its weights saved).
inline constexpr int kOk = 0;
inline constexpr int kUserError = 1;
inline constexpr int kUsage = 2;
// A run stopped by SIGINT or SIGTERM (128 + SIGINT, as shells report Ctrl-C).
inline constexpr int kInterrupted = 130;

// `eqc check FILE…`: parse and lower each file (`-` is standard input) and
// print every diagnostic to standard error.
int run_check(int argc, char** argv);

// `eqc ir | tape | graph FILE.eq`: the model's IR, tape listing, Graphviz dot.
int run_ir(int argc, char** argv);
int run_tape(int argc, char** argv);
int run_graph(int argc, char** argv);

// `eqc sample FILE.eq -w W.safetensors`: text from a trained time model.
int run_sample(int argc, char** argv);

// `eqc train FILE.eq`: train with the model's train block (cli/train.cc).
int run_train(int argc, char** argv);
// `eqc eval | predict FILE.eq -w W`, `eqc run W --data F` (cli/evaluate.cc).
int run_eval(int argc, char** argv);
int run_predict(int argc, char** argv);
int run_run(int argc, char** argv);

// `eqc export FILE.eq -w W | W.safetensors -o model.onnx`: the prediction
// program as ONNX (cli/export.cc, compiler/export/onnx_export.hpp).
int run_export(int argc, char** argv);

// `eqc report LOG.csv`: the curves of a --log file as HTML (cli/report.cc).
int run_report(int argc, char** argv);

// `eqc --version`: eq's version, the BLAS, its core and threads, the vmath
// clone in use (cli/version.cc).
int run_version(int argc, char** argv);

}  // namespace eq::cli
