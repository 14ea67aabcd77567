// Every Unicode code point through the normalizer and the pre-tokenizer's character classes,
// against the reference: codepoints.txt holds, per block of 4096 code points, a hash of what
// the reference makes of each one (scripts/gen_tokenizer_golden.py, codepoint_record). A
// mismatch names the block; `gen_tokenizer_golden.py --show-block 0x<start>` prints the
// reference's side of it to compare with this test's output.
#include <gtest/gtest.h>

#include <cinttypes>
#include <cstdio>
#include <cstring>
#include <fstream>
#include <sstream>
#include <string>

#include "corpus.hpp"
#include "text/normalizer.hpp"
#include "text/unicode.hpp"
#include "text/utf8.hpp"

namespace mha::test {
namespace {

constexpr char32_t kBlock = 4096;

// The bytes the reference's codepoint_record gives for one code point: the code point (4 bytes,
// little-endian), the normalized text of it alone (UTF-8), 0xFF, and how 'a<cp>a' pre-tokenizes
// (1: one piece, 2: split at whitespace, 3: punctuation isolated).
std::string record(char32_t cp) {
  std::string r;
  for (int i = 0; i < 4; ++i) r.push_back(static_cast<char>((cp >> (8 * i)) & 0xFF));
  const text::DecodedChar in{cp, 0, 1};
  std::vector<text::NormalizedChar> out;
  text::NormalizerScratch scratch;
  text::normalize(std::span(&in, 1), out, scratch);
  for (const auto& c : out) text::append_utf8(r, c.cp);
  r.push_back(static_cast<char>(0xFF));
  r.push_back(static_cast<char>(text::is_whitespace(cp) ? 2 : text::is_punctuation(cp) ? 3 : 1));
  return r;
}

std::uint64_t fnv1a64(const std::string& bytes, std::uint64_t h) {
  for (const char b : bytes) h = (h ^ static_cast<unsigned char>(b)) * 0x100000001B3ULL;
  return h;
}

TEST(CodePoints, EveryCodePointAsTheReference) {
  std::ifstream in(text_data_dir() + "/codepoints.txt");
  ASSERT_TRUE(in) << "missing codepoints.txt";
  std::size_t blocks = 0, same = 0;
  for (std::string line; std::getline(in, line);) {
    if (line.empty() || line.starts_with('#')) continue;
    unsigned long start = 0;
    std::uint64_t want = 0;
    ASSERT_EQ(std::sscanf(line.c_str(), "%lx %" SCNx64, &start, &want), 2) << line;
    std::uint64_t h = 0xCBF29CE484222325ULL;
    for (char32_t cp = static_cast<char32_t>(start); cp < start + kBlock; ++cp)
      if (cp < 0xD800 || cp > 0xDFFF) h = fnv1a64(record(cp), h);
    ++blocks;
    if (h == want) {
      ++same;
      continue;
    }
    std::ostringstream detail;  // this side of the block, in --show-block's format
    for (char32_t cp = static_cast<char32_t>(start); cp < start + kBlock; ++cp) {
      if (cp >= 0xD800 && cp <= 0xDFFF) continue;
      const std::string r = record(cp);
      char buf[32];
      std::snprintf(buf, sizeof buf, "%06X %d", static_cast<unsigned>(cp), r.back());
      detail << buf;
      std::vector<text::DecodedChar> chars;
      text::decode_utf8(r.substr(4, r.size() - 6), chars, "test", "record");
      for (const auto& c : chars) {
        std::snprintf(buf, sizeof buf, " %04X", static_cast<unsigned>(c.cp));
        detail << buf;
      }
      detail << "\n";
    }
    ADD_FAILURE() << "block " << line.substr(0, 6) << " differs from the reference; this side:\n"
                  << detail.str();
  }
  EXPECT_EQ(blocks, 0x110000u / kBlock);
  std::printf("code points: %zu of %zu blocks of %u identical to the reference\n", same, blocks,
              static_cast<unsigned>(kBlock));
}

TEST(CodePoints, FixupsMatchThisUtf8proc) {
  // The fix-up tables were generated against one utf8proc; another version may move code points
  // in or out of them (EveryCodePointAsTheReference would then fail): regenerate with --fixups.
  EXPECT_STREQ(text::utf8proc_unicode_version(), text::fixups_unicode_version());
}

}  // namespace
}  // namespace mha::test
