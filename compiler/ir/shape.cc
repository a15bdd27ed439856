#include "eq/compiler/ir/shape.hpp"

#include <vector>

#include "eq/runtime/error.hpp"

namespace eq::ir {

IShape IShape::batched(Shape per_example) {
  IShape s(per_example);
  s.batched_ = true;
  if (s.rank() > kMaxRank)
    throw Error("a batched value has at most " + std::to_string(kMaxRank - 1) +
                " axes per example; got " + per_example.str());
  return s;
}

std::int64_t IShape::operator[](int axis) const {
  EQ_ASSERT(axis >= 0 && axis < rank(), "IShape axis out of range");
  if (batched_) return axis == 0 ? kBatch : dims_[axis - 1];
  return dims_[axis];
}

namespace {
IShape make(bool batched, const std::vector<std::int64_t>& dims) {
  Shape s{std::span<const std::int64_t>(dims)};
  return batched ? IShape::batched(s) : IShape(s);
}
std::vector<std::int64_t> dims_of(const Shape& s) { return {s.begin(), s.end()}; }
}  // namespace

IShape IShape::prefix(int axes) const {
  EQ_ASSERT(axes >= 0 && axes <= rank(), "prefix past the rank");
  if (!batched_) return IShape(dims_.prefix(axes));
  if (axes == 0) return IShape();
  return batched(dims_.prefix(axes - 1));
}

IShape IShape::with_last(std::int64_t size) const {
  auto d = dims_of(dims_);
  d.push_back(size);
  return make(batched_, d);
}

IShape IShape::with_ones(int count) const {
  auto d = dims_of(dims_);
  for (int i = 0; i < count; ++i) d.push_back(1);
  return make(batched_, d);
}

IShape IShape::swapped_last_two() const {
  auto d = dims_of(dims_);
  if (d.size() >= 2) std::swap(d[d.size() - 1], d[d.size() - 2]);
  EQ_ASSERT(!(batched_ && d.size() < 2 && rank() >= 2), "cannot swap the batch axis");
  return make(batched_, d);
}

std::string IShape::str() const {
  std::string s = "[";
  for (int i = 0; i < rank(); ++i) {
    if (i) s += ", ";
    std::int64_t d = (*this)[i];
    s += d == kBatch ? std::string("B") : std::to_string(d);
  }
  return s + "]";
}

bool broadcast(const IShape& a, const IShape& b, IShape& out) {
  int rank = std::max(a.rank(), b.rank());
  std::vector<std::int64_t> dims(static_cast<std::size_t>(rank));
  bool batched = false;
  for (int i = 0; i < rank; ++i) {
    int ia = a.rank() - rank + i, ib = b.rank() - rank + i;
    std::int64_t da = ia >= 0 ? a[ia] : 1, db = ib >= 0 ? b[ib] : 1;
    std::int64_t d;
    if (da == db)
      d = da;
    else if (da == 1)
      d = db;
    else if (db == 1)
      d = da;
    else
      return false;
    if (d == IShape::kBatch) {
      if (i != 0) return false;  // the batch axis must stay in front
      batched = true;
    }
    dims[static_cast<std::size_t>(i)] = d;
  }
  if (batched) dims.erase(dims.begin());
  out = make(batched, dims);
  return true;
}

}  // namespace eq::ir
