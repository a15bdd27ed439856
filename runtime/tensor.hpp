// Tensor: a dense, row-major, contiguous array of float32, float64 or int32
// (int32 only holds class / symbol indices) with a shape of rank 0 to 4 and
// 64-byte-aligned storage. View / ConstView are non-owning windows onto the
// same memory, and are what every kernel takes: the Machine owns its buffers
// and hands out views, so running a tape allocates nothing.
#pragma once

#include <cstddef>
#include <cstdint>
#include <initializer_list>
#include <memory>
#include <span>
#include <string>
#include <string_view>
#include <vector>

namespace eq {

enum class DType : std::uint8_t { f32, f64, i32 };

std::size_t dtype_size(DType t);
std::string_view dtype_name(DType t);  // "f32", "f64", "i32"

inline constexpr int kMaxRank = 4;

// A shape of rank 0 (a scalar) to kMaxRank. A value type; cheap to copy.
class Shape {
 public:
  Shape() = default;
  Shape(std::initializer_list<std::int64_t> dims);
  explicit Shape(std::span<const std::int64_t> dims);

  int rank() const { return rank_; }
  std::int64_t operator[](int axis) const { return dims_[axis]; }
  std::int64_t& operator[](int axis) { return dims_[axis]; }
  // The number of elements. Throws eq::Error when it passes int64:
  //   "a tensor of 4611686018427387904 × 128 elements is larger than this machine can address"
  std::int64_t numel() const;
  // The last axis' size, or 1 for a scalar.
  std::int64_t last() const { return rank_ == 0 ? 1 : dims_[rank_ - 1]; }
  const std::int64_t* begin() const { return dims_; }
  const std::int64_t* end() const { return dims_ + rank_; }

  // This shape with `axis` (default: in front) inserted / removed.
  Shape with_front(std::int64_t dim) const;
  Shape drop_front(int count = 1) const;
  Shape prefix(int count) const;  // the first `count` axes

  std::string str() const;  // "[128, 65]", "[]" for a scalar
  friend bool operator==(const Shape& a, const Shape& b);

 private:
  int rank_ = 0;
  std::int64_t dims_[kMaxRank] = {};
};

struct ConstView;

// A mutable, non-owning window: dtype, shape and the first element.
struct View {
  DType dtype = DType::f32;
  Shape shape;
  void* data = nullptr;

  template <class T>
  T* as() const {
    return static_cast<T*>(data);
  }
  std::int64_t numel() const { return shape.numel(); }
  std::size_t bytes() const;  // checked, as byte_size
};

struct ConstView {
  DType dtype = DType::f32;
  Shape shape;
  const void* data = nullptr;

  ConstView() = default;
  ConstView(DType t, Shape s, const void* d) : dtype(t), shape(s), data(d) {}
  ConstView(const View& v)
      : dtype(v.dtype), shape(v.shape), data(v.data) {}  // NOLINT: implicit on purpose
  template <class T>
  const T* as() const {
    return static_cast<const T*>(data);
  }
  std::int64_t numel() const { return shape.numel(); }
  std::size_t bytes() const;  // checked, as byte_size
};

// Owning tensor. Copying copies the data; moving does not.
class Tensor {
 public:
  Tensor() : Tensor(DType::f32, Shape{}) {}
  Tensor(DType dtype, Shape shape);  // zero-filled
  Tensor(const Tensor& other);
  Tensor& operator=(const Tensor& other);
  Tensor(Tensor&&) noexcept = default;
  Tensor& operator=(Tensor&&) noexcept = default;

  // A tensor of `dtype` holding `values` (converted), in row-major order.
  static Tensor from(Shape shape, std::span<const double> values, DType dtype = DType::f32);
  static Tensor from(Shape shape, std::initializer_list<double> values, DType dtype = DType::f32);
  static Tensor scalar(double value, DType dtype = DType::f32);

  DType dtype() const { return dtype_; }
  const Shape& shape() const { return shape_; }
  std::int64_t numel() const { return shape_.numel(); }
  std::size_t bytes() const;

  void* raw() { return data_.get(); }
  const void* raw() const { return data_.get(); }
  // Typed access; throws eq::Error when T does not match dtype().
  template <class T>
  T* data();
  template <class T>
  const T* data() const;

  // Element i in row-major order, converted to / from double.
  double at(std::int64_t i) const;
  void set(std::int64_t i, double value);
  std::vector<double> to_vector() const;

  View view() { return View{dtype_, shape_, data_.get()}; }
  ConstView view() const { return ConstView{dtype_, shape_, data_.get()}; }
  // The same data under another shape with as many elements.
  Tensor reshaped(Shape shape) const;
  Tensor to(DType dtype) const;

 private:
  [[noreturn]] void out_of_range(std::int64_t i) const;

  struct AlignedFree {
    void operator()(void* p) const;
  };
  DType dtype_;
  Shape shape_;
  std::unique_ptr<void, AlignedFree> data_;
};

// The bytes of a tensor of `shape` and `dtype`, checked: throws eq::Error
//   "a tensor of 4611686018427387904 elements of 4 bytes is larger than this machine can address"
std::int64_t byte_size(const Shape& shape, DType dtype);
// The same for elements of `item_bytes` each (a file's own element size).
std::int64_t byte_size(const Shape& shape, std::int64_t item_bytes);
// The bytes of one row of `width` elements (the last axis of a [B, width]
// value), checked, as a stride for walking the rows.
std::size_t row_bytes(std::int64_t width, DType dtype);

// Throws eq::Error "`what`: shape mismatch: [a] vs [b]" unless a == b.
void check_same_shape(const Shape& a, const Shape& b, std::string_view what);
void check_dtype(DType got, DType want, std::string_view what);

}  // namespace eq
