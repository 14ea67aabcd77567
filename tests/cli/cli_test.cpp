// The `mha` tool, run as a separate process exactly as a user runs it: exit codes, stdout and
// stderr of each subcommand, and the errors that must be messages, never crashes.
#include <gtest/gtest.h>

#include <regex>
#include <string>
#include <vector>

#include "mha/cpu_info.hpp"
#include "mha/version.hpp"
#include "run_process.hpp"

namespace {

using mha::test::ProcessResult;

ProcessResult mha_cli(const std::vector<std::string>& args,
                      const std::vector<std::pair<std::string, std::string>>& set_env = {}) {
  // A stray MHA_NUM_THREADS in the caller's environment must not change what the tests see.
  const std::vector<std::string> unset =
      set_env.empty() ? std::vector<std::string>{"MHA_NUM_THREADS"} : std::vector<std::string>{};
  return mha::test::run_process(MHA_CLI_PATH, args, set_env, unset);
}

::testing::AssertionResult Contains(const std::string& text, const std::string& pattern) {
  if (std::regex_search(text, std::regex(pattern))) return ::testing::AssertionSuccess();
  return ::testing::AssertionFailure() << "no match for /" << pattern << "/ in:\n" << text;
}

constexpr int kUsage = 2;

TEST(Cli, VersionPrintsTheLibraryVersion) {
  const ProcessResult r = mha_cli({"--version"});
  EXPECT_EQ(r.exit_code, 0);
  EXPECT_EQ(r.out, "mha " MHA_VERSION_STRING "\n");
}

TEST(Cli, HelpNamesTheSubcommands) {
  const ProcessResult r = mha_cli({"--help"});
  EXPECT_EQ(r.exit_code, 0);
  EXPECT_TRUE(Contains(r.out, R"(\binfo\b)"));
  EXPECT_TRUE(Contains(r.out, R"(\bexplain\b)"));
  EXPECT_TRUE(Contains(r.out, "--threads"));
  EXPECT_TRUE(Contains(r.out, "--version"));
}

TEST(Cli, UsageErrorsExitWithTwo) {
  for (const std::vector<std::string>& args :
       std::vector<std::vector<std::string>>{{},
                                             {"no-such-command"},
                                             {"--no-such-option"},
                                             {"--threads", "0", "info"},
                                             {"--threads", "many", "info"},
                                             {"info", "extra"}}) {
    const ProcessResult r = mha_cli(args);
    EXPECT_EQ(r.exit_code, kUsage) << "args: " << ::testing::PrintToString(args);
    EXPECT_FALSE(r.err.empty()) << "args: " << ::testing::PrintToString(args);
  }
}

TEST(Cli, InfoPrintsTheDetectedFeatures) {
  const ProcessResult r = mha_cli({"info"});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  // The features line lists exactly what the library detects, in its order.
  std::string features;
  for (const std::string_view f : mha::cpu_info().feature_list())
    features += (features.empty() ? "" : " ") + std::string(f);
  EXPECT_TRUE(
      Contains(r.out, "\nfeatures: +" + (features.empty() ? "\\(none\\)" : features) + "\n"));
  EXPECT_TRUE(Contains(r.out, "\ncpu: +\\S"));
  EXPECT_TRUE(Contains(
      r.out,
      "\nbackend: +" + std::regex_replace(mha::backend_name(), std::regex(R"([()])"), R"(\$&)")));
  EXPECT_TRUE(Contains(r.out, "\nthreads: +[1-9][0-9]* "));
  EXPECT_TRUE(Contains(r.out, "\nbuild: +\\S+, \\S+ [0-9]"));
}

TEST(Cli, InfoReportsWhereTheThreadCountCameFrom) {
  EXPECT_TRUE(Contains(mha_cli({"info"}, {{"MHA_NUM_THREADS", "3"}}).out,
                       "threads: +3 \\(from MHA_NUM_THREADS\\)"));
  EXPECT_TRUE(
      Contains(mha_cli({"--threads", "5", "info"}).out, "threads: +5 \\(from --threads\\)"));
  // Global options are accepted after the subcommand too.
  EXPECT_TRUE(
      Contains(mha_cli({"info", "--threads", "6"}).out, "threads: +6 \\(from --threads\\)"));
  EXPECT_TRUE(Contains(mha_cli({"info"}, {{"MHA_NUM_THREADS", "zero"}}).out,
                       "MHA_NUM_THREADS=\"zero\" ignored"));
}

TEST(Cli, ExplainShowsTheSixStepsWithTheirShapes) {
  const ProcessResult r = mha_cli({"explain"});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_TRUE(r.err.empty()) << r.err;
  // "The quick brown fox jumps over the lazy dog." is 9 words and a full stop: S = 10; E = 32,
  // H = 4, D = 8.
  EXPECT_TRUE(Contains(r.out, "TOY MODEL"));
  EXPECT_TRUE(Contains(r.out, "all-MiniLM-L6-v2"));
  EXPECT_TRUE(Contains(r.out, "tokens +S = 10: the \\| quick .* dog \\| \\."));
  EXPECT_TRUE(Contains(r.out, R"(1\. input +x \[1, 10, 32\])"));
  EXPECT_TRUE(
      Contains(r.out, R"(2\. project +q \[1, 4, 10, 8\] +k \[1, 4, 10, 8\] +v \[1, 4, 10, 8\])"));
  EXPECT_TRUE(Contains(r.out, R"(3\. score +scores \[1, 4, 10, 10\])"));
  EXPECT_TRUE(Contains(r.out, R"(scale = 1/sqrt\(D\) = 1/sqrt\(8\) = 0\.353553)"));
  EXPECT_TRUE(Contains(r.out, R"(4\. weigh +weights \[1, 4, 10, 10\] +heads \[1, 4, 10, 8\])"));
  EXPECT_TRUE(Contains(r.out, R"(row sums of weights +min 1\.000000, max 1\.000000)"));
  EXPECT_TRUE(Contains(r.out, R"(5\. concat +concat \[1, 10, 32\])"));
  EXPECT_TRUE(Contains(r.out, R"(6\. output +y \[1, 10, 32\])"));
  EXPECT_TRUE(Contains(r.out, R"(output +max abs difference \S+ \(tolerance \S+\) +ok)"));
  EXPECT_TRUE(Contains(r.out, R"(weights +max abs difference \S+ \(tolerance \S+\) +ok)"));
  EXPECT_FALSE(Contains(r.out, "MISMATCH"));
}

TEST(Cli, ExplainIsDeterministic) {
  const ProcessResult a = mha_cli({"explain", "Attention, please!"});
  const ProcessResult b = mha_cli({"explain", "Attention, please!", "--threads", "1"});
  ASSERT_EQ(a.exit_code, 0) << a.err;
  ASSERT_EQ(b.exit_code, 0) << b.err;
  EXPECT_TRUE(Contains(a.out, "tokens +S = 4: attention \\| , \\| please \\| !\n"));
  EXPECT_TRUE(Contains(a.out, R"(1\. input +x \[1, 4, 32\])"));
  // Same text, same numbers, whatever the thread count (the thread count line differs).
  const std::regex threads_line("backend .*\n");
  EXPECT_EQ(std::regex_replace(a.out, threads_line, ""),
            std::regex_replace(b.out, threads_line, ""));
}

TEST(Cli, ExplainAcceptsUnicodeText) {
  const ProcessResult r =
      mha_cli({"explain", "Größe café \xe2\x80\x94 na\xc3\xafve \xf0\x9f\x98\x80"});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_TRUE(Contains(
      r.out, "tokens +S = 5: größe \\| café \\| \xe2\x80\x94 \\| naïve \\| \xf0\x9f\x98\x80\n"));
}

TEST(Cli, ExplainRejectsTextWithoutWords) {
  for (const std::string text : {"", " ", " \t\n "}) {
    const ProcessResult r = mha_cli({"explain", text});
    EXPECT_EQ(r.exit_code, kUsage) << "text: \"" << text << "\"";
    EXPECT_TRUE(Contains(r.err, "no words to attend to"));
    EXPECT_TRUE(r.out.empty()) << r.out;
  }
}

TEST(Cli, ExplainRejectsInvalidUtf8) {
  for (const std::string text : {
           "\xff",                // never valid
           "abc \x80",            // a lone continuation byte
           "caf\xc3",             // truncated two-byte sequence
           "\xc0\xaf",            // overlong '/'
           "\xe0\x80\xaf",        // overlong, three bytes
           "\xed\xa0\x80",        // UTF-16 surrogate U+D800
           "\xf4\x90\x80\x80",    // U+110000, above the Unicode range
           "\xf0\x9f\x98",        // truncated four-byte sequence
           "ok \xe2\x28\xa1 ok",  // bad second byte
       }) {
    const ProcessResult r = mha_cli({"explain", text});
    EXPECT_EQ(r.exit_code, kUsage) << ::testing::PrintToString(text);
    EXPECT_TRUE(Contains(r.err, "not valid UTF-8 \\(byte 0x[0-9a-f]{2} at offset [0-9]+\\)"));
    EXPECT_TRUE(r.out.empty()) << r.out;
  }
}

TEST(Cli, ExplainRejectsTooManyTokens) {
  std::string text;
  for (int i = 0; i < 513; ++i) text += "word ";
  const ProcessResult r = mha_cli({"explain", text});
  EXPECT_EQ(r.exit_code, kUsage);
  EXPECT_TRUE(Contains(r.err, "513 tokens; the toy model takes at most 512"));
}

}  // namespace
