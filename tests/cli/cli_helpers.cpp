#include "cli_helpers.hpp"

#include <unistd.h>

#include <fstream>
#include <regex>
#include <sstream>

#include "mha/model.hpp"

namespace mha::test {

namespace fs = std::filesystem;

ProcessResult mha_cli(const std::vector<std::string>& args,
                      const std::vector<std::pair<std::string, std::string>>& set_env,
                      const std::string& input) {
  std::vector<std::string> unset;
  for (const char* name : {"MHA_NUM_THREADS", "MHA_MODEL_DIR", "NO_COLOR"}) {
    bool set = false;
    for (const auto& kv : set_env) set = set || kv.first == name;
    if (!set) unset.emplace_back(name);
  }
  return run_process(MHA_CLI_PATH, args, set_env, unset, input);
}

::testing::AssertionResult Contains(const std::string& text, const std::string& pattern) {
  if (std::regex_search(text, std::regex(pattern))) return ::testing::AssertionSuccess();
  return ::testing::AssertionFailure() << "no match for /" << pattern << "/ in:\n" << text;
}

fs::path tiny_model() { return fs::path(MHA_SOURCE_DIR) / "tests" / "model" / "tiny"; }

fs::path real_model(std::string* why) {
  const fs::path dir = mha::default_model_dir();
  if (fs::exists(dir / "model.safetensors") && fs::exists(dir / "vocab.txt")) return dir;
  if (why)
    *why = "all-MiniLM-L6-v2 is not in " + dir.string() +
           " — run scripts/fetch_model.sh (or set MHA_MODEL_DIR) to run the tool on the real model";
  return {};
}

ScratchDir::ScratchDir(const std::string& name)
    : path_(fs::temp_directory_path() / ("mha_cli_" + std::to_string(::getpid()) + "_" + name)) {
  fs::remove_all(path_);
  fs::create_directories(path_);
}

ScratchDir::~ScratchDir() {
  std::error_code ec;
  fs::remove_all(path_, ec);
}

std::string read_file(const fs::path& path) {
  std::ifstream in(path, std::ios::binary);
  std::ostringstream s;
  s << in.rdbuf();
  return s.str();
}

void write_file(const fs::path& path, const std::string& bytes) {
  std::ofstream(path, std::ios::binary | std::ios::trunc) << bytes;
}

}  // namespace mha::test
