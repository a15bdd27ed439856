#include "train/gradient_sum.hpp"

#include <cmath>

namespace eq {

template <class T>
void GradientSum::sum_as(std::span<ConstView> grads, std::vector<T>& buffer, double weight) {
  std::size_t total = 0;
  for (const ConstView& g : grads) total += static_cast<std::size_t>(g.numel());
  buffer.resize(total);  // allocates on the first step only
  // The weight in the gradients' own type, as the solver's arithmetic is.
  const T w = static_cast<T>(weight);
  T* out = buffer.data();
  for (ConstView& g : grads) {
    EQ_ASSERT(g.dtype == (sizeof(T) == 4 ? DType::f32 : DType::f64), "gradients of mixed dtypes");
    const T* in = g.as<T>();
    const std::int64_t n = g.numel();
    for (std::int64_t k = 0; k < n; ++k) out[k] = in[k] * w;
    g = ConstView(g.dtype, g.shape, out);
    out += n;
  }
  comm_.allreduce_sum(std::span<T>(buffer));
}

void GradientSum::sum(std::span<ConstView> grads, StepResult& result,
                      const std::optional<std::string>& error) {
  // Counts stay exact in a double up to 2^53.
  double totals[4] = {error ? 0 : result.loss * static_cast<double>(result.examples),
                      error ? 0 : static_cast<double>(result.examples),
                      error ? 0 : static_cast<double>(result.correct), error ? 1.0 : 0.0};
  comm_.allreduce_sum(std::span<double>(totals));
  if (totals[3] > 0) fail_together(comm_, error);
  const double weight = totals[1] > 0 ? static_cast<double>(result.examples) / totals[1] : 0;
  result.loss = totals[1] > 0 ? totals[0] / totals[1] : 0;
  result.examples = std::llround(totals[1]);
  result.correct = std::llround(totals[2]);
  if (grads.empty()) return;
  if (grads[0].dtype == DType::f32) sum_as(grads, f32_, weight);
  else sum_as(grads, f64_, weight);
}

}  // namespace eq
