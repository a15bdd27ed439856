// The fused-loop executor. One switch per step and block picks a loop
// instantiated for the op and the operand forms (vector or scalar), so the
// per-element work is the same scalar function the single-op kernels use
// (runtime/scalar_math.hpp): a fused result equals the unfused one bit for bit.
#include "eq/runtime/fused.hpp"

#include <algorithm>

#include "eq/runtime/error.hpp"
#include "eq/runtime/kernels_detail.hpp"
#include "eq/runtime/parallel.hpp"
#include "eq/runtime/scalar_math.hpp"
#include "eq/runtime/vmath.hpp"

namespace eq::runtime {

std::string FusedProgram::label() const {
  std::string s = "fused[";
  for (std::size_t i = 0; i < steps.size(); ++i) {
    if (i) s += ",";
    s += steps[i].binary ? kernels::name(static_cast<kernels::Binary>(steps[i].sub))
                         : kernels::name(static_cast<kernels::Unary>(steps[i].sub));
  }
  return s + "]";
}

namespace {

using kernels::Binary;
using kernels::Unary;

// An operand within one block: a vector of the block's length, or a scalar.
template <class T>
struct Arg {
  const T* p = nullptr;  // null: the scalar s
  T s = 0;
};

template <Unary op, class T>
void unary_loop(Arg<T> a, T* d, std::int64_t n) {
  if (a.p) {
    for (std::int64_t i = 0; i < n; ++i) d[i] = kernels::unary_fn<op>(a.p[i]);
  } else {
    const T v = kernels::unary_fn<op>(a.s);
    for (std::int64_t i = 0; i < n; ++i) d[i] = v;
  }
}

template <Binary op, class T>
void binary_loop(Arg<T> a, Arg<T> b, T* d, std::int64_t n) {
  if (a.p && b.p) {
    for (std::int64_t i = 0; i < n; ++i) d[i] = kernels::binary_fn<op>(a.p[i], b.p[i]);
  } else if (a.p) {
    const T y = b.s;
    for (std::int64_t i = 0; i < n; ++i) d[i] = kernels::binary_fn<op>(a.p[i], y);
  } else if (b.p) {
    const T x = a.s;
    for (std::int64_t i = 0; i < n; ++i) d[i] = kernels::binary_fn<op>(x, b.p[i]);
  } else {
    const T v = kernels::binary_fn<op>(a.s, b.s);
    for (std::int64_t i = 0; i < n; ++i) d[i] = v;
  }
}

template <class T>
void step_unary(Unary op, Arg<T> a, T* d, std::int64_t n) {
  // Transcendental functions of a vector go to vmath's block functions,
  // which are compiled for AVX2 where the CPU has it; their per-element
  // function is unary_fn's, so the bits do not change.
  if (a.p) switch (op) {
#define EQ_V(name)  \
  case Unary::name: \
    return vmath::name(a.p, d, n);
      EQ_VMATH_FUNCTIONS(EQ_V)
#undef EQ_V
      default:
        break;
    }
  switch (op) {
#define EQ_X(name)  \
  case Unary::name: \
    return unary_loop<Unary::name>(a, d, n);
    EQ_UNARY_KERNELS(EQ_X)
#undef EQ_X
  }
}

template <class T>
void step_binary(Binary op, Arg<T> a, Arg<T> b, T* d, std::int64_t n) {
  switch (op) {
#define EQ_X(name)   \
  case Binary::name: \
    return binary_loop<Binary::name>(a, b, d, n);
    EQ_BINARY_KERNELS(EQ_X)
#undef EQ_X
  }
}

enum class Form : std::uint8_t { same, scalar, row };

// Runs the program over output rows [row_lo, row_hi) (a row is the repeat
// length of a row operand, or the whole output when there is none) and,
// within a single row, over elements [lo, hi).
template <class T>
void run_typed(const FusedProgram& p, const ConstView* inputs, View out, std::int64_t lo,
               std::int64_t hi) {
  const std::int64_t n = out.numel();
  Form form[FusedProgram::kMaxInputs];
  const T* data[FusedProgram::kMaxInputs];
  // Rows repeat over the leading axes; the loop walks the output row by row
  // when there are any, so a row operand is a plain vector within a block.
  std::int64_t row = n;
  for (std::size_t k = 0; k < p.inputs.size(); ++k) {
    const std::int64_t m = inputs[k].numel();
    data[k] = inputs[k].as<T>();
    if (m == n) {
      form[k] = Form::same;
    } else if (m == 1) {
      form[k] = Form::scalar;
    } else {
      EQ_ASSERT(m > 0 && n % m == 0 && (row == n || row == m),
                "fused loop: input " + inputs[k].shape.str() + " does not repeat over " +
                    out.shape.str());
      form[k] = Form::row;
      row = m;
    }
  }
  T consts[FusedProgram::kMaxSteps * 2];
  for (std::size_t c = 0; c < p.constants.size(); ++c) consts[c] = static_cast<T>(p.constants[c]);

  alignas(64) T slot[FusedProgram::kMaxSlots][FusedProgram::kBlock];
  T* result = out.as<T>();
  const std::size_t last = p.steps.size() - 1;
  // With rows, [lo, hi) counts rows; without, elements of the one row.
  const bool rows = row < n;
  const std::int64_t base_lo = rows ? lo * row : 0, base_hi = rows ? hi * row : row;
  const std::int64_t j_lo = rows ? 0 : lo, j_hi = rows ? row : hi;
  for (std::int64_t base = base_lo; base < base_hi; base += row) {
    for (std::int64_t j = j_lo; j < j_hi; j += FusedProgram::kBlock) {
      const std::int64_t len = std::min(FusedProgram::kBlock, j_hi - j), at = base + j;
      auto arg = [&](const FusedOperand& o) {
        Arg<T> a;
        switch (o.kind) {
          case FusedOperand::Kind::slot:
            a.p = slot[o.index];
            break;
          case FusedOperand::Kind::constant:
            a.s = consts[o.index];
            break;
          case FusedOperand::Kind::input:
            switch (form[o.index]) {
              case Form::same:
                a.p = data[o.index] + at;
                break;
              case Form::row:
                a.p = data[o.index] + j;
                break;
              case Form::scalar:
                a.s = data[o.index][0];
                break;
            }
            break;
        }
        return a;
      };
      for (std::size_t s = 0; s <= last; ++s) {
        const FusedStep& st = p.steps[s];
        T* dest = s == last ? result + at : slot[st.dest];
        if (st.binary)
          step_binary<T>(static_cast<Binary>(st.sub), arg(st.a), arg(st.b), dest, len);
        else
          step_unary<T>(static_cast<Unary>(st.sub), arg(st.a), dest, len);
      }
    }
  }
}

}  // namespace

void run_fused(const FusedProgram& p, const ConstView* inputs, View out) {
  EQ_ASSERT(!p.steps.empty() && p.slots <= FusedProgram::kMaxSlots &&
                static_cast<int>(p.inputs.size()) <= FusedProgram::kMaxInputs &&
                static_cast<int>(p.steps.size()) <= FusedProgram::kMaxSteps &&
                p.constants.size() <= 2 * FusedProgram::kMaxSteps,
            "fused program out of bounds");
  for (std::size_t k = 0; k < p.inputs.size(); ++k)
    kernels::detail::common_float(inputs[k].dtype, out.dtype, "fused");
  // Big loops are split over the thread pool: whole rows when an operand
  // repeats by row, else ranges of elements. Small ones run here.
  // A worker wake-up costs tens of µs: split only loops of several ms.
  constexpr std::int64_t kGrain = 1 << 18;  // elements per chunk at least
  const std::int64_t n = out.numel();
  std::int64_t row = n;
  for (std::size_t k = 0; k < p.inputs.size(); ++k)
    if (const std::int64_t m = inputs[k].numel(); m != n && m != 1) row = m;
  const bool rows = row < n && row > 0;
  const std::int64_t units = rows ? n / row : n;
  const std::int64_t grain = rows ? std::max<std::int64_t>(1, kGrain / row) : kGrain;
  kernels::detail::dispatch_float(out.dtype, [&](auto tag) {
    using T = decltype(tag);
    parallel_for(units, grain,
                 [&](std::int64_t lo, std::int64_t hi) { run_typed<T>(p, inputs, out, lo, hi); });
  });
}

}  // namespace eq::runtime
