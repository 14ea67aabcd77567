#pragma once
// Strict UTF-8 decoding for the tokenizer: every code point with the bytes it came from.
#include <cstddef>
#include <string>
#include <string_view>
#include <vector>

namespace mha::text {

// One code point of the input and its bytes [begin, end) in the input.
struct DecodedChar {
  char32_t cp;
  std::size_t begin, end;
};

// Decodes well-formed UTF-8 (the Unicode standard's table 3-7) into `out` (cleared first).
// Throws mha::Error(where, argument, "valid UTF-8", "<what> at byte offset N") on the first
// ill-formed sequence: a stray continuation byte, an overlong form, a surrogate, a code point
// above U+10FFFF, a lead byte that cannot start a sequence or a sequence cut short.
void decode_utf8(std::string_view text, std::vector<DecodedChar>& out, const char* where,
                 const char* argument);

// Describes the first ill-formed sequence of `text` as "<what> at byte offset N", or returns ""
// when the text is valid.
std::string utf8_error(std::string_view text);

// Appends the UTF-8 form of a Unicode scalar value.
void append_utf8(std::string& out, char32_t cp);

}  // namespace mha::text
