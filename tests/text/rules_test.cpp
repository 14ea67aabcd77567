// Each rule of BERT's tokenizer on its own, with a small vocabulary (tiny_vocab.hpp).
#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "mha/tokenizer.hpp"
#include "tiny_vocab.hpp"

namespace mha::test {
namespace {

const TokenizeOptions kPlain{.add_special_tokens = false};

std::vector<std::string> tokens(const std::string& text) {
  return tiny().encode(text, kPlain).tokens;
}
std::vector<TokenOffsets> offsets(const std::string& text) {
  return tiny().encode(text, kPlain).offsets;
}
using V = std::vector<std::string>;
using O = std::vector<TokenOffsets>;

TEST(Rules, CleaningRemovesNulReplacementAndControlCharacters) {
  EXPECT_EQ(tokens(std::string("hel\0lo", 6)), V{"hello"});
  EXPECT_EQ(tokens("hel\xEF\xBF\xBDlo"), V{"hello"});  // U+FFFD
  EXPECT_EQ(tokens("hel\x01l\x7Fo"), V{"hello"});      // Cc
  EXPECT_EQ(tokens("hel\xC2\xADlo"), V{"hello"});      // soft hyphen (Cf)
  EXPECT_EQ(tokens("hel\xE2\x80\x8Blo"), V{"hello"});  // zero width space (Cf)
  EXPECT_EQ(tokens("hel\xEE\x80\x80lo"), V{"hello"});  // private use (Co)
  EXPECT_EQ(tokens("\xEF\xBB\xBFhello"), V{"hello"});  // byte order mark
  EXPECT_EQ(tokens("hel\xC2\x85lo"), V{"hello"});      // NEL: Cc, removed before whitespace
  // The removed bytes stay inside the word's offsets.
  EXPECT_EQ(offsets("hel\xE2\x80\x8Blo"), (O{{0, 8}}));
}

TEST(Rules, EveryWhitespaceSeparatesWords) {
  for (const char* ws : {" ", "\t", "\n", "\r", "\xC2\xA0", "\xE3\x80\x80", "\xE2\x80\xA8",
                         "\xE2\x80\xAF", "\xE1\x9A\x80", "\xE2\x80\x83"})
    EXPECT_EQ(tokens(std::string("hello") + ws + "world"), (V{"hello", "world"}))
        << "separator bytes " << ws;
  EXPECT_TRUE(tokens(" \t\r\n\xE3\x80\x80 ").empty());
  EXPECT_TRUE(tokens("").empty());
}

TEST(Rules, CjkIdeographsAreWordsOfTheirOwn) {
  // Without the spaces, 文 would have to be "##文", which the vocabulary does not have.
  EXPECT_EQ(tokens("中文"), (V{"中", "文"}));
  EXPECT_EQ(offsets("中文"), (O{{0, 3}, {3, 6}}));
  EXPECT_EQ(tokens("a中b"), (V{"a", "中", "b"}));
}

TEST(Rules, LowerCaseAndAccentsStripped) {
  EXPECT_EQ(tokens("HELLO World"), (V{"hello", "world"}));
  EXPECT_EQ(tokens("CAF\xC3\x89"), V{"cafe"});          // É: NFD E + U+0301, mark dropped
  EXPECT_EQ(tokens("nai\xCC\x88ve"), V{"naive"});       // combining diaeresis as typed
  EXPECT_EQ(tokens("na\xC3\xAFve"), V{"naive"});        // precomposed ï
  EXPECT_EQ(tokens("\xC4\xB0stanbul"), V{"istanbul"});  // İ: I + U+0307
  EXPECT_EQ(tokens("\xE2\x84\xAA"), V{"k"});            // KELVIN SIGN: NFD K, lower k
  EXPECT_EQ(tokens("un\xC3\xA9"), V{"[UNK]"});          // "une": the entry "uné" can never match
  EXPECT_EQ(tokens("\xCE\xA3"), V{"σ"});                // Σ: simple lower case
  EXPECT_EQ(tokens("\xCE\xA3\xCE\xA3"),
            (V{"σ", "##σ"}));  // never the final form ς (as the reference)
  EXPECT_EQ(offsets("CAF\xC3\x89!"), (O{{0, 5}, {5, 6}}));
}

TEST(Rules, HangulSyllablesDecomposeIntoJamoSharingTheirBytes) {
  EXPECT_EQ(tokens("한"), (V{"ᄒ", "##ᅡ", "##ᆫ"}));
  EXPECT_EQ(offsets("한"), (O{{0, 3}, {0, 3}, {0, 3}}));
}

TEST(Rules, PunctuationIsSplitOff) {
  EXPECT_EQ(tokens("hello,world!"), (V{"hello", ",", "world", "!"}));
  EXPECT_EQ(offsets("hello,world!"), (O{{0, 5}, {5, 6}, {6, 11}, {11, 12}}));
  // Not Unicode punctuation, but BERT splits all non-alphanumeric ASCII.
  EXPECT_EQ(tokens("a$b^c`"), (V{"a", "$", "b", "^", "c", "`"}));
  EXPECT_EQ(tokens("\xC2\xAB"
                   "a\xC2\xBB"),
            (V{"«", "a", "»"}));
  EXPECT_EQ(tokens("..."), (V{".", ".", "."}));
  EXPECT_EQ(tokens("a'b"), (V{"a", "'", "b"}));
}

TEST(Rules, GreedyLongestMatchFirst) {
  EXPECT_EQ(tokens("unaffable"), (V{"un", "##aff", "##able"}));
  EXPECT_EQ(offsets("unaffable"), (O{{0, 2}, {2, 5}, {5, 9}}));
  EXPECT_EQ(tokens("abc"), (V{"a", "##b", "##c"}));
  EXPECT_EQ(tokens("the quick"), (V{"the", "quick"}));
  // "b" is in the vocabulary but "##b" is what continues a word, and vice versa "##s" only
  // continues: a word cannot start with it.
  EXPECT_EQ(tokens("ab b"), (V{"a", "##b", "b"}));
  EXPECT_EQ(tokens("s"), V{"[UNK]"});
}

TEST(Rules, UnknownWhenNoSegmentation) {
  // "y" is nowhere in the vocabulary: the whole word is one [UNK], covering all of it.
  EXPECT_EQ(tokens("abyc hello"), (V{"[UNK]", "hello"}));
  EXPECT_EQ(offsets("abyc hello"), (O{{0, 4}, {5, 10}}));
  EXPECT_EQ(tokens("\xF0\x9F\x98\x80"), V{"[UNK]"});  // 😀
}

TEST(Rules, WordsLongerThan100CharactersAreUnknown) {
  const std::vector<std::string> hundred = tokens(std::string(100, 'x'));
  ASSERT_EQ(hundred.size(), 100u);
  EXPECT_EQ(hundred[0], "x");
  EXPECT_EQ(hundred[99], "##x");
  EXPECT_EQ(tokens(std::string(101, 'x')), V{"[UNK]"});
  EXPECT_EQ(offsets(std::string(101, 'x') + " x"), (O{{0, 101}, {102, 103}}));
  // Characters are counted after normalization: accents stripped do not count...
  std::string accented;
  for (int i = 0; i < 100; ++i) accented += "x\xCC\x81";
  EXPECT_EQ(tokens(accented).size(), 100u);
  // ...and a syllable counts as its jamo (34 syllables: 102 characters).
  std::string syllables;
  for (int i = 0; i < 34; ++i) syllables += "한";
  EXPECT_EQ(tokens(syllables), V{"[UNK]"});
}

TEST(Rules, OffsetsAreBytesOfTheOriginalText) {
  // "é" is two bytes; its stripped accent and the removed ZWSP stay within the token.
  EXPECT_EQ(offsets("\xC3\xA9 a"), (O{{0, 2}, {3, 4}}));
  EXPECT_EQ(tokens("\xC3\xA9 a"), (V{"[UNK]", "a"}));
  EXPECT_EQ(offsets("  hello  "), (O{{2, 7}}));
}

}  // namespace
}  // namespace mha::test
