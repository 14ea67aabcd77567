#pragma once
// Shared by the tests of the `mha` tool: running it, matching its output, the models it runs on,
// scratch directories.
#include <gtest/gtest.h>

#include <filesystem>
#include <string>
#include <utility>
#include <vector>

#include "run_process.hpp"

namespace mha::test {

inline constexpr int kUsage = 2;  // a command line that does not parse or asks the impossible
inline constexpr int kError = 1;  // an error while running

// Runs the tool. A stray MHA_NUM_THREADS or MHA_MODEL_DIR in the caller's environment must not
// change what the tests see: both are removed unless set_env sets them.
ProcessResult mha_cli(const std::vector<std::string>& args,
                      const std::vector<std::pair<std::string, std::string>>& set_env = {},
                      const std::string& input = {});

// Success when `pattern` (ECMAScript regex) matches somewhere in `text`; the failure shows both.
::testing::AssertionResult Contains(const std::string& text, const std::string& pattern);

// The tiny BERT of tests/model/tiny (2 layers x 2 heads, hidden 12, 35 tokens, max_seq_length
// 12): always there, so the tool's plumbing is tested on every machine.
std::filesystem::path tiny_model();

// all-MiniLM-L6-v2 in mha::default_model_dir(), or empty (with the reason) when it is not there.
std::filesystem::path real_model(std::string* why);

// Skips the test, loudly, when the real model is absent (scripts/fetch_model.sh fetches it;
// scripts/test.sh does so before running the tests).
#define REQUIRE_REAL_MODEL(dir)                                      \
  std::string why_;                                                  \
  const std::filesystem::path dir = ::mha::test::real_model(&why_);  \
  if (dir.empty()) {                                                 \
    std::fprintf(stderr, "\n*** SKIPPED: %s ***\n\n", why_.c_str()); \
    GTEST_SKIP() << why_;                                            \
  }

// A fresh directory under the temporary directory, removed with everything in it at the end.
class ScratchDir {
 public:
  explicit ScratchDir(const std::string& name);
  ~ScratchDir();
  ScratchDir(const ScratchDir&) = delete;
  ScratchDir& operator=(const ScratchDir&) = delete;
  const std::filesystem::path& path() const { return path_; }
  std::filesystem::path operator/(const std::string& name) const { return path_ / name; }

 private:
  std::filesystem::path path_;
};

std::string read_file(const std::filesystem::path& path);
void write_file(const std::filesystem::path& path, const std::string& bytes);

}  // namespace mha::test
