// TextStreams: a symbol sequence cut into parallel streams for truncated
// back-propagation through time (docs/language.md §6–§7).
//
// The text [begin, end) is split into `streams` contiguous slices of equal
// length L; stream b reads positions begin + b·L + i. A window is `window`
// consecutive steps of every stream: at step t of window w, stream b's input
// is the symbol at i = w·window + t and its target the symbol after it. The
// state at the end of one window starts the next window of the same stream,
// so windows are visited in order. Symbols past the last full window of a
// stream (fewer than `window` + 1) are not used.
#pragma once

#include <cstdint>
#include <string_view>
#include <vector>

#include "eq/runtime/tensor.hpp"

namespace eq {

class TextStreams {
 public:
  // symbols: i32 [N]. Throws eq::Error when the slice is too short for one
  // window of every stream; `source` (the text file) begins the message.
  TextStreams(const Tensor& symbols, std::int64_t begin, std::int64_t end, std::int64_t streams,
              std::int64_t window, std::string_view source = {});

  // Streams [first, first + count) of these alone (a share of the batch,
  // for data parallelism): the same slices, fewer of them.
  TextStreams share(std::int64_t first, std::int64_t count) const;

  std::int64_t streams() const { return streams_; }
  std::int64_t window() const { return window_; }
  // Full windows per pass over the text.
  std::int64_t windows() const { return windows_; }
  // Fills inputs[t] and targets[t] (i32 [streams], allocated by the caller
  // once, reused for every window) for window w.
  void fill(std::int64_t w, std::vector<Tensor>& inputs, std::vector<Tensor>& targets) const;
  // Tensors of the right shape for fill().
  std::vector<Tensor> make_step_tensors() const;

 private:
  const std::int32_t* symbols_;
  std::int64_t begin_, length_, streams_, window_, windows_;
  std::int64_t first_ = 0;  // the first stream, of a share
};

}  // namespace eq
