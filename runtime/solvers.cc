#include "eq/runtime/solvers.hpp"

#include <array>
#include <charconv>
#include <cmath>

#include "eq/runtime/error.hpp"
#include "eq/runtime/format.hpp"

namespace eq {

namespace {

using Kind = SolverConfig::Kind;

constexpr std::string_view kSgdSlots[] = {"momentum"};
constexpr std::string_view kAdamSlots[] = {"m", "v"};
constexpr std::string_view kRmspropSlots[] = {"square_avg"};
constexpr std::string_view kAdagradSlots[] = {"sum"};

std::span<const std::string_view> slots_of(const SolverConfig& c) {
  switch (c.kind) {
    case Kind::sgd:
      if (c.momentum == 0) return {};
      return kSgdSlots;
    case Kind::adam:
      return kAdamSlots;
    case Kind::rmsprop:
      return kRmspropSlots;
    case Kind::adagrad:
      return kAdagradSlots;
  }
  return {};
}

}  // namespace

std::string_view solver_name(Kind kind) {
  switch (kind) {
    case Kind::sgd:
      return "sgd";
    case Kind::adam:
      return "adam";
    case Kind::rmsprop:
      return "rmsprop";
    case Kind::adagrad:
      return "adagrad";
  }
  return "?";
}

SolverConfig SolverConfig::sgd(double lr, double momentum, bool nesterov) {
  SolverConfig c;
  c.kind = Kind::sgd;
  c.lr = lr;
  c.momentum = momentum;
  c.nesterov = nesterov;
  return c;
}

SolverConfig SolverConfig::adam(double lr, double beta1, double beta2, double eps) {
  SolverConfig c;
  c.kind = Kind::adam;
  c.lr = lr;
  c.beta1 = beta1;
  c.beta2 = beta2;
  c.eps = eps;
  return c;
}

SolverConfig SolverConfig::rmsprop(double lr, double rho, double eps) {
  SolverConfig c;
  c.kind = Kind::rmsprop;
  c.lr = lr;
  c.rho = rho;
  c.eps = eps;
  return c;
}

SolverConfig SolverConfig::adagrad(double lr, double eps) {
  SolverConfig c;
  c.kind = Kind::adagrad;
  c.lr = lr;
  c.eps = eps;
  return c;
}

void SolverConfig::validate() const {
  const std::string who(solver_name(kind));
  // Written so that NaN fails every check.
  auto at_least_zero = [&](double x, const char* name) {
    if (!(x >= 0 && std::isfinite(x)))
      throw Error(who + ": " + name + " must be a finite number ≥ 0; got " + format_number(x));
  };
  auto below_one = [&](double x, const char* name) {
    if (!(x >= 0 && x < 1))
      throw Error(who + ": " + name + " must be in [0, 1); got " + format_number(x));
  };
  // ε > 0 (not merely ≥ 0) because a parameter whose gradient is exactly
  // zero from the start (an unused embedding row) would otherwise get 0/0.
  auto positive_eps = [&] {
    if (!(eps > 0 && std::isfinite(eps)))
      throw Error(who + ": ε must be a finite number > 0; got " + format_number(eps));
  };
  at_least_zero(lr, "lr");
  switch (kind) {
    case Kind::sgd:
      below_one(momentum, "momentum");
      if (nesterov && momentum == 0) throw Error("sgd: nesterov needs a momentum > 0");
      break;
    case Kind::adam:
      below_one(beta1, "β₁");
      below_one(beta2, "β₂");
      positive_eps();
      break;
    case Kind::rmsprop:
      below_one(rho, "ρ");
      positive_eps();
      break;
    case Kind::adagrad:
      positive_eps();
      break;
  }
  if (!(clip >= 0 && std::isfinite(clip)))
    throw Error("clip must be a finite number ≥ 0; got " + format_number(clip));
  if (!(decay >= 0 && std::isfinite(decay)))
    throw Error("decay must be a finite number ≥ 0; got " + format_number(decay));
}

std::string SolverConfig::describe() const {
  std::string s(solver_name(kind));
  s += "(lr = " + format_number(lr);
  switch (kind) {
    case Kind::sgd:
      s += ", momentum = " + format_number(momentum) +
           ", nesterov = " + (nesterov ? "true" : "false");
      break;
    case Kind::adam:
      s += ", β₁ = " + format_number(beta1) + ", β₂ = " + format_number(beta2) +
           ", ε = " + format_number(eps);
      break;
    case Kind::rmsprop:
      s += ", ρ = " + format_number(rho) + ", ε = " + format_number(eps);
      break;
    case Kind::adagrad:
      s += ", ε = " + format_number(eps);
      break;
  }
  s += ")";
  if (clip != 0) s += ", clip = " + format_number(clip);
  if (decay != 0) s += ", decay = " + format_number(decay);
  return s;
}

double global_norm(std::span<const ConstView> grads) {
  double sum = 0;
  for (const ConstView& g : grads) {
    const std::int64_t n = g.numel();
    switch (g.dtype) {
      case DType::f32: {
        const float* x = g.as<float>();
        for (std::int64_t i = 0; i < n; ++i) sum += static_cast<double>(x[i]) * x[i];
        break;
      }
      case DType::f64: {
        const double* x = g.as<double>();
        for (std::int64_t i = 0; i < n; ++i) sum += x[i] * x[i];
        break;
      }
      case DType::i32:
        EQ_ASSERT(false, "global_norm of an i32 tensor");
    }
  }
  return std::sqrt(sum);
}

Solver::Solver(SolverConfig config, std::vector<SolverParam> params)
    : config_(config), params_(std::move(params)) {
  config_.validate();
  const std::size_t slots = slots_of(config_).size();
  state_.reserve(params_.size() * slots);
  for (const SolverParam& p : params_) {
    if (p.value.dtype != DType::f32 && p.value.dtype != DType::f64)
      throw Error("parameter " + p.name + " is " + std::string(dtype_name(p.value.dtype)) +
                  "; a solver updates f32 or f64 parameters");
    // Zero-filled, as every solver's state starts.
    for (std::size_t k = 0; k < slots; ++k) state_.emplace_back(p.value.dtype, p.value.shape);
  }
}

void Solver::set_lr(double lr) {
  if (!(lr >= 0 && std::isfinite(lr)))
    throw Error("lr must be a finite number ≥ 0; got " + format_number(lr));
  config_.lr = lr;
}

void Solver::set_step_count(std::int64_t count) {
  if (count < 0)
    throw Error("a solver's step count cannot be negative; got " + std::to_string(count));
  step_count_ = count;
}

std::span<const std::string_view> Solver::slot_names() const { return slots_of(config_); }

std::vector<std::pair<std::string, Tensor*>> Solver::state() {
  std::vector<std::pair<std::string, Tensor*>> out;
  const auto slots = slots_of(config_);
  for (std::size_t i = 0; i < params_.size(); ++i)
    for (std::size_t k = 0; k < slots.size(); ++k)
      out.emplace_back(params_[i].name + "." + std::string(slots[k]),
                       &state_[i * slots.size() + k]);
  return out;
}

namespace {

// The scalars of one step, shared by every parameter.
struct Coefs {
  double scale;  // clipping factor (1 when not clipping)
  double decay;
  double lr;
  double momentum;
  bool nesterov;
  double beta1, beta2, rho, eps;
  double step_size;  // adam: lr / (1 − β₁ᵗ)
  double sqrt_bc2;   // adam: √(1 − β₂ᵗ)
};

// Updates one parameter. s1, s2: its state slots (null when unused).
// Inlined into the clones below, which compile it for their target.
template <class T>
[[gnu::always_inline]] inline void update(Kind kind, const Coefs& k, std::int64_t n, T* p,
                                          const T* g, T* s1, T* s2) {
  const T scale = static_cast<T>(k.scale), decay = static_cast<T>(k.decay);
  const T lr = static_cast<T>(k.lr), eps = static_cast<T>(k.eps);
  // The gradient after clipping and weight decay (steps 1 and 2).
  auto grad = [&](std::int64_t i) { return scale * g[i] + decay * p[i]; };
  switch (kind) {
    case Kind::sgd: {
      if (!s1) {
        for (std::int64_t i = 0; i < n; ++i) p[i] -= lr * grad(i);
        return;
      }
      const T mu = static_cast<T>(k.momentum);
      if (k.nesterov) {
        for (std::int64_t i = 0; i < n; ++i) {
          const T gi = grad(i);
          s1[i] = mu * s1[i] + gi;
          p[i] -= lr * (gi + mu * s1[i]);
        }
      } else {
        for (std::int64_t i = 0; i < n; ++i) {
          s1[i] = mu * s1[i] + grad(i);
          p[i] -= lr * s1[i];
        }
      }
      return;
    }
    case Kind::adam: {
      const T b1 = static_cast<T>(k.beta1), b2 = static_cast<T>(k.beta2);
      const T one_b1 = static_cast<T>(1 - k.beta1), one_b2 = static_cast<T>(1 - k.beta2);
      const T step_size = static_cast<T>(k.step_size), sqrt_bc2 = static_cast<T>(k.sqrt_bc2);
      for (std::int64_t i = 0; i < n; ++i) {
        const T gi = grad(i);
        s1[i] = b1 * s1[i] + one_b1 * gi;
        s2[i] = b2 * s2[i] + one_b2 * gi * gi;
        p[i] -= step_size * s1[i] / (std::sqrt(s2[i]) / sqrt_bc2 + eps);
      }
      return;
    }
    case Kind::rmsprop: {
      const T rho = static_cast<T>(k.rho), one_rho = static_cast<T>(1 - k.rho);
      for (std::int64_t i = 0; i < n; ++i) {
        const T gi = grad(i);
        s1[i] = rho * s1[i] + one_rho * gi * gi;
        p[i] -= lr * gi / (std::sqrt(s1[i]) + eps);
      }
      return;
    }
    case Kind::adagrad: {
      for (std::int64_t i = 0; i < n; ++i) {
        const T gi = grad(i);
        s1[i] += gi * gi;
        p[i] -= lr * gi / (std::sqrt(s1[i]) + eps);
      }
      return;
    }
  }
}

// On x86-64 (GCC) each update is also compiled for AVX2 and picked at load
// time, as vmath's loops are (runtime/vmath.cc): twice the lanes for the
// square roots and divisions of Adam, RMSprop and Adagrad, and the same
// bits, since AVX2 alone brings no FMA and √ and ÷ are exact either way.
// Adam over the digits MLP's 9,610 weights: 20 % of a split step's
// samples with SSE2's 4 lanes (docs/notes.md).
#if defined(__x86_64__) && defined(__GNUC__) && !defined(__clang__)
#define EQ_SOLVER_CLONES __attribute__((target_clones("avx2", "default")))
#else
#define EQ_SOLVER_CLONES
#endif

EQ_SOLVER_CLONES void update_f32(Kind kind, const Coefs& k, std::int64_t n, float* p,
                                 const float* g, float* s1, float* s2) {
  update<float>(kind, k, n, p, g, s1, s2);
}

EQ_SOLVER_CLONES void update_f64(Kind kind, const Coefs& k, std::int64_t n, double* p,
                                 const double* g, double* s1, double* s2) {
  update<double>(kind, k, n, p, g, s1, s2);
}

}  // namespace

void Solver::step(std::span<const ConstView> grads) {
  if (grads.size() != params_.size())
    throw Error("solver step: " + std::to_string(params_.size()) + " parameters but " +
                std::to_string(grads.size()) + " gradients");
  for (std::size_t i = 0; i < grads.size(); ++i) {
    // Both checks build their message only on failure, so a good step allocates nothing.
    check_dtype(grads[i].dtype, params_[i].value.dtype, params_[i].name);
    check_same_shape(grads[i].shape, params_[i].value.shape, params_[i].name);
  }
  ++step_count_;

  Coefs k{};
  k.scale = 1;
  if (config_.clip > 0) {
    const double norm = global_norm(grads);
    if (std::isfinite(norm) && norm > config_.clip) k.scale = config_.clip / norm;
  }
  k.decay = config_.decay;
  k.lr = config_.lr;
  k.momentum = config_.momentum;
  k.nesterov = config_.nesterov;
  k.beta1 = config_.beta1;
  k.beta2 = config_.beta2;
  k.rho = config_.rho;
  k.eps = config_.eps;
  if (config_.kind == Kind::adam) {
    const double t = static_cast<double>(step_count_);
    k.step_size = config_.lr / (1 - std::pow(config_.beta1, t));
    k.sqrt_bc2 = std::sqrt(1 - std::pow(config_.beta2, t));
  }

  const std::size_t slots = slots_of(config_).size();
  for (std::size_t i = 0; i < params_.size(); ++i) {
    const View& p = params_[i].value;
    Tensor* s1 = slots >= 1 ? &state_[i * slots] : nullptr;
    Tensor* s2 = slots >= 2 ? &state_[i * slots + 1] : nullptr;
    if (p.dtype == DType::f32)
      update_f32(config_.kind, k, p.numel(), p.as<float>(), grads[i].as<float>(),
                 s1 ? static_cast<float*>(s1->raw()) : nullptr,
                 s2 ? static_cast<float*>(s2->raw()) : nullptr);
    else
      update_f64(config_.kind, k, p.numel(), p.as<double>(), grads[i].as<double>(),
                 s1 ? static_cast<double*>(s1->raw()) : nullptr,
                 s2 ? static_cast<double*>(s2->raw()) : nullptr);
  }
}

}  // namespace eq
