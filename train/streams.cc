#include "train/streams.hpp"

#include "runtime/error.hpp"

namespace eq {

TextStreams::TextStreams(const Tensor& symbols, std::int64_t begin, std::int64_t end,
                         std::int64_t streams, std::int64_t window, std::string_view source)
    : symbols_(symbols.data<std::int32_t>()), begin_(begin), streams_(streams), window_(window) {
  EQ_ASSERT(begin >= 0 && end <= symbols.numel() && begin <= end, "stream slice out of range");
  if (streams < 1 || window < 1)
    throw Error("batch and window must be at least 1; got batch " + std::to_string(streams) +
                ", window " + std::to_string(window));
  length_ = (end - begin) / streams;
  // Each step also reads the symbol after it (the target).
  windows_ = length_ > 0 ? (length_ - 1) / window : 0;
  if (windows_ < 1)
    throw Error((source.empty() ? "" : std::string(source) + ": ") +
                "the text is too short: " + std::to_string(end - begin) + " symbols give " +
                std::to_string(streams) + " streams of " + std::to_string(length_) +
                ", fewer than one window of " + std::to_string(window) +
                " steps plus one; lower batch or window");
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
  for (std::int64_t t = 0; t < window_; ++t) out.emplace_back(DType::i32, Shape{streams_});
  return out;
}

void TextStreams::fill(std::int64_t w, std::vector<Tensor>& inputs, std::vector<Tensor>& targets) const {
  EQ_ASSERT(w >= 0 && w < windows_, "window out of range");
  for (std::int64_t t = 0; t < window_; ++t) {
    std::int32_t* x = inputs[static_cast<std::size_t>(t)].data<std::int32_t>();
    std::int32_t* y = targets[static_cast<std::size_t>(t)].data<std::int32_t>();
    for (std::int64_t b = 0; b < streams_; ++b) {
      std::int64_t at = begin_ + (first_ + b) * length_ + w * window_ + t;
      x[b] = symbols_[at];
      y[b] = symbols_[at + 1];
    }
  }
}

}  // namespace eq
