// Helpers shared by the kernels*.cc files (not part of the public interface):
// dtype checks with the kernel's name in the message, and the dispatch from
// a runtime dtype to a float / double instantiation.
#pragma once

#include <string>
#include <string_view>

#include "eq/runtime/error.hpp"
#include "eq/runtime/tensor.hpp"

namespace eq::kernels::detail {

// Throws eq::Error unless `t` is f32 or f64.
inline void require_float(DType t, std::string_view what) {
  if (t != DType::f32 && t != DType::f64)
    throw Error(std::string(what) + ": expected f32 or f64 data, got " +
                std::string(dtype_name(t)));
}

// Throws unless a and b are the same float dtype; returns it.
inline DType common_float(DType a, DType b, std::string_view what) {
  require_float(a, what);
  if (a != b)
    throw Error(std::string(what) + ": operands must share a dtype; got " +
                std::string(dtype_name(a)) + " and " + std::string(dtype_name(b)));
  return a;
}

// Calls f(T{}) with T = float or double per `t` (already checked to be one of them).
template <class F>
inline void dispatch_float(DType t, F&& f) {
  if (t == DType::f32)
    f(float{});
  else
    f(double{});
}

// The numpy broadcast of a and b into `out`; false (out unspecified) when
// they do not fit. broadcast_shape is this plus the error message.
bool try_broadcast(const Shape& a, const Shape& b, Shape& out);

// A shape padded in front with 1s to rank kMaxRank, so loops have a fixed depth.
struct Padded {
  std::int64_t dim[kMaxRank];
};

inline Padded pad(const Shape& s) {
  Padded p;
  int lead = kMaxRank - s.rank();
  for (int i = 0; i < kMaxRank; ++i) p.dim[i] = i < lead ? 1 : s[i - lead];
  return p;
}

// Row-major element strides of `s` padded to kMaxRank, with 0 on every axis
// of size 1: reading at stride 0 repeats the element, which is broadcasting.
inline Padded broadcast_strides(const Shape& s) {
  Padded p = pad(s);
  Padded st;
  std::int64_t stride = 1;
  for (int i = kMaxRank - 1; i >= 0; --i) {
    st.dim[i] = p.dim[i] == 1 ? 0 : stride;
    stride *= p.dim[i];
  }
  return st;
}

}  // namespace eq::kernels::detail
