#include "text/pre_tokenizer.hpp"

#include "text/unicode.hpp"

namespace mha::text {

void split_words(std::span<const NormalizedChar> chars, std::vector<WordRange>& out) {
  out.clear();
  std::size_t start = 0;
  const auto close = [&](std::size_t i) {
    if (i > start) out.push_back({start, i});
  };
  for (std::size_t i = 0; i < chars.size(); ++i) {
    const char32_t cp = chars[i].cp;
    if (is_whitespace(cp)) {
      close(i);
      start = i + 1;
    } else if (is_punctuation(cp)) {
      close(i);
      out.push_back({i, i + 1});
      start = i + 1;
    }
  }
  close(chars.size());
}

}  // namespace mha::text
