// `mha embed`: sentence embeddings from arguments, a file or stdin, as JSON or .npy — on the tiny
// model (always) and on all-MiniLM-L6-v2 (when fetched).
#include <gtest/gtest.h>

#include <cmath>
#include <cstring>
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "cli/cli_helpers.hpp"
#include "common/npy.hpp"

namespace {

namespace fs = std::filesystem;
using mha::test::Contains;
using mha::test::mha_cli;
using mha::test::ProcessResult;
using mha::test::ScratchDir;

using Rows = std::vector<std::vector<double>>;

Rows json_rows(const nlohmann::json& j) { return j["embeddings"].get<Rows>(); }

Rows npy_rows(const fs::path& path) {
  const mha::Tensor t = mha::testing::load_npy(path.string());
  EXPECT_EQ(t.rank(), 2);
  Rows rows(static_cast<std::size_t>(t.size(0)));
  for (std::int64_t n = 0; n < t.size(0); ++n)
    for (std::int64_t k = 0; k < t.size(1); ++k)
      rows[static_cast<std::size_t>(n)].push_back(t.view().get({n, k}));
  return rows;
}

double dot(const std::vector<double>& a, const std::vector<double>& b) {
  double s = 0.0;
  for (std::size_t k = 0; k < a.size(); ++k) s += a[k] * b[k];
  return s;
}

double max_diff(const Rows& a, const Rows& b) {
  EXPECT_EQ(a.size(), b.size());
  double m = 0.0;
  for (std::size_t n = 0; n < std::min(a.size(), b.size()); ++n)
    for (std::size_t k = 0; k < a[n].size(); ++k) m = std::max(m, std::abs(a[n][k] - b[n][k]));
  return m;
}

const std::string& tiny() {
  static const std::string dir = mha::test::tiny_model().string();
  return dir;
}

TEST(Embed, JsonFromArguments) {
  const ProcessResult r =
      mha_cli({"embed", "a lazy cat", "the quick brown fox", "a lazy cat", "--model", tiny()});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_TRUE(r.err.empty()) << r.err;
  const nlohmann::json j = nlohmann::json::parse(r.out);
  EXPECT_EQ(j["model"], "tiny");
  EXPECT_EQ(j["dimension"], 12);
  EXPECT_EQ(j["normalized"], true);
  EXPECT_EQ(j["sentences"],
            (std::vector<std::string>{"a lazy cat", "the quick brown fox", "a lazy cat"}));
  const Rows e = json_rows(j);
  ASSERT_EQ(e.size(), 3u);
  for (const auto& row : e) {
    ASSERT_EQ(row.size(), 12u);
    EXPECT_NEAR(std::sqrt(dot(row, row)), 1.0, 1e-6);  // unit length
  }
  EXPECT_EQ(e[0], e[2]);  // the same sentence, the same embedding: cosine 1
  EXPECT_LT(dot(e[0], e[1]), 0.9999);
}

TEST(Embed, NpyIsNumPysFormat) {
  const ScratchDir dir("embed_npy");
  const ProcessResult j = mha_cli({"embed", "a lazy cat", "the dog", "--model", tiny()});
  const ProcessResult r = mha_cli(
      {"embed", "a lazy cat", "the dog", "--model", tiny(), "--out", (dir / "e.npy").string()});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_TRUE(r.out.empty());
  const std::string bytes = mha::test::read_file(dir / "e.npy");
  ASSERT_GE(bytes.size(), 10u);
  EXPECT_EQ(bytes.substr(0, 8), std::string("\x93NUMPY\x01\x00", 8));  // version 1.0
  const std::size_t header = static_cast<unsigned char>(bytes[8]) |
                             static_cast<std::size_t>(static_cast<unsigned char>(bytes[9])) << 8;
  EXPECT_EQ((10 + header) % 64, 0u);  // the data is aligned
  const std::string dict = "{'descr': '<f4', 'fortran_order': False, 'shape': (2, 12), }";
  ASSERT_GT(header, dict.size());
  EXPECT_EQ(bytes.substr(10, header),  // the dict, spaces, a newline
            dict + std::string(header - dict.size() - 1, ' ') + "\n");
  EXPECT_EQ(bytes.size(), 10 + header + 2 * 12 * 4);
  // The same numbers as the JSON, which prints each f32 so that it reads back exactly (as an
  // f32: the shortest decimal of a float is not the float's value as a double).
  Rows from_json = json_rows(nlohmann::json::parse(j.out));
  for (auto& row : from_json)
    for (double& v : row) v = static_cast<float>(v);
  EXPECT_EQ(max_diff(npy_rows(dir / "e.npy"), from_json), 0.0);
  // --format npy to a file that is not a terminal (stdout here) works too.
  const ProcessResult s =
      mha_cli({"embed", "a lazy cat", "the dog", "--model", tiny(), "--format", "npy"});
  ASSERT_EQ(s.exit_code, 0) << s.err;
  EXPECT_EQ(s.out, bytes);
}

TEST(Embed, FileAndStdinOneSentencePerLine) {
  const ScratchDir dir("embed_file");
  const std::string lines = "the lazy dog\r\n\na cat sat on the mat\nattention heading\n";
  mha::test::write_file(dir / "s.txt", lines);
  const ProcessResult f = mha_cli({"embed", "--file", (dir / "s.txt").string(), "--model", tiny()});
  ASSERT_EQ(f.exit_code, 0) << f.err;
  EXPECT_TRUE(Contains(f.err, "s.txt: skipped 1 blank line\n"));
  const nlohmann::json j = nlohmann::json::parse(f.out);
  EXPECT_EQ(j["sentences"], (std::vector<std::string>{"the lazy dog", "a cat sat on the mat",
                                                      "attention heading"}));
  const ProcessResult s = mha_cli({"embed", "--model", tiny()}, {}, lines);
  ASSERT_EQ(s.exit_code, 0) << s.err;
  EXPECT_TRUE(Contains(s.err, "stdin: skipped 1 blank line\n"));
  EXPECT_EQ(s.out, f.out);
  const ProcessResult dash = mha_cli({"embed", "--file", "-", "--model", tiny()}, {}, lines);
  EXPECT_EQ(dash.out, f.out);
}

TEST(Embed, TheBatchSizeDoesNotChangeTheResult) {
  std::vector<std::string> args = {"embed", "--model", tiny()};
  for (const char* s :
       {"a", "the quick brown fox", "a cat", "every word looks at every word", "dog", "the mat"})
    args.emplace_back(s);
  const ProcessResult all = mha_cli(args);
  args.insert(args.end(), {"--batch", "2"});
  const ProcessResult twos = mha_cli(args);
  ASSERT_EQ(all.exit_code, 0) << all.err;
  ASSERT_EQ(twos.exit_code, 0) << twos.err;
  EXPECT_LE(max_diff(json_rows(nlohmann::json::parse(all.out)),
                     json_rows(nlohmann::json::parse(twos.out))),
            1e-6);
}

TEST(Embed, ProgressAndTimeGoToStderr) {
  const ProcessResult r = mha_cli({"embed", "a cat", "the dog", "a lazy fox", "--model", tiny(),
                                   "--batch", "1", "--progress", "--time"});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_TRUE(Contains(r.err, R"(\rmha embed \[#+\] 3/3 )"));
  EXPECT_TRUE(Contains(r.err, R"(mha embed: 3 sentences in [0-9.]+ s \([0-9.]+ sentences/s\))"));
  EXPECT_TRUE(nlohmann::json::accept(r.out));
  // Without --progress, and with stderr not a terminal: no bar.
  const ProcessResult quiet =
      mha_cli({"embed", "a cat", "the dog", "--model", tiny(), "--batch", "1"});
  EXPECT_TRUE(quiet.err.empty()) << quiet.err;
}

TEST(Embed, LongSentencesAreTruncatedWithAWarning) {
  std::string longer;
  for (int i = 0; i < 20; ++i) longer += "cat ";
  const ProcessResult r = mha_cli({"embed", "a dog", longer, "--model", tiny()});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_TRUE(Contains(r.err,
                       "warning: sentence 2 has 22 tokens; tiny reads at most 12 "
                       "\\(max_seq_length\\): the last 10 are dropped"));
  EXPECT_EQ(json_rows(nlohmann::json::parse(r.out)).size(), 2u);
}

TEST(Embed, TheRealModelMatchesSentenceTransformers) {
  REQUIRE_REAL_MODEL(model);
  const ScratchDir dir("embed_real");
  // The first golden sentence (tests/model/minilm_golden, written by sentence-transformers).
  const ProcessResult r =
      mha_cli({"embed", "The quick brown fox jumps over the lazy dog.", "A man is eating food.",
               "The quick brown fox jumps over the lazy dog.", "--model", model.string(), "--out",
               (dir / "e.npy").string()});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  const Rows e = npy_rows(dir / "e.npy");
  ASSERT_EQ(e.size(), 3u);
  ASSERT_EQ(e[0].size(), 384u);
  for (const auto& row : e) EXPECT_NEAR(std::sqrt(dot(row, row)), 1.0, 1e-6);
  EXPECT_NEAR(dot(e[0], e[2]), 1.0, 1e-6);  // cosine of a sentence with itself
  EXPECT_LT(dot(e[0], e[1]), 0.5);          // unrelated sentences
  const mha::Tensor want = mha::testing::load_npy(
      (fs::path(MHA_SOURCE_DIR) / "tests/model/minilm_golden/embeddings_f32.npy").string());
  double d = 0.0;
  for (std::int64_t k = 0; k < 384; ++k)
    d = std::max(d, std::abs(e[0][static_cast<std::size_t>(k)] - want.view().get({0, k})));
  EXPECT_LE(d, 1e-5);  // the bound of tests/model/minilm_parity_test.cpp
}

TEST(Embed, TheRealModelTruncatesAt256Tokens) {
  REQUIRE_REAL_MODEL(model);
  std::string text;
  for (int i = 0; i < 300; ++i) text += "word ";
  const ProcessResult r = mha_cli({"embed", text, "--model", model.string()});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_TRUE(Contains(r.err,
                       "warning: sentence 1 has 302 tokens; all-MiniLM-L6-v2 reads at "
                       "most 256 \\(max_seq_length\\): the last 46 are dropped"));
}

}  // namespace
