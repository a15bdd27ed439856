// Concatenation along the last axis, slices along any axis and the
// adjoint of a slice: kernels that only move elements.
//
// Each works in contiguous runs: a slice of axis `a` of x viewed as
// [outer, n, inner] is `outer` runs of (stop - start)·inner elements, and
// concat writes each output row as one run per part. Runs are copied with
// std::copy_n (a memmove for these types), never element by element
// through a call.
#include <algorithm>
#include <string>

#include "eq/runtime/kernels.hpp"
#include "eq/runtime/kernels_detail.hpp"

namespace eq::kernels {

namespace {

// x viewed as [outer, n, inner] around `axis`.
struct Around {
  std::int64_t outer, n, inner;
};
Around around(const Shape& s, int axis) {
  return {s.prefix(axis).numel(), s[axis], s.drop_front(axis + 1).numel()};
}

// s with axis `axis` set to `size`; and s without the axis.
Shape with_axis(const Shape& s, int axis, std::int64_t size) {
  Shape r = s;
  r[axis] = size;
  return r;
}
Shape without_axis(const Shape& s, int axis) {
  std::int64_t dims[kMaxRank];
  int rank = 0;
  for (int i = 0; i < s.rank(); ++i)
    if (i != axis) dims[rank++] = s[i];
  return Shape(std::span<const std::int64_t>(dims, static_cast<std::size_t>(rank)));
}

// Checks slice / unslice operands: `whole` is the full-size side, `part`
// the window of `len` along `axis` (or without the axis when len == 1).
DType check_window(std::string_view what, const Shape& whole, DType whole_t, int axis,
                   std::int64_t start, std::int64_t len, const Shape& part, DType part_t,
                   std::string_view part_name) {
  const std::string w(what);
  DType t = detail::common_float(whole_t, part_t, what);
  if (axis < 0 || axis >= whole.rank())
    throw Error(w + ": axis " + std::to_string(axis) + " is out of range for " + whole.str());
  if (start < 0 || len < 0 || start + len > whole[axis])
    throw Error(w + ": [" + std::to_string(start) + ":" + std::to_string(start + len) +
                "] is out of range for axis " + std::to_string(axis) + " of " + whole.str());
  const Shape expect = with_axis(whole, axis, len);
  if (!(part == expect) && !(len == 1 && part == without_axis(whole, axis)))
    throw Error(w + ": [" + std::to_string(start) + ":" + std::to_string(start + len) +
                "] along axis " + std::to_string(axis) + " of " + whole.str() + " is " +
                expect.str() + ", but the " + std::string(part_name) + " is " + part.str());
  return t;
}

template <class T>
void copy_run(const T* from, std::int64_t n, T* to) {
  std::copy_n(from, n, to);
}

}  // namespace

void slice(ConstView x, int axis, std::int64_t start, std::int64_t stop, View out) {
  const DType t = check_window("slice", x.shape, x.dtype, axis, start, stop - start, out.shape,
                               out.dtype, "output");
  const Around s = around(x.shape, axis);
  const std::int64_t run = (stop - start) * s.inner;
  detail::dispatch_float(t, [&](auto tag) {
    using T = decltype(tag);
    const T* xs = x.as<T>() + start * s.inner;
    T* os = out.as<T>();
    for (std::int64_t o = 0; o < s.outer; ++o) copy_run(xs + o * s.n * s.inner, run, os + o * run);
  });
}

void unslice(ConstView g, int axis, std::int64_t start, View out) {
  if (axis < 0 || axis >= out.shape.rank())
    throw Error("unslice: axis " + std::to_string(axis) + " is out of range for " +
                out.shape.str());
  // g has the axis (its size is the window's) or, for a window of one, lacks it.
  const std::int64_t len = g.shape.rank() == out.shape.rank() ? g.shape[axis] : 1;
  const DType t =
      check_window("unslice", out.shape, out.dtype, axis, start, len, g.shape, g.dtype, "gradient");
  const Around s = around(out.shape, axis);
  const std::int64_t run = len * s.inner, before = start * s.inner,
                     after = (s.n - start - len) * s.inner;
  detail::dispatch_float(t, [&](auto tag) {
    using T = decltype(tag);
    const T* gs = g.as<T>();
    T* os = out.as<T>();
    for (std::int64_t o = 0; o < s.outer; ++o) {
      T* row = os + o * s.n * s.inner;
      std::fill_n(row, before, T(0));
      copy_run(gs + o * run, run, row + before);
      std::fill_n(row + before + run, after, T(0));
    }
  });
}

void concat(std::span<const ConstView> parts, View out) {
  if (parts.empty()) throw Error("concat: no parts");
  if (out.shape.rank() == 0) throw Error("concat: the output must have an axis; got []");
  const DType t = out.dtype;
  detail::require_float(t, "concat");
  const int rank = out.shape.rank();
  const Shape lead = out.shape.prefix(rank - 1);
  std::int64_t total = 0;
  for (const ConstView& p : parts) {
    detail::common_float(p.dtype, t, "concat");
    Shape joint;
    const Shape p_lead = p.shape.rank() == 0 ? Shape{} : p.shape.prefix(p.shape.rank() - 1);
    if (p.shape.rank() > rank || !detail::try_broadcast(p_lead, lead, joint) || !(joint == lead))
      throw Error("concat: a part of shape " + p.shape.str() + " does not join into " +
                  out.shape.str());
    total += p.shape.last();
  }
  if (total != out.shape.last()) {
    std::string shapes;
    for (const ConstView& p : parts) shapes += (shapes.empty() ? "" : ", ") + p.shape.str();
    throw Error("concat: parts " + shapes + " join into a last axis of " + std::to_string(total) +
                ", but the output is " + out.shape.str());
  }
  // The output's leading axes as rank 3, and each part's row strides in
  // them (0 where the part is broadcast).
  Shape lead3 = lead;
  while (lead3.rank() < 3) lead3 = lead3.with_front(1);
  const std::int64_t width = out.shape.last();
  detail::dispatch_float(t, [&](auto tag) {
    using T = decltype(tag);
    T* os = out.as<T>();
    std::int64_t offset = 0;
    for (const ConstView& p : parts) {
      const std::int64_t len = p.shape.last();
      const T* ps = p.as<T>();
      const Shape p_lead = p.shape.rank() == 0 ? Shape{} : p.shape.prefix(p.shape.rank() - 1);
      if (p_lead.numel() == lead.numel()) {  // one part row per output row
        for (std::int64_t r = 0; r < lead.numel(); ++r)
          copy_run(ps + r * len, len, os + r * width + offset);
      } else {
        // Rows of the part by broadcast strides, padded to rank 4 on the
        // left: out's leading axes (lead3) are the last three of them.
        const detail::Padded st = detail::broadcast_strides(p_lead);
        std::int64_t r = 0;
        for (std::int64_t i0 = 0; i0 < lead3[0]; ++i0)
          for (std::int64_t i1 = 0; i1 < lead3[1]; ++i1)
            for (std::int64_t i2 = 0; i2 < lead3[2]; ++i2, ++r) {
              const std::int64_t src = i0 * st.dim[1] + i1 * st.dim[2] + i2 * st.dim[3];
              copy_run(ps + src * len, len, os + r * width + offset);
            }
      }
      offset += len;
    }
  });
}

}  // namespace eq::kernels
