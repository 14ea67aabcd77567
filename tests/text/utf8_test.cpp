// Invalid UTF-8 is an mha::Error naming the byte offset; valid UTF-8 of every length decodes.
#include "text/utf8.hpp"

#include <gtest/gtest.h>

#include <string>

#include "mha/error.hpp"
#include "mha/tokenizer.hpp"
#include "tiny_vocab.hpp"

namespace mha::test {
namespace {

// The 'actual' part of the error encode throws for `text` ("" if it throws none).
std::string encode_error(const std::string& text) {
  try {
    tiny().encode(text);
  } catch (const Error& e) {
    EXPECT_EQ(e.where(), "mha::WordPiece::encode");
    EXPECT_EQ(e.argument(), "text");
    EXPECT_EQ(e.expected(), "valid UTF-8");
    return e.actual();
  }
  return "";
}

struct Case {
  const char* name;
  std::string bytes;
  std::string error;  // the whole 'actual' text of the error
};

TEST(Utf8, IllFormedSequencesAreErrorsWithTheirByteOffset) {
  const Case cases[] = {
      {"stray continuation", "ab\x80",
       "a continuation byte 0x80 without a lead byte at byte offset 2"},
      {"continuation after a complete sequence", "\xC3\xA9\xA9",
       "a continuation byte 0xA9 without a lead byte at byte offset 2"},
      {"overlong 2-byte (C0)", "a\xC0\xAF",
       "an overlong 2-byte form (lead byte 0xC0) at byte offset 1"},
      {"overlong 2-byte (C1)", "\xC1\xBF",
       "an overlong 2-byte form (lead byte 0xC1) at byte offset 0"},
      {"overlong 3-byte", "x\xE0\x80\xAF", "an overlong 3-byte form of U+002F at byte offset 1"},
      {"overlong 3-byte max", "\xE0\x9F\xBF", "an overlong 3-byte form of U+07FF at byte offset 0"},
      {"overlong 4-byte", "\xF0\x80\x80\xAF", "an overlong 4-byte form of U+002F at byte offset 0"},
      {"overlong 4-byte max", "\xF0\x8F\xBF\xBF",
       "an overlong 4-byte form of U+FFFF at byte offset 0"},
      {"high surrogate", "ok \xED\xA0\x80", "an encoded surrogate U+D800 at byte offset 3"},
      {"low surrogate", "\xED\xBF\xBF", "an encoded surrogate U+DFFF at byte offset 0"},
      {"surrogate pair (CESU-8)", "\xED\xA0\xBD\xED\xB8\x80",
       "an encoded surrogate U+D83D at byte offset 0"},
      {"above U+10FFFF (F4 90)", "\xF4\x90\x80\x80",
       "a code point U+110000 above U+10FFFF at byte offset 0"},
      {"lead F5", "\xF5\x80\x80\x80", "a byte 0xF5 that never occurs in UTF-8 at byte offset 0"},
      {"lead F8 (5-byte form)", "\xF8\x88\x80\x80\x80",
       "a byte 0xF8 that never occurs in UTF-8 at byte offset 0"},
      {"FE", "\xFE", "a byte 0xFE that never occurs in UTF-8 at byte offset 0"},
      {"FF", "a\xFF", "a byte 0xFF that never occurs in UTF-8 at byte offset 1"},
      {"truncated 2-byte", "abc\xC3",
       "a 2-byte sequence cut short by the end of the text at byte offset 3"},
      {"truncated 3-byte", "\xE2\x82",
       "a 3-byte sequence cut short by the end of the text at byte offset 0"},
      {"truncated 4-byte", "\xF0\x9F\x98",
       "a 4-byte sequence cut short by the end of the text at byte offset 0"},
      {"interrupted 3-byte", "\xE2\x82x",
       "a 3-byte sequence missing its continuation byte 2 (got 0x78) at byte offset 0"},
      {"interrupted 4-byte", "\xF0\x9F\xC3\xA9",
       "a 4-byte sequence missing its continuation byte 2 (got 0xC3) at byte offset 0"},
      {"Latin-1 text", "caf\xE9 au lait",
       "a 3-byte sequence missing its continuation byte 1 (got 0x20) at byte offset 3"},
      {"after a special token", "[SEP]\x80",
       "a continuation byte 0x80 without a lead byte at byte offset 5"},
  };
  for (const Case& c : cases) EXPECT_EQ(encode_error(c.bytes), c.error) << c.name;
}

TEST(Utf8, ValidSequencesAtTheBoundariesDecode) {
  const std::string valid[] = {
      std::string("\0", 1), "\x7F",         "\xC2\x80",     "\xDF\xBF",         "\xE0\xA0\x80",
      "\xED\x9F\xBF",       "\xEE\x80\x80", "\xEF\xBF\xBF", "\xF0\x90\x80\x80", "\xF4\x8F\xBF\xBF"};
  for (const std::string& s : valid) {
    EXPECT_EQ(encode_error(s), "") << "bytes of length " << s.size();
    std::vector<text::DecodedChar> chars;
    text::decode_utf8(s, chars, "test", "s");
    ASSERT_EQ(chars.size(), 1u);
    std::string again;
    text::append_utf8(again, chars[0].cp);
    EXPECT_EQ(again, s);
    EXPECT_EQ(chars[0].end, s.size());
  }
}

TEST(Utf8, EveryScalarValueRoundTrips) {
  std::string all;
  for (char32_t cp = 0; cp <= 0x10FFFF; ++cp)
    if (cp < 0xD800 || cp > 0xDFFF) text::append_utf8(all, cp);
  std::vector<text::DecodedChar> chars;
  text::decode_utf8(all, chars, "test", "all");
  ASSERT_EQ(chars.size(), 0x110000u - 0x800u);
  EXPECT_EQ(chars.back().cp, 0x10FFFFu);
  EXPECT_EQ(chars.back().end, all.size());
}

}  // namespace
}  // namespace mha::test
