// TextStreams: a sequence cut into parallel streams for truncated
// back-propagation through time (docs/language.md §6–§7, §9).
//
// Two kinds of sequence: text, a symbol per step (xₜ the symbol at position
// i, yₜ the one after it); and rows of numbers (a CSV whose rows are the
// steps of one long series: xₜ and yₜ both read row i, from their own
// columns). The sequence [begin, end) is split into `streams` contiguous
// slices of equal length L; stream b reads positions begin + b·L + i. A
// window is `window` consecutive steps of every stream: at step t of window
// w, stream b reads position i = w·window + t. The state at the end of one
// window starts the next window of the same stream, so windows are visited
// in order. Positions past the last full window of a stream are not used.
#pragma once

#include <cstdint>
#include <string_view>
#include <vector>

#include "eq/runtime/tensor.hpp"

namespace eq {

class TextStreams {
 public:
  // Text: symbols i32 [N]. Throws eq::Error when the slice is too short for
  // one window of every stream; `source` (the text file) begins the message.
  TextStreams(const Tensor& symbols, std::int64_t begin, std::int64_t end, std::int64_t streams,
              std::int64_t window, std::string_view source = {});
  // Rows: inputs [N, …] and targets [N, …] (any dtypes), step i reading row
  // i of each. The tensors must outlive the streams.
  TextStreams(const Tensor& inputs, const Tensor& targets, std::int64_t begin, std::int64_t end,
              std::int64_t streams, std::int64_t window, std::string_view source = {});

  // Streams [first, first + count) of these alone (a share of the batch,
  // for data parallelism): the same slices, fewer of them.
  TextStreams share(std::int64_t first, std::int64_t count) const;

  std::int64_t streams() const { return streams_; }
  // The first stream, counted in the streams this is a share of (0 for all of them).
  std::int64_t first_stream() const { return first_; }
  std::int64_t window() const { return window_; }
  // Full windows per pass over the sequence.
  std::int64_t windows() const { return windows_; }
  // Fills inputs[t] and targets[t] ([streams, …], allocated by the caller
  // once with make_step_tensors / make_target_tensors, reused for every
  // window) for window w.
  void fill(std::int64_t w, std::vector<Tensor>& inputs, std::vector<Tensor>& targets) const;
  // Tensors of the right shape for fill(): inputs (text: also the targets), targets.
  std::vector<Tensor> make_step_tensors() const;
  std::vector<Tensor> make_target_tensors() const;

 private:
  // One side (inputs or targets): rows of `row` bytes, each row one step.
  struct Side {
    const char* data = nullptr;
    std::size_t row = 0;
    DType dtype = DType::i32;
    Shape shape;  // one row's
  };
  void cut(std::int64_t begin, std::int64_t end, std::string_view source, const char* what);

  Side x_, y_;
  std::int64_t shift_ = 0;  // targets read position i + shift (text: 1)
  std::int64_t begin_ = 0, length_ = 0, streams_ = 0, window_ = 0, windows_ = 0;
  std::int64_t first_ = 0;  // the first stream, of a share
};

}  // namespace eq
