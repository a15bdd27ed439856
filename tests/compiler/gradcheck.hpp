// Gradient checking against central differences, for tests: compiles the
// loss and its gradients, then perturbs every element of every parameter.
#pragma once

#include <catch2/catch.hpp>
#include <cmath>
#include <map>
#include <random>
#include <string>
#include <vector>

#include "eq/compiler/autodiff/grad.hpp"
#include "eq/compiler/ir/builders.hpp"
#include "eq/compiler/machine.hpp"
#include "eq/compiler/tape/compile.hpp"

namespace eq::testing {

inline Tensor random_tensor(Shape shape, std::mt19937& rng, double lo, double hi,
                            DType dtype = DType::f64) {
  std::uniform_real_distribution<double> u(lo, hi);
  Tensor t(dtype, shape);
  for (std::int64_t i = 0; i < t.numel(); ++i) t.set(i, u(rng));
  return t;
}

struct Leaves {
  std::vector<ir::Node> nodes;
  std::vector<Tensor> values;
  void add(ir::Node n, Tensor t) {
    nodes.push_back(n);
    values.push_back(std::move(t));
  }
};

inline void set_leaves(Machine& vm, const Leaves& leaves) {
  for (std::size_t i = 0; i < leaves.nodes.size(); ++i) {
    if (leaves.nodes[i].op() == ir::Op::param)
      vm.set_param(leaves.nodes[i], leaves.values[i]);
    else
      vm.let(leaves.nodes[i], leaves.values[i]);
  }
}

inline double scalar_of(const Tensor& t) {
  double s = 0;
  for (std::int64_t i = 0; i < t.numel(); ++i) s += t.at(i);
  return s;
}

// Checks d(Σ loss)/d(leaf) for every leaf in `wrt` (params or inputs, f64)
// against central differences; returns the worst relative error. Compiled
// as a training program (dropout stays); the noise key stays the same
// across the runs, so noise and dropout masks are fixed numbers here.
inline double gradient_error(ir::Node loss, Leaves leaves, const std::vector<ir::Node>& wrt,
                             double h = 1e-6) {
  std::vector<ir::Node> grads = grad(loss, wrt);
  std::vector<ir::Node> outputs{loss};
  outputs.insert(outputs.end(), grads.begin(), grads.end());
  CompileOptions training;
  training.training = true;
  Machine vm(compile(loss.graph(), outputs, training));
  vm.runtime().set_noise(7, 3);
  set_leaves(vm, leaves);
  vm.run();
  std::vector<Tensor> analytic;
  for (const ir::Node& g : grads) analytic.push_back(vm.value(g));
  double worst = 0;
  for (std::size_t k = 0; k < wrt.size(); ++k) {
    std::size_t leaf = 0;
    while (!(leaves.nodes[leaf] == wrt[k])) ++leaf;
    Tensor& x = leaves.values[leaf];
    REQUIRE(analytic[k].numel() == x.numel());
    for (std::int64_t i = 0; i < x.numel(); ++i) {
      double keep = x.at(i);
      x.set(i, keep + h);
      set_leaves(vm, leaves);
      vm.run();
      double up = scalar_of(vm.value(loss));
      x.set(i, keep - h);
      set_leaves(vm, leaves);
      vm.run();
      double down = scalar_of(vm.value(loss));
      x.set(i, keep);
      double numeric = (up - down) / (2 * h);
      double got = analytic[k].at(i);
      double err = std::abs(got - numeric) / std::max(1.0, std::abs(numeric));
      if (err > worst) worst = err;
      INFO("leaf " << wrt[k].name() << " element " << i << ": autodiff " << got << " vs numeric "
                   << numeric);
      CHECK(err < 1e-6);
    }
  }
  return worst;
}

}  // namespace eq::testing
