// `mha explain`: the six steps, the check against the reference, the heads, and the files it
// writes — on the tiny model (always) and on all-MiniLM-L6-v2 (when fetched).
#include <gtest/gtest.h>

#include <nlohmann/json.hpp>
#include <regex>
#include <string>

#include "cli/cli_helpers.hpp"

namespace {

namespace fs = std::filesystem;
using mha::test::Contains;
using mha::test::kError;
using mha::test::kUsage;
using mha::test::mha_cli;
using mha::test::ProcessResult;
using mha::test::ScratchDir;

// The data the page embeds, parsed: a page that is not one self-contained, well-formed document
// fails here.
nlohmann::json page_data(const fs::path& html) {
  const std::string page = mha::test::read_file(html);
  EXPECT_EQ(page.rfind("<!DOCTYPE html>", 0), 0u);
  EXPECT_NE(page.find("</html>"), std::string::npos);
  EXPECT_NE(page.find("Content-Security-Policy\" content=\"default-src 'none'"), std::string::npos);
  const std::string open = "<script type=\"application/json\" id=\"mha-data\">";
  const std::size_t begin = page.find(open);
  if (begin == std::string::npos) {
    ADD_FAILURE() << "no data in " << html;
    return {};
  }
  const std::size_t from = begin + open.size(), end = page.find("</script>", from);
  return nlohmann::json::parse(page.substr(from, end - from));
}

TEST(Explain, SixStepsOnTheTinyModel) {
  const ScratchDir dir("explain_tiny");
  const ProcessResult r = mha_cli(
      {"explain", "--model", mha::test::tiny_model().string(), "--out", (dir / "a.html").string()});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  // The default sentence is 13 tokens here ("jumps" is jump ##s); the tiny model reads 12.
  EXPECT_TRUE(Contains(r.err,
                       "warning: the text has 13 tokens; tiny reads at most 12 "
                       "\\(max_seq_length\\): the last 1 are dropped"));
  EXPECT_TRUE(Contains(r.out,
                       "tokens +S = 12: \\[CLS\\] \\| the \\| quick \\| brown \\| fox \\| "
                       "jump \\| ##s \\| over \\| the \\| lazy \\| dog \\| \\[SEP\\]\n"));
  EXPECT_TRUE(Contains(r.out, "ids +2 5 6 7 8 9 10 11 5 12 13 3\n"));
  // E = 12, H = 2, D = 6; the last layer and head by default.
  EXPECT_TRUE(Contains(r.out, R"(shown +layer 1, head 1 \(--layer 0\.\.1, --head 0\.\.1\))"));
  EXPECT_TRUE(Contains(r.out, R"(1\. input +x \[1, 12, 12\])"));
  EXPECT_TRUE(Contains(r.out, R"(layer 0's output)"));
  EXPECT_TRUE(
      Contains(r.out, R"(2\. project +q \[1, 2, 12, 6\] +k \[1, 2, 12, 6\] +v \[1, 2, 12, 6\])"));
  EXPECT_TRUE(Contains(r.out, R"(3\. score +scores \[1, 2, 12, 12\])"));
  EXPECT_TRUE(Contains(r.out, R"(scale = 1/sqrt\(D\) = 1/sqrt\(6\) = 0\.408248)"));
  EXPECT_TRUE(Contains(r.out, R"(4\. weigh +weights \[1, 2, 12, 12\] +heads \[1, 2, 12, 6\])"));
  EXPECT_TRUE(Contains(r.out, R"(row sums of weights +min 1\.000000, max 1\.000000 over 24 rows)"));
  EXPECT_TRUE(Contains(r.out, R"(5\. concat +concat \[1, 12, 12\])"));
  EXPECT_TRUE(Contains(r.out, R"(6\. output +y \[1, 12, 12\])"));
  for (const char* what :
       {"output  MultiHeadAttention::forward", "weights MultiHeadAttention::forward",
        "weights Model::encode, this layer"})
    EXPECT_TRUE(Contains(
        r.out, std::string(what) + R"( \(fp32\) +max abs difference \S+ \(tolerance \S+\) +ok)"));
  EXPECT_FALSE(Contains(r.out, "MISMATCH"));
  // The heatmap, and one row per head.
  EXPECT_TRUE(Contains(r.out, "layer 1, head 1 of tiny"));
  for (const char* head : {"0.0", "0.1", "1.0", "1.1"})
    EXPECT_TRUE(Contains(r.out, "\n  " + std::string(head) + " +\\S"));
  // The files, beside each other.
  for (const char* name :
       {"a.html", "a_layer1_head1.png", "a_layer1_head1.svg", "a_grid.png", "a_grid.svg"})
    EXPECT_TRUE(fs::is_regular_file(dir / name)) << name;
  EXPECT_TRUE(Contains(r.out, "wrote +" + (dir / "a.html").string()));
  const nlohmann::json data = page_data(dir / "a.html");
  EXPECT_EQ(data["model"], "tiny");
  EXPECT_EQ(data["layers"], 2);
  EXPECT_EQ(data["heads"], 2);
  EXPECT_EQ(data["tokens"].size(), 12u);
  EXPECT_EQ(data["weights"].size(), 2u * 2 * 12 * 12);
  EXPECT_EQ(data["summaries"].size(), 4u);
  ASSERT_EQ(data["steps"].size(), 6u);
  EXPECT_EQ(data["steps"][2]["shape"], "scores [1, 2, 12, 12]");
  const std::string png = mha::test::read_file(dir / "a_grid.png");
  EXPECT_EQ(png.substr(0, 8), "\x89PNG\r\n\x1a\n");
  EXPECT_TRUE(Contains(mha::test::read_file(dir / "a_grid.svg"), "^<\\?xml|^<svg"));
}

TEST(Explain, LayerAndHeadOptions) {
  const ScratchDir dir("explain_layer");
  const ProcessResult r =
      mha_cli({"explain", "The cat sat on the mat.", "--model", mha::test::tiny_model().string(),
               "--layer", "0", "--head", "0", "--out", (dir / "cat.html").string()});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_TRUE(r.err.empty()) << r.err;
  EXPECT_TRUE(Contains(r.out,
                       "tokens +S = 9: \\[CLS\\] \\| the \\| cat \\| sat \\| on \\| the "
                       "\\| mat \\| \\. \\| \\[SEP\\]\n"));
  EXPECT_TRUE(Contains(r.out, R"(shown +layer 0, head 0 )"));
  EXPECT_TRUE(Contains(r.out, R"(the embeddings: LayerNorm\(word \+ position \+ token type\))"));
  EXPECT_TRUE(fs::is_regular_file(dir / "cat_layer0_head0.png"));
}

TEST(Explain, NoImagesWritesOnlyThePage) {
  const ScratchDir dir("explain_noimages");
  const ProcessResult r = mha_cli({"explain", "--model", mha::test::tiny_model().string(),
                                   "--no-images", "--out", (dir / "p.html").string()});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  std::size_t files = 0;
  for ([[maybe_unused]] const auto& e : fs::directory_iterator(dir.path())) ++files;
  EXPECT_EQ(files, 1u);
  EXPECT_TRUE(fs::is_regular_file(dir / "p.html"));
}

TEST(Explain, RejectsALayerOrHeadTheModelLacks) {
  const std::string tiny = mha::test::tiny_model().string();
  for (const auto& [option, value, message] :
       {std::tuple{"--layer", "2", "--layer 2: the model has layers 0\\.\\.1"},
        std::tuple{"--head", "-1", "--head -1: the model has heads 0\\.\\.1"}}) {
    const ProcessResult r = mha_cli({"explain", "--model", tiny, option, value});
    EXPECT_EQ(r.exit_code, kUsage) << r.err;
    EXPECT_TRUE(Contains(r.err, message));
    EXPECT_TRUE(r.out.empty()) << r.out;
  }
}

TEST(Explain, AnUnwritableOutputIsAnErrorBeforeAnyOutput) {
  const ProcessResult r = mha_cli({"explain", "--model", mha::test::tiny_model().string(), "--out",
                                   "/nonexistent-dir/attention.html"});
  EXPECT_EQ(r.exit_code, kError);
  EXPECT_TRUE(Contains(r.err, "/nonexistent-dir/attention.html"));
  EXPECT_TRUE(r.out.empty()) << r.out;
}

TEST(Explain, IsDeterministic) {
  const ScratchDir dir("explain_det");
  const std::string tiny = mha::test::tiny_model().string(), out = (dir / "d.html").string();
  const ProcessResult a = mha_cli({"explain", "a lazy cat", "--model", tiny, "--out", out});
  const ProcessResult b =
      mha_cli({"explain", "a lazy cat", "--model", tiny, "--out", out, "--threads", "1"});
  ASSERT_EQ(a.exit_code, 0) << a.err;
  ASSERT_EQ(b.exit_code, 0) << b.err;
  // Same text, same numbers, whatever the thread count (the lines with the thread count and the
  // time differ).
  const std::regex varying("(backend|wrote) .*\n");
  EXPECT_EQ(std::regex_replace(a.out, varying, ""), std::regex_replace(b.out, varying, ""));
}

TEST(Explain, TheRealModel) {
  REQUIRE_REAL_MODEL(model);
  const ScratchDir dir("explain_real");
  const ProcessResult r =
      mha_cli({"explain", "--model", model.string(), "--out", (dir / "attention.html").string()});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_TRUE(r.err.empty()) << r.err;
  EXPECT_TRUE(Contains(r.out, "model +all-MiniLM-L6-v2: 6 layers x 12 heads of 32, hidden 384"));
  EXPECT_TRUE(Contains(r.out,
                       "tokens +S = 12: \\[CLS\\] \\| the \\| quick \\| brown \\| fox \\| "
                       "jumps \\| over \\| the \\| lazy \\| dog \\| \\. \\| \\[SEP\\]\n"));
  EXPECT_TRUE(
      Contains(r.out, "ids +101 1996 4248 2829 4419 14523 2058 1996 13971 3899 1012 102\n"));
  EXPECT_TRUE(Contains(r.out, R"(shown +layer 5, head 11 )"));
  EXPECT_TRUE(Contains(r.out, R"(1\. input +x \[1, 12, 384\])"));
  EXPECT_TRUE(Contains(
      r.out, R"(2\. project +q \[1, 12, 12, 32\] +k \[1, 12, 12, 32\] +v \[1, 12, 12, 32\])"));
  EXPECT_TRUE(Contains(r.out, R"(3\. score +scores \[1, 12, 12, 12\])"));
  EXPECT_TRUE(Contains(r.out, R"(scale = 1/sqrt\(D\) = 1/sqrt\(32\) = 0\.176777)"));
  EXPECT_TRUE(
      Contains(r.out, R"(row sums of weights +min 1\.000000, max 1\.000000 over 144 rows)"));
  EXPECT_TRUE(Contains(r.out, R"(5\. concat +concat \[1, 12, 384\])"));
  EXPECT_TRUE(Contains(r.out, R"(6\. output +y \[1, 12, 384\])"));
  EXPECT_FALSE(Contains(r.out, "MISMATCH"));
  // 72 heads, one line each; the noun head of the seed's picture is found by the measurement.
  std::size_t rows = 0;
  const std::regex head_row("\n  [0-5]\\.[0-9]+ ");
  for (std::sregex_iterator it(r.out.begin(), r.out.end(), head_row), end; it != end; ++it) ++rows;
  EXPECT_EQ(rows, 72u);
  EXPECT_TRUE(Contains(r.out, R"(layer 5 head 11: fox \(0\.\d\d\), dog \(0\.\d\d\))"));
  const nlohmann::json data = page_data(dir / "attention.html");
  EXPECT_EQ(data["model"], "all-MiniLM-L6-v2");
  EXPECT_EQ(data["layers"], 6);
  EXPECT_EQ(data["heads"], 12);
  EXPECT_EQ(data["summaries"].size(), 72u);
  EXPECT_EQ(data["weights"].size(), 6u * 12 * 12 * 12);
  ASSERT_EQ(data["steps"].size(), 6u);
  EXPECT_EQ(data["steps"][1]["shape"], "q [1, 12, 12, 32]  k [1, 12, 12, 32]  v [1, 12, 12, 32]");
  for (const char* name : {"attention_layer5_head11.png", "attention_layer5_head11.svg",
                           "attention_grid.png", "attention_grid.svg"})
    EXPECT_TRUE(fs::is_regular_file(dir / name)) << name;
}

}  // namespace
