#include "eq/report/history.hpp"

namespace eq::report {

void StepSeries::add(double step, double seconds, double loss) {
  pending_.step += step, pending_.seconds += seconds, pending_.loss += loss;
  if (++pending_n_ < bucket_) return;
  const double n = static_cast<double>(pending_n_);
  points_.push_back({pending_.step / n, pending_.seconds / n, pending_.loss / n});
  pending_ = {}, pending_n_ = 0;
  if (points_.size() < kMaxPoints) return;
  // Full: halve the resolution of everything kept. kMaxPoints is even, so
  // every pair is whole and each merged point is the mean of 2·bucket_ steps.
  for (std::size_t i = 0; i < points_.size() / 2; ++i) {
    const StepPoint &a = points_[2 * i], &b = points_[2 * i + 1];
    points_[i] = {(a.step + b.step) / 2, (a.seconds + b.seconds) / 2, (a.loss + b.loss) / 2};
  }
  points_.resize(points_.size() / 2);
  bucket_ *= 2;
}

std::vector<StepPoint> StepSeries::points() const {
  std::vector<StepPoint> out = points_;
  if (pending_n_ > 0) {
    const double n = static_cast<double>(pending_n_);
    out.push_back({pending_.step / n, pending_.seconds / n, pending_.loss / n});
  }
  return out;
}

}  // namespace eq::report
