// `mha info`: the machine and the build, as mha sees them (mha::info_report, shared with Python's
// mha.info()).
#include <cstdlib>
#include <iostream>
#include <string>

#include "commands.hpp"
#include "mha/info.hpp"
#include "mha/threads.hpp"

namespace mha::cli {
namespace {

// Where the thread count came from, so that a user whose MHA_NUM_THREADS was ignored sees why.
std::string threads_source(const GlobalOptions& global) {
  if (global.threads) return "from --threads";
  const char* env = std::getenv("MHA_NUM_THREADS");
  if (env == nullptr) return "every hardware thread; set MHA_NUM_THREADS or --threads to change";
  if (std::string(env) == std::to_string(num_threads())) return "from MHA_NUM_THREADS";
  return "MHA_NUM_THREADS=\"" + std::string(env) +
         "\" ignored: not an integer in 1..4096; using every hardware thread";
}

int run_info(const GlobalOptions& global) {
  std::cout << info_report(threads_source(global));
  return 0;
}

}  // namespace

Command add_info_command(CLI::App& app, const GlobalOptions& global) {
  CLI::App* sub = app.add_subcommand(
      "info", "Show the CPU, its vector features, threads, the attention backend and the build");
  return {sub, [&global] { return run_info(global); }};
}

}  // namespace mha::cli
