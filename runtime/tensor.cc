#include "eq/runtime/tensor.hpp"

#include <cstdlib>
#include <cstring>

#include "eq/runtime/checked.hpp"
#include "eq/runtime/error.hpp"
#include "eq/runtime/memory.hpp"

namespace eq {

std::size_t dtype_size(DType t) {
  switch (t) {
    case DType::f32:
      return 4;
    case DType::f64:
      return 8;
    case DType::i32:
      return 4;
  }
  return 0;
}

std::string_view dtype_name(DType t) {
  switch (t) {
    case DType::f32:
      return "f32";
    case DType::f64:
      return "f64";
    case DType::i32:
      return "i32";
  }
  return "?";
}

Shape::Shape(std::initializer_list<std::int64_t> dims)
    : Shape(std::span<const std::int64_t>(dims.begin(), dims.size())) {}

Shape::Shape(std::span<const std::int64_t> dims) {
  if (dims.size() > static_cast<std::size_t>(kMaxRank))
    throw Error("a tensor has at most " + std::to_string(kMaxRank) + " axes; got " +
                std::to_string(dims.size()));
  for (std::int64_t d : dims) {
    if (d < 0) throw Error("a tensor axis cannot have negative size " + std::to_string(d));
    dims_[rank_++] = d;
  }
}

namespace {
// "4611686018427387904 × 128"
std::string product(const Shape& s) {
  std::string out;
  for (int i = 0; i < s.rank(); ++i) out += (i ? " × " : "") + std::to_string(s[i]);
  return out.empty() ? "1" : out;
}
}  // namespace

std::int64_t Shape::numel() const {
  // Called for every kernel launch: the check is one flag test per axis.
  std::int64_t n = 1;
  bool overflow = false;
  for (int i = 0; i < rank_; ++i) overflow |= __builtin_mul_overflow(n, dims_[i], &n);
  if (overflow) {
    // An axis of 0 makes the exact product 0, whatever came before it.
    for (int i = 0; i < rank_; ++i)
      if (dims_[i] == 0) return 0;
    throw_too_large("a tensor of " + product(*this) + " elements");
  }
  return n;
}

std::int64_t byte_size(const Shape& shape, std::int64_t item_bytes) {
  const std::int64_t n = shape.numel();
  std::int64_t bytes;
  if (__builtin_mul_overflow(n, item_bytes, &bytes))
    throw_too_large("a tensor of " + product(shape) + " elements of " + std::to_string(item_bytes) +
                    " bytes");
  return bytes;
}

std::int64_t byte_size(const Shape& shape, DType dtype) {
  return byte_size(shape, static_cast<std::int64_t>(dtype_size(dtype)));
}

std::size_t row_bytes(std::int64_t width, DType dtype) {
  return static_cast<std::size_t>(byte_size(Shape{width}, dtype));
}

std::size_t View::bytes() const { return static_cast<std::size_t>(byte_size(shape, dtype)); }
std::size_t ConstView::bytes() const { return static_cast<std::size_t>(byte_size(shape, dtype)); }

Shape Shape::with_front(std::int64_t dim) const {
  if (rank_ == kMaxRank)
    throw Error("cannot add an axis to " + str() + ": rank would pass " + std::to_string(kMaxRank));
  Shape s;
  s.rank_ = rank_ + 1;
  s.dims_[0] = dim;
  for (int i = 0; i < rank_; ++i) s.dims_[i + 1] = dims_[i];
  return s;
}

Shape Shape::drop_front(int count) const {
  EQ_ASSERT(count >= 0 && count <= rank_, "drop_front past the rank");
  Shape s;
  s.rank_ = rank_ - count;
  for (int i = 0; i < s.rank_; ++i) s.dims_[i] = dims_[i + count];
  return s;
}

Shape Shape::prefix(int count) const {
  EQ_ASSERT(count >= 0 && count <= rank_, "prefix past the rank");
  Shape s;
  s.rank_ = count;
  for (int i = 0; i < count; ++i) s.dims_[i] = dims_[i];
  return s;
}

std::string Shape::str() const {
  std::string s = "[";
  for (int i = 0; i < rank_; ++i) {
    if (i) s += ", ";
    s += std::to_string(dims_[i]);
  }
  return s + "]";
}

bool operator==(const Shape& a, const Shape& b) {
  if (a.rank_ != b.rank_) return false;
  for (int i = 0; i < a.rank_; ++i)
    if (a.dims_[i] != b.dims_[i]) return false;
  return true;
}

void Tensor::AlignedFree::operator()(void* p) const { std::free(p); }

namespace {
void* tensor_storage(DType dtype, const Shape& shape) {
  const std::int64_t bytes = byte_size(shape, dtype);
  return allocate_zeroed(bytes, "a tensor of " + product(shape) + " elements of " +
                                    std::to_string(dtype_size(dtype)) + " bytes");
}
}  // namespace

std::size_t Tensor::bytes() const { return static_cast<std::size_t>(byte_size(shape_, dtype_)); }

Tensor::Tensor(DType dtype, Shape shape)
    : dtype_(dtype), shape_(shape), data_(tensor_storage(dtype, shape)) {}

Tensor::Tensor(const Tensor& other)
    : dtype_(other.dtype_),
      shape_(other.shape_),
      data_(tensor_storage(other.dtype_, other.shape_)) {
  std::memcpy(data_.get(), other.data_.get(), bytes());
}

Tensor& Tensor::operator=(const Tensor& other) {
  if (this != &other) *this = Tensor(other);
  return *this;
}

Tensor Tensor::from(Shape shape, std::span<const double> values, DType dtype) {
  Tensor t(dtype, shape);
  if (static_cast<std::int64_t>(values.size()) != t.numel())
    throw Error("a tensor of shape " + shape.str() + " needs " + std::to_string(t.numel()) +
                " values; got " + std::to_string(values.size()));
  for (std::size_t i = 0; i < values.size(); ++i) t.set(static_cast<std::int64_t>(i), values[i]);
  return t;
}

Tensor Tensor::from(Shape shape, std::initializer_list<double> values, DType dtype) {
  return from(shape, std::span<const double>(values.begin(), values.size()), dtype);
}

Tensor Tensor::scalar(double value, DType dtype) { return from(Shape{}, {value}, dtype); }

template <class T>
static constexpr DType dtype_of();
template <>
constexpr DType dtype_of<float>() {
  return DType::f32;
}
template <>
constexpr DType dtype_of<double>() {
  return DType::f64;
}
template <>
constexpr DType dtype_of<std::int32_t>() {
  return DType::i32;
}

template <class T>
T* Tensor::data() {
  check_dtype(dtype_, dtype_of<T>(), "tensor access");
  return static_cast<T*>(data_.get());
}
template <class T>
const T* Tensor::data() const {
  check_dtype(dtype_, dtype_of<T>(), "tensor access");
  return static_cast<const T*>(data_.get());
}
template float* Tensor::data<float>();
template double* Tensor::data<double>();
template std::int32_t* Tensor::data<std::int32_t>();
template const float* Tensor::data<float>() const;
template const double* Tensor::data<double>() const;
template const std::int32_t* Tensor::data<std::int32_t>() const;

void Tensor::out_of_range(std::int64_t i) const {
  throw Error("element " + std::to_string(i) + " of a tensor of " + shape_.str() + ", which has " +
              std::to_string(numel()) + (numel() == 1 ? " element" : " elements") +
              (numel() ? " (0 to " + std::to_string(numel() - 1) + ")" : std::string()));
}

double Tensor::at(std::int64_t i) const {
  if (i < 0 || i >= numel()) out_of_range(i);
  switch (dtype_) {
    case DType::f32:
      return static_cast<const float*>(data_.get())[i];
    case DType::f64:
      return static_cast<const double*>(data_.get())[i];
    case DType::i32:
      return static_cast<const std::int32_t*>(data_.get())[i];
  }
  return 0;
}

void Tensor::set(std::int64_t i, double value) {
  if (i < 0 || i >= numel()) out_of_range(i);
  switch (dtype_) {
    case DType::f32:
      static_cast<float*>(data_.get())[i] = static_cast<float>(value);
      break;
    case DType::f64:
      static_cast<double*>(data_.get())[i] = value;
      break;
    case DType::i32:
      static_cast<std::int32_t*>(data_.get())[i] = static_cast<std::int32_t>(value);
      break;
  }
}

std::vector<double> Tensor::to_vector() const {
  std::vector<double> v(static_cast<std::size_t>(numel()));
  for (std::int64_t i = 0; i < numel(); ++i) v[static_cast<std::size_t>(i)] = at(i);
  return v;
}

Tensor Tensor::reshaped(Shape shape) const {
  if (shape.numel() != numel())
    throw Error("cannot reshape " + shape_.str() + " to " + shape.str() + ": sizes differ");
  Tensor t(*this);
  t.shape_ = shape;
  return t;
}

Tensor Tensor::to(DType dtype) const {
  Tensor t(dtype, shape_);
  for (std::int64_t i = 0; i < numel(); ++i) t.set(i, at(i));
  return t;
}

void check_same_shape(const Shape& a, const Shape& b, std::string_view what) {
  if (!(a == b)) throw Error(std::string(what) + ": shape mismatch: " + a.str() + " vs " + b.str());
}

void check_dtype(DType got, DType want, std::string_view what) {
  if (got != want)
    throw Error(std::string(what) + ": expected " + std::string(dtype_name(want)) + " data, got " +
                std::string(dtype_name(got)));
}

}  // namespace eq
