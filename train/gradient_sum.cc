#include "eq/train/gradient_sum.hpp"

#include <algorithm>
#include <cmath>

namespace eq {

template <class T>
void GradientSum::sum_as(std::span<ConstView> grads, std::vector<T>& buffer) {
  if (offsets_.empty()) {  // the first step: the small gradients first, then the large
    std::size_t at = 0;
    offsets_.assign(grads.size(), 0);
    for (int large = 0; large < 2; ++large) {
      for (std::size_t i = 0; i < grads.size(); ++i) {
        const auto n = static_cast<std::size_t>(grads[i].numel());
        if ((n * sizeof(T) >= kOwnSumBytes) != (large == 1)) continue;
        offsets_[i] = at;
        at += n;
      }
      if (large == 0) small_ = at;
    }
    buffer.resize(at);
  }
  for (std::size_t i = 0; i < grads.size(); ++i) {
    ConstView& g = grads[i];
    EQ_ASSERT(g.dtype == (sizeof(T) == 4 ? DType::f32 : DType::f64), "gradients of mixed dtypes");
    const auto n = static_cast<std::size_t>(g.numel());
    T* place = buffer.data() + offsets_[i];
    if (offsets_[i] < small_)
      std::copy(g.as<T>(), g.as<T>() + n, place);
    else
      comm_.allreduce_sum(std::span<const T>(g.as<T>(), n), std::span<T>(place, n));
    g = ConstView(g.dtype, g.shape, place);
  }
  if (small_ > 0) comm_.allreduce_sum(std::span<T>(buffer.data(), small_));
}

void GradientSum::sum(std::span<ConstView> grads, StepResult& result,
                      const std::optional<std::string>& error) {
  // Counts stay exact in a double up to 2^53.
  double totals[4] = {error ? 0 : result.loss, error ? 0 : static_cast<double>(result.examples),
                      error ? 0 : static_cast<double>(result.correct), error ? 1.0 : 0.0};
  comm_.allreduce_sum(std::span<double>(totals));
  if (totals[3] > 0) fail_together(comm_, error);
  result.loss = totals[0];
  result.examples = std::llround(totals[1]);
  result.correct = std::llround(totals[2]);
  if (grads.empty()) return;
  if (grads[0].dtype == DType::f32)
    sum_as(grads, f32_);
  else
    sum_as(grads, f64_);
}

}  // namespace eq
