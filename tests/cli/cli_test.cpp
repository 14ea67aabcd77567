// The `mha` tool, run as a separate process exactly as a user runs it: version, help, usage
// errors and `mha info`. The model subcommands have files of their own (explain_test.cpp,
// embed_test.cpp, tokenize_test.cpp, bad_input_test.cpp).
#include <gtest/gtest.h>

#include <regex>
#include <string>
#include <vector>

#include "cli/cli_helpers.hpp"
#include "mha/cpu_info.hpp"
#include "mha/version.hpp"

namespace {

using mha::test::Contains;
using mha::test::kUsage;
using mha::test::mha_cli;
using mha::test::ProcessResult;

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
  EXPECT_TRUE(Contains(r.out, R"(\bembed\b)"));
  EXPECT_TRUE(Contains(r.out, R"(\btokenize\b)"));
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

}  // namespace
