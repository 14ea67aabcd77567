// The WordPiece API: special tokens, truncation, decode, look-ups, errors, sharing.
#include <gtest/gtest.h>

#include <string>
#include <thread>
#include <vector>

#include "corpus.hpp"
#include "mha/error.hpp"
#include "mha/tokenizer.hpp"
#include "tiny_vocab.hpp"

namespace mha::test {
namespace {

using V = std::vector<std::string>;
using O = std::vector<TokenOffsets>;
using I = std::vector<std::int64_t>;

TEST(Api, ClsAndSepAroundTheTokensWithEmptyOffsets) {
  const TokenizedText e = tiny().encode("hello world");
  EXPECT_EQ(e.tokens, (V{"[CLS]", "hello", "world", "[SEP]"}));
  EXPECT_EQ(e.ids, (I{2, 15, 16, 3}));
  EXPECT_EQ(e.offsets, (O{{0, 0}, {0, 5}, {6, 11}, {0, 0}}));
  EXPECT_EQ(tiny().encode("").tokens, (V{"[CLS]", "[SEP]"}));
}

TEST(Api, SpecialTokensInTheTextAreMatchedExactly) {
  const TokenizedText e = tiny().encode("hello[SEP]world [MASK]", {.add_special_tokens = false});
  EXPECT_EQ(e.tokens, (V{"hello", "[SEP]", "world", "[MASK]"}));
  EXPECT_EQ(e.offsets, (O{{0, 5}, {5, 10}, {10, 15}, {16, 22}}));
  // Not lower-cased first: "[sep]" is ordinary text.
  EXPECT_EQ(tiny().encode("[sep]", {.add_special_tokens = false}).tokens, (V{"[", "sep", "]"}));
  // Off: the text cannot inject special tokens.
  EXPECT_EQ(
      tiny().encode("[SEP]", {.add_special_tokens = false, .match_special_tokens = false}).tokens,
      (V{"[", "sep", "]"}));
}

TEST(Api, TruncationKeepsRoomForClsAndSep) {
  const TokenizedText e = tiny().encode("the quick unaffable", {.max_length = 4});
  EXPECT_EQ(e.tokens, (V{"[CLS]", "the", "quick", "[SEP]"}));
  // Cut in the middle of a word, as `tokenizers` does.
  EXPECT_EQ(tiny().encode("unaffable", {.max_length = 4}).tokens,
            (V{"[CLS]", "un", "##aff", "[SEP]"}));
  EXPECT_EQ(tiny().encode("unaffable", {.max_length = 2}).tokens, (V{"[CLS]", "[SEP]"}));
  EXPECT_EQ(tiny().encode("unaffable", {.add_special_tokens = false, .max_length = 1}).tokens,
            V{"un"});
  EXPECT_TRUE(
      tiny().encode("unaffable", {.add_special_tokens = false, .max_length = 0}).tokens.empty());
  // Longer than the text: nothing cut.
  EXPECT_EQ(tiny().encode("hello", {.max_length = 100}).ids.size(), 3u);
}

TEST(Api, TruncationBelowTheSpecialTokensIsAnError) {
  try {
    tiny().encode("hello", {.max_length = 1});
    FAIL() << "no error";
  } catch (const Error& e) {
    EXPECT_EQ(e.argument(), "options.max_length");
    EXPECT_NE(std::string(e.what()).find("got 1"), std::string::npos) << e.what();
  }
}

TEST(Api, DecodeJoinsPiecesAndSkipsSpecialTokens) {
  const WordPiece wp = tiny();
  EXPECT_EQ(wp.decode(wp.encode("Hello, WORLD! unaffable").ids), "hello, world! unaffable");
  EXPECT_EQ(wp.decode(wp.encode("x [MASK] abyc").ids), "x");
  EXPECT_EQ(wp.decode(wp.encode("x [MASK] abyc").ids, false), "[CLS] x [MASK] [UNK] [SEP]");
  // A "##" piece first keeps its prefix, as in the reference.
  EXPECT_EQ(wp.decode(I{11, 12}), "##bc");
  EXPECT_EQ(wp.decode(I{}), "");
  EXPECT_EQ(wp.decode(I{10, 23, 14}), "a ' c");
  EXPECT_THROW(wp.decode(I{5, 45}), Error);
  EXPECT_THROW(wp.decode(I{-1}), Error);
}

TEST(Api, LookUps) {
  const WordPiece wp = tiny();
  EXPECT_EQ(wp.vocab_size(), 45u);
  EXPECT_EQ(wp.id_of("##aff"), 8);
  EXPECT_EQ(wp.id_of("aff"), std::nullopt);
  EXPECT_EQ(wp.token_of(9), "##able");
  EXPECT_THROW(wp.token_of(45), Error);
  EXPECT_THROW(wp.token_of(std::int64_t{1} << 40), Error);  // not cut to a small int32
  EXPECT_THROW(wp.decode(I{std::int64_t{1} << 32}), Error);
  EXPECT_EQ(wp.unk_id(), 1);
  EXPECT_EQ(wp.cls_id(), 2);
  EXPECT_EQ(wp.sep_id(), 3);
  EXPECT_EQ(wp.pad_id(), 0);
  EXPECT_EQ(wp.encode_ids("hello"), (I{2, 15, 3}));
}

TEST(Api, TheRealVocabulary) {
  const WordPiece wp = WordPiece::load(text_data_dir() + "/data/vocab.txt");
  EXPECT_EQ(wp.vocab_size(), 30522u);
  EXPECT_EQ(wp.cls_id(), 101);
  EXPECT_EQ(wp.sep_id(), 102);
  EXPECT_EQ(wp.unk_id(), 100);
  EXPECT_EQ(wp.pad_id(), 0);
  // The example of include/mha/tokenizer.hpp.
  const TokenizedText e = wp.encode("Hello, world!");
  EXPECT_EQ(e.ids, (I{101, 7592, 1010, 2088, 999, 102}));
  EXPECT_EQ(e.offsets, (O{{0, 0}, {0, 5}, {5, 6}, {7, 12}, {12, 13}, {0, 0}}));
  EXPECT_EQ(wp.decode(e.ids), "hello, world!");
  EXPECT_EQ(wp.encode("unaffable", {.add_special_tokens = false}).tokens,
            (V{"una", "##ffa", "##ble"}));
}

TEST(Api, CopiesShareTheVocabularyAndThreadsMayEncodeAtOnce) {
  const WordPiece wp = WordPiece::load(text_data_dir() + "/data/vocab.txt");
  const std::vector<std::string> corpus = read_corpus(text_data_dir() + "/corpus.txt");
  std::vector<std::vector<std::int64_t>> want;
  for (const std::string& line : corpus) want.push_back(wp.encode_ids(line));
  std::vector<std::thread> threads;
  std::vector<int> mismatches(4, 0);
  for (int t = 0; t < 4; ++t)
    threads.emplace_back([&, t, copy = wp] {
      for (std::size_t i = 0; i < corpus.size(); ++i)
        mismatches[t] += copy.encode_ids(corpus[i]) != want[i];
    });
  for (auto& th : threads) th.join();
  EXPECT_EQ(mismatches, (std::vector<int>{0, 0, 0, 0}));
}

}  // namespace
}  // namespace mha::test
