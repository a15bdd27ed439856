#include "eq/train/streams.hpp"

#include <cstring>

#include "eq/runtime/error.hpp"

namespace eq {

TextStreams::TextStreams(const Tensor& symbols, std::int64_t begin, std::int64_t end,
                         std::int64_t streams, std::int64_t window, std::string_view source)
    : streams_(streams), window_(window) {
  EQ_ASSERT(symbols.dtype() == DType::i32, "text streams read i32 symbols");
  x_ = {static_cast<const char*>(symbols.raw()), sizeof(std::int32_t), DType::i32, Shape{}};
  y_ = x_;
  shift_ = 1;  // each step also reads the symbol after it (the target)
  cut(begin, end, source, "text");
}

TextStreams::TextStreams(const Tensor& inputs, const Tensor& targets, std::int64_t begin,
                         std::int64_t end, std::int64_t streams, std::int64_t window,
                         std::string_view source)
    : streams_(streams), window_(window) {
  EQ_ASSERT(inputs.shape().rank() >= 1 && targets.shape().rank() >= 1 &&
                inputs.shape()[0] == targets.shape()[0],
            "row streams need inputs and targets of the same rows");
  auto side = [](const Tensor& t) {
    Shape row = t.shape().drop_front();
    return Side{static_cast<const char*>(t.raw()),
                static_cast<std::size_t>(byte_size(row, t.dtype())), t.dtype(), row};
  };
  x_ = side(inputs);
  y_ = side(targets);
  cut(begin, end, source, "series");
}

void TextStreams::cut(std::int64_t begin, std::int64_t end, std::string_view source,
                      const char* what) {
  EQ_ASSERT(begin >= 0 && begin <= end, "stream slice out of range");
  begin_ = begin;
  if (streams_ < 1 || window_ < 1)
    throw Error("batch and window must be at least 1; got batch " + std::to_string(streams_) +
                ", window " + std::to_string(window_));
  length_ = (end - begin) / streams_;
  windows_ = length_ - shift_ > 0 ? (length_ - shift_) / window_ : 0;
  if (windows_ < 1) {
    const bool text = shift_ == 1;
    throw Error((source.empty() ? "" : std::string(source) + ": ") + "the " + what +
                " is too short: " + std::to_string(end - begin) +
                (text ? " symbols give " : " rows give ") + std::to_string(streams_) +
                " streams of " + std::to_string(length_) + ", fewer than one window of " +
                std::to_string(window_) + " steps" + (text ? " plus one" : "") +
                "; lower batch or window");
  }
}

TextStreams TextStreams::share(std::int64_t first, std::int64_t count) const {
  EQ_ASSERT(first >= 0 && count >= 1 && first + count <= streams_, "stream share out of range");
  TextStreams s = *this;
  s.first_ = first_ + first;
  s.streams_ = count;
  return s;
}

std::vector<Tensor> TextStreams::make_step_tensors() const {
  std::vector<Tensor> out;
  for (std::int64_t t = 0; t < window_; ++t)
    out.emplace_back(x_.dtype, x_.shape.with_front(streams_));
  return out;
}

std::vector<Tensor> TextStreams::make_target_tensors() const {
  std::vector<Tensor> out;
  for (std::int64_t t = 0; t < window_; ++t)
    out.emplace_back(y_.dtype, y_.shape.with_front(streams_));
  return out;
}

void TextStreams::fill(std::int64_t w, std::vector<Tensor>& inputs,
                       std::vector<Tensor>& targets) const {
  EQ_ASSERT(w >= 0 && w < windows_, "window out of range");
  for (std::int64_t t = 0; t < window_; ++t) {
    char* x = static_cast<char*>(inputs[static_cast<std::size_t>(t)].raw());
    char* y = static_cast<char*>(targets[static_cast<std::size_t>(t)].raw());
    for (std::int64_t b = 0; b < streams_; ++b) {
      const auto at = static_cast<std::size_t>(begin_ + (first_ + b) * length_ + w * window_ + t);
      const auto row = static_cast<std::size_t>(b);
      std::memcpy(x + row * x_.row, x_.data + at * x_.row, x_.row);
      std::memcpy(y + row * y_.row, y_.data + (at + static_cast<std::size_t>(shift_)) * y_.row,
                  y_.row);
    }
  }
}

}  // namespace eq
