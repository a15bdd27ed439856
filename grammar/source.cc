// SourceFile: normalisation and position arithmetic; see source.hpp.
#include "eq/grammar/source.hpp"

#include <unicode/bytestream.h>
#include <unicode/normalizer2.h>
#include <unicode/stringpiece.h>

#include <algorithm>

#include "eq/grammar/utf8.hpp"
#include "eq/runtime/error.hpp"

namespace eq {

std::string normalize_nfc(const std::string& utf8) {
  UErrorCode status = U_ZERO_ERROR;
  const icu::Normalizer2* nfc = icu::Normalizer2::getNFCInstance(status);
  EQ_ASSERT(U_SUCCESS(status), "ICU has no NFC data");
  // Most files are already NFC; the check is much cheaper than a rewrite.
  if (nfc->isNormalizedUTF8(icu::StringPiece(utf8.data(), static_cast<int32_t>(utf8.size())),
                            status) &&
      U_SUCCESS(status)) {
    return utf8;
  }
  status = U_ZERO_ERROR;
  std::string out;
  icu::StringByteSink<std::string> sink(&out, static_cast<int32_t>(utf8.size()));
  nfc->normalizeUTF8(0, icu::StringPiece(utf8.data(), static_cast<int32_t>(utf8.size())), sink,
                     nullptr, status);
  EQ_ASSERT(U_SUCCESS(status), "ICU failed to normalise valid UTF-8");
  return out;
}

SourceFile::SourceFile(std::string name, std::string bytes) : name_(std::move(name)) {
  // A byte-order mark is not text (editors on Windows write one); the CSV and
  // text readers drop it too.
  if (bytes.starts_with("\xEF\xBB\xBF")) bytes.erase(0, 3);
  valid_utf8_ = find_invalid_utf8(bytes) == std::string::npos;
  text_ = valid_utf8_ ? normalize_nfc(bytes) : std::move(bytes);
  // Spans are 32-bit; a source larger than 4 GiB is not a model.
  EQ_ASSERT(text_.size() < UINT32_MAX, "source file too large");
  line_starts_.push_back(0);
  for (uint32_t i = 0; i < text_.size(); ++i) {
    if (text_[i] == '\n') line_starts_.push_back(i + 1);
    if (valid_utf8_ && (static_cast<unsigned char>(text_[i]) & 0xC0) == 0x80)
      continuations_.push_back(i);
  }
}

Location SourceFile::location(uint32_t byte_offset) const {
  byte_offset = std::min<uint32_t>(byte_offset, static_cast<uint32_t>(text_.size()));
  const auto it = std::upper_bound(line_starts_.begin(), line_starts_.end(), byte_offset);
  const uint32_t line = static_cast<uint32_t>(it - line_starts_.begin());
  if (valid_utf8_) {  // a character per byte that does not continue one
    const uint32_t start = line_starts_[line - 1];
    const auto cont = [&](uint32_t at) {
      return std::lower_bound(continuations_.begin(), continuations_.end(), at) -
             continuations_.begin();
    };
    return {line,
            1 + (byte_offset - start) - static_cast<uint32_t>(cont(byte_offset) - cont(start))};
  }
  uint32_t column = 1;
  const char* p = text_.data() + line_starts_[line - 1];
  const char* stop = text_.data() + byte_offset;
  const char* end = text_.data() + text_.size();
  while (p < stop) {
    char32_t cp;
    p += decode_utf8(p, end, &cp);
    ++column;
  }
  return {line, column};
}

std::string_view SourceFile::line_text(uint32_t line) const {
  const uint32_t begin = line_starts_[line - 1];
  uint32_t end =
      line < line_starts_.size() ? line_starts_[line] - 1 : static_cast<uint32_t>(text_.size());
  if (end > begin && text_[end - 1] == '\r') --end;
  return std::string_view(text_).substr(begin, end - begin);
}

}  // namespace eq
