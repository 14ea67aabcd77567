#include "text/utf8.hpp"

#include <cstdint>
#include <cstdio>

#include "mha/error.hpp"

namespace mha::text {
namespace {

std::string hex_byte(unsigned char b) {
  char buf[8];
  std::snprintf(buf, sizeof buf, "0x%02X", b);
  return buf;
}

// Decodes the sequence at text[i]: sets cp and len and returns "", or returns what is wrong.
std::string decode_one(std::string_view text, std::size_t i, char32_t& cp, std::size_t& len) {
  const auto byte = [&](std::size_t k) { return static_cast<unsigned char>(text[i + k]); };
  const unsigned char b0 = byte(0);
  if (b0 < 0x80) {
    cp = b0;
    len = 1;
    return {};
  }
  if (b0 < 0xC0) return "a continuation byte " + hex_byte(b0) + " without a lead byte";
  if (b0 < 0xC2) return "an overlong 2-byte form (lead byte " + hex_byte(b0) + ")";
  if (b0 > 0xF4) return "a byte " + hex_byte(b0) + " that never occurs in UTF-8";
  const std::size_t n = b0 < 0xE0 ? 2 : b0 < 0xF0 ? 3 : 4;
  cp = b0 & (0x7F >> n);
  for (std::size_t k = 1; k < n; ++k) {
    if (i + k >= text.size())
      return "a " + std::to_string(n) + "-byte sequence cut short by the end of the text";
    const unsigned char b = byte(k);
    if ((b & 0xC0) != 0x80)
      return "a " + std::to_string(n) + "-byte sequence missing its continuation byte " +
             std::to_string(k) + " (got " + hex_byte(b) + ")";
    cp = (cp << 6) | (b & 0x3F);
  }
  len = n;
  // Checked on the value: the same conditions as table 3-7's restricted second bytes.
  if ((n == 3 && cp < 0x800) || (n == 4 && cp < 0x10000)) {
    char buf[64];
    std::snprintf(buf, sizeof buf, "an overlong %zu-byte form of U+%04X", n,
                  static_cast<unsigned>(cp));
    return buf;
  }
  if (cp >= 0xD800 && cp <= 0xDFFF) {
    char buf[64];
    std::snprintf(buf, sizeof buf, "an encoded surrogate U+%04X", static_cast<unsigned>(cp));
    return buf;
  }
  if (cp > 0x10FFFF) {
    char buf[64];
    std::snprintf(buf, sizeof buf, "a code point U+%X above U+10FFFF", static_cast<unsigned>(cp));
    return buf;
  }
  return {};
}

}  // namespace

std::string utf8_error(std::string_view text) {
  for (std::size_t i = 0; i < text.size();) {
    char32_t cp = 0;
    std::size_t len = 0;
    if (std::string what = decode_one(text, i, cp, len); !what.empty())
      return what + " at byte offset " + std::to_string(i);
    i += len;
  }
  return {};
}

void decode_utf8(std::string_view text, std::vector<DecodedChar>& out, const char* where,
                 const char* argument) {
  out.clear();
  out.reserve(text.size());
  for (std::size_t i = 0; i < text.size();) {
    const auto b = static_cast<unsigned char>(text[i]);
    if (b < 0x80) {  // ASCII: most text, no checks needed
      out.push_back({b, i, i + 1});
      ++i;
      continue;
    }
    char32_t cp = 0;
    std::size_t len = 0;
    if (std::string what = decode_one(text, i, cp, len); !what.empty())
      throw Error(where, argument, "valid UTF-8", what + " at byte offset " + std::to_string(i));
    out.push_back({cp, i, i + len});
    i += len;
  }
}

void append_utf8(std::string& out, char32_t cp) {
  if (cp < 0x80) {
    out.push_back(static_cast<char>(cp));
  } else if (cp < 0x800) {
    out.push_back(static_cast<char>(0xC0 | (cp >> 6)));
    out.push_back(static_cast<char>(0x80 | (cp & 0x3F)));
  } else if (cp < 0x10000) {
    out.push_back(static_cast<char>(0xE0 | (cp >> 12)));
    out.push_back(static_cast<char>(0x80 | ((cp >> 6) & 0x3F)));
    out.push_back(static_cast<char>(0x80 | (cp & 0x3F)));
  } else {
    out.push_back(static_cast<char>(0xF0 | (cp >> 18)));
    out.push_back(static_cast<char>(0x80 | ((cp >> 12) & 0x3F)));
    out.push_back(static_cast<char>(0x80 | ((cp >> 6) & 0x3F)));
    out.push_back(static_cast<char>(0x80 | (cp & 0x3F)));
  }
}

}  // namespace mha::text
