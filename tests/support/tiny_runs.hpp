// Two tiny models and their data in a temporary folder, shared by the tests
// of the training loop (tests/train/loop_test.cc) and of what hangs on its
// hooks (tests/report/recorder_test.cc).
#pragma once

#include <unistd.h>

#include <filesystem>
#include <fstream>
#include <map>
#include <string>

#include "eq/train/setup.hpp"

namespace eq::testing {

// Softmax regression over 24 examples of 2 features and 3 classes, in f64
// with plain SGD: batch 8 gives 3 steps an epoch.
inline const char* kTinyLogreg = R"(
input x : [2]
target y : onehot[K]
dim K
param W : [K, 2] ~ normal(0, 1)
param b : [K] ~ 0.1
ŷ = softmax(W·x + b)
loss = -Σ(y*log(ŷ))
output ŷ
train {
  data = csv("d.csv", x = 0:2, y = 2)
  optimizer = sgd(lr = 0.3)
  batch = 8
  epochs = 2
  dtype = f64
  seed = 3
}
)";

inline const char* kTinyRnn = R"(
dim V
dim H = 6
input  xₜ : onehot[V]
target yₜ : onehot[V]
param W : [H, V] ~ glorot
param U : [H, H] ~ orthogonal
param b : [H] ~ 0
param Wy : [V, H] ~ glorot
hₜ = tanh(W·xₜ + U·hₜ₋₁ + b)
ŷₜ = softmax(Wy·hₜ)
lossₜ = -Σ(yₜ*log(ŷₜ))
output ŷₜ
train {
  data = text("t.txt")
  optimizer = sgd(lr = 0.1)
  batch = 4
  window = 5
  steps = 7
  dtype = f64
}
)";

// Example i of d.csv: features tiny_feature(i, 0..1), class tiny_label(i).
inline double tiny_feature(int i, int j) { return j == 0 ? (i % 5) - 2 : ((i * 7) % 3) - 1; }
inline int tiny_label(int i) { return (i * 5 + i / 3) % 3; }

// d.csv (24 rows: a, b, label) and t.txt (a text over "abc") in a folder
// of its own, removed afterwards.
struct TinyFolder {
  std::filesystem::path dir;
  explicit TinyFolder(const std::string& prefix)
      : dir(std::filesystem::temp_directory_path() / (prefix + std::to_string(::getpid()))) {
    std::filesystem::create_directories(dir);
    std::ofstream csv(dir / "d.csv");
    csv << "a,b,label\n";
    for (int i = 0; i < 24; ++i)
      csv << tiny_feature(i, 0) << ',' << tiny_feature(i, 1) << ',' << tiny_label(i) << '\n';
    std::ofstream text(dir / "t.txt");
    for (int i = 0; i < 60; ++i) text << "abcab"[i % 5] << (i % 7 == 0 ? "c" : "");
  }
  ~TinyFolder() { std::filesystem::remove_all(dir); }
  Setup setup(const char* source, std::map<std::string, std::string> overrides = {}) const {
    SetupOptions o;
    o.overrides = std::move(overrides);
    return setup_source("m.eq", source, dir.string(), o);
  }
};

}  // namespace eq::testing
