// Every corpus line against the reference (the PyPI `tokenizers` fast tokenizer of
// all-MiniLM-L6-v2): ids, byte offsets, truncation with [CLS]/[SEP], special-token matching off,
// decoded text. golden.txt is written by scripts/gen_tokenizer_golden.py.
#include <gtest/gtest.h>

#include <cstdio>
#include <sstream>

#include "corpus.hpp"
#include "mha/tokenizer.hpp"

namespace mha::test {
namespace {

class Golden : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    wp_ = new WordPiece(WordPiece::load(text_data_dir() + "/data/vocab.txt"));
    corpus_ = new std::vector<std::string>(read_corpus(text_data_dir() + "/corpus.txt"));
    golden_ = new mha::test::Golden(read_golden(text_data_dir() + "/golden.txt"));
  }
  static void TearDownTestSuite() {
    delete wp_;
    delete corpus_;
    delete golden_;
  }

  static std::string show(const TokenizedText& e) {
    std::ostringstream s;
    for (std::size_t i = 0; i < e.ids.size(); ++i)
      s << e.tokens[i] << "(" << e.ids[i] << ")@" << e.offsets[i].begin << ":" << e.offsets[i].end
        << " ";
    return s.str();
  }
  static std::string show(const GoldenRecord& r) {
    std::ostringstream s;
    for (std::size_t i = 0; i < r.ids.size(); ++i)
      s << wp_->token_of(r.ids[i]) << "(" << r.ids[i] << ")@" << r.offsets[i].begin << ":"
        << r.offsets[i].end << " ";
    return s.str();
  }

  // Checks the records of one kind; returns how many lines matched.
  static std::size_t check(char kind, const TokenizeOptions& options) {
    std::size_t same = 0;
    for (const auto& [line, want] : golden_->at(kind)) {
      const std::string& text = corpus_->at(line);
      const TokenizedText got = wp_->encode(text, options);
      if (got.ids == want.ids && got.offsets == want.offsets) {
        ++same;
      } else {
        ADD_FAILURE() << "kind " << kind << ", corpus line " << line << ": \"" << text
                      << "\"\n  got:  " << show(got) << "\n  want: " << show(want);
      }
    }
    return same;
  }

  static WordPiece* wp_;
  static std::vector<std::string>* corpus_;
  static mha::test::Golden* golden_;
};

WordPiece* Golden::wp_ = nullptr;
std::vector<std::string>* Golden::corpus_ = nullptr;
mha::test::Golden* Golden::golden_ = nullptr;

TEST_F(Golden, CorpusIsComplete) {
  EXPECT_GE(corpus_->size(), 1000u);
  EXPECT_EQ(golden_->at('p').size(), corpus_->size())
      << "golden.txt is stale: rerun scripts/gen_tokenizer_golden.py";
  EXPECT_EQ(golden_->at('d').size(), corpus_->size());
}

TEST_F(Golden, IdsAndOffsetsOfEveryLine) {
  const std::size_t same = check('p', {.add_special_tokens = false});
  std::printf("WordPiece golden: %zu of %zu lines identical (ids and byte offsets)\n", same,
              golden_->at('p').size());
}

TEST_F(Golden, SpecialTokensAndTruncation) {
  check('t', {.add_special_tokens = true, .max_length = 8});
}

TEST_F(Golden, SpecialTokenMatchingOff) {
  check('n', {.add_special_tokens = false, .match_special_tokens = false});
}

TEST_F(Golden, DecodedText) {
  for (const auto& [line, want] : golden_->at('d')) {
    const std::vector<std::int64_t> ids = golden_->at('p').at(line).ids;
    EXPECT_EQ(wp_->decode(ids), want.text)
        << "corpus line " << line << ": \"" << corpus_->at(line) << "\"";
  }
}

}  // namespace
}  // namespace mha::test
