#pragma once
// UTF-8 decoding for the viz writers: every picture must be valid UTF-8 (and safe on a terminal)
// whatever bytes a token holds, so text is decoded one code point at a time and anything
// ill-formed becomes U+FFFD.
#include <cstddef>
#include <string>
#include <string_view>

namespace mha::viz::detail {

inline constexpr char32_t kReplacement = 0xFFFD;

// Decodes the code point at s[i] and advances i past it. An ill-formed sequence (RFC 3629: no
// overlong forms, no surrogates, nothing above U+10FFFF, no truncation) gives U+FFFD and advances
// one byte, so the next call resynchronizes.
char32_t next_code_point(std::string_view s, std::size_t& i) noexcept;

void append_utf8(std::string& out, char32_t c);

// s with every ill-formed sequence replaced by U+FFFD.
std::string valid_utf8(std::string_view s);

// Columns a code point takes on a terminal: 0 for combining marks, joiners and variation
// selectors, 2 for East Asian wide characters and emoji, 1 otherwise. An approximation of
// wcwidth that needs no locale (the ranges that matter for BERT vocabularies and emoji).
int display_width(char32_t c) noexcept;

// True for C0/C1 control characters and DEL: never written raw to a terminal or into XML.
inline bool is_control(char32_t c) noexcept { return c < 0x20 || (c >= 0x7F && c < 0xA0); }

}  // namespace mha::viz::detail
