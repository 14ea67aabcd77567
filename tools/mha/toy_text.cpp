// UTF-8 validation and the toy tokenizer of `mha explain`.
#include "toy_text.hpp"

#include <cstdint>

namespace mha::cli {
namespace {

bool in(unsigned char c, unsigned lo, unsigned hi) { return c >= lo && c <= hi; }

// Character classes by hand rather than <cctype>, whose answers depend on the C locale.
bool is_ascii_alnum(unsigned char c) {
  return in(c, '0', '9') || in(c, 'a', 'z') || in(c, 'A', 'Z');
}
bool is_ascii_punct(unsigned char c) { return in(c, 0x21, 0x7e) && !is_ascii_alnum(c); }

}  // namespace

std::optional<std::size_t> find_invalid_utf8(std::string_view text) {
  const auto* s = reinterpret_cast<const unsigned char*>(text.data());
  const std::size_t n = text.size();
  std::size_t i = 0;
  while (i < n) {
    const unsigned char c = s[i];
    // The lead byte fixes the length and the range of the first continuation byte: the narrow
    // ranges after E0, ED, F0 and F4 exclude overlong forms, surrogates and values > U+10FFFF.
    std::size_t len = 0;
    unsigned lo = 0x80, hi = 0xbf;
    if (c < 0x80) {
      ++i;
      continue;
    } else if (in(c, 0xc2, 0xdf)) {
      len = 2;
    } else if (in(c, 0xe0, 0xef)) {
      len = 3;
      if (c == 0xe0) lo = 0xa0;
      if (c == 0xed) hi = 0x9f;
    } else if (in(c, 0xf0, 0xf4)) {
      len = 4;
      if (c == 0xf0) lo = 0x90;
      if (c == 0xf4) hi = 0x8f;
    } else {
      return i;  // 80..C1 (continuation or overlong lead) or F5..FF
    }
    if (i + len > n) return i;
    if (!in(s[i + 1], lo, hi)) return i;
    for (std::size_t k = 2; k < len; ++k)
      if (!in(s[i + k], 0x80, 0xbf)) return i;
    i += len;
  }
  return std::nullopt;
}

std::vector<std::string> toy_tokenize(std::string_view text) {
  std::vector<std::string> tokens;
  std::string word;
  auto flush = [&] {
    if (!word.empty()) tokens.push_back(std::move(word));
    word.clear();
  };
  for (const char ch : text) {
    const auto c = static_cast<unsigned char>(ch);
    if (c >= 0x80 || is_ascii_alnum(c)) {
      word.push_back(in(c, 'A', 'Z') ? static_cast<char>(c - 'A' + 'a') : ch);
    } else if (is_ascii_punct(c)) {
      flush();
      tokens.emplace_back(1, ch);
    } else {
      flush();  // space, tab, newline, other control characters
    }
  }
  flush();
  return tokens;
}

}  // namespace mha::cli
