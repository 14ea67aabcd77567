// `mha tokenize`: ids, tokens and byte offsets, as a table and as JSON.
#include <gtest/gtest.h>

#include <fstream>
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "cli/cli_helpers.hpp"

namespace {

namespace fs = std::filesystem;
using mha::test::Contains;
using mha::test::mha_cli;
using mha::test::ProcessResult;

TEST(Tokenize, TableWithIdsAndByteOffsets) {
  const ProcessResult r =
      mha_cli({"tokenize", "The fox jumps!", "--model", mha::test::tiny_model().string()});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  // tiny's vocab.txt: [CLS] 2, the 5, fox 8, jump 9, ##s 10, ! 21, [SEP] 3.
  EXPECT_TRUE(Contains(r.out, "^ +# +id +token +bytes +text\n"));
  EXPECT_TRUE(Contains(r.out, "\n +0 +2 +\\[CLS\\] +-\n"));
  EXPECT_TRUE(Contains(r.out, "\n +1 +5 +the +0\\.\\.3 +The\n"));
  EXPECT_TRUE(Contains(r.out, "\n +2 +8 +fox +4\\.\\.7 +fox\n"));
  EXPECT_TRUE(Contains(r.out, "\n +3 +9 +jump +8\\.\\.12 +jump\n"));
  EXPECT_TRUE(Contains(r.out, "\n +4 +10 +##s +12\\.\\.13 +s\n"));
  EXPECT_TRUE(Contains(r.out, "\n +5 +21 +! +13\\.\\.14 +!\n"));
  EXPECT_TRUE(Contains(r.out, "\n +6 +3 +\\[SEP\\] +-\n"));
  EXPECT_TRUE(Contains(r.out, "\n7 tokens"));
}

TEST(Tokenize, JsonAndMaxLength) {
  const std::string tiny = mha::test::tiny_model().string();
  const ProcessResult r = mha_cli({"tokenize", "caf\xc3\xa9 dog", "--json", "--model", tiny});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  const nlohmann::json j = nlohmann::json::parse(r.out);
  EXPECT_EQ(j["text"], "caf\xc3\xa9 dog");
  EXPECT_EQ(j["ids"], (std::vector<int>{2, 1, 13, 3}));  // "café" is not in tiny's vocabulary
  EXPECT_EQ(j["tokens"], (std::vector<std::string>{"[CLS]", "[UNK]", "dog", "[SEP]"}));
  // Byte offsets: "café" is 5 bytes.
  EXPECT_EQ(j["offsets"], nlohmann::json::parse("[[0,0],[0,5],[6,9],[0,0]]"));
  const ProcessResult cut =
      mha_cli({"tokenize", "the lazy dog", "--json", "--max-length", "3", "--model", tiny});
  ASSERT_EQ(cut.exit_code, 0) << cut.err;
  EXPECT_EQ(nlohmann::json::parse(cut.out)["tokens"],
            (std::vector<std::string>{"[CLS]", "the", "[SEP]"}));
}

TEST(Tokenize, TheDefaultSentenceOnTheRealModel) {
  REQUIRE_REAL_MODEL(model);
  const ProcessResult r = mha_cli({"tokenize", "The quick brown fox jumps over the lazy dog.",
                                   "--json", "--model", model.string()});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  const nlohmann::json j = nlohmann::json::parse(r.out);
  EXPECT_EQ(j["tokens"], (std::vector<std::string>{"[CLS]", "the", "quick", "brown", "fox", "jumps",
                                                   "over", "the", "lazy", "dog", ".", "[SEP]"}));
  // The ids sentence-transformers' tokenizer gave when the model goldens were written.
  std::ifstream in(fs::path(MHA_SOURCE_DIR) / "tests/model/minilm_golden/index.json");
  const nlohmann::json golden = nlohmann::json::parse(in);
  ASSERT_EQ(golden["sentences"][0]["text"], "The quick brown fox jumps over the lazy dog.");
  EXPECT_EQ(j["ids"], golden["sentences"][0]["token_ids"]);
  EXPECT_EQ(j["ids"], (std::vector<int>{101, 1996, 4248, 2829, 4419, 14523, 2058, 1996, 13971, 3899,
                                        1012, 102}));
}

}  // namespace
