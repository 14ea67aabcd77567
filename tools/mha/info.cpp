// `mha info`: the machine and the build, as mha sees them.
#include <cstdlib>
#include <iostream>
#include <string>
#include <string_view>
#include <vector>

#include "build_info.hpp"
#include "commands.hpp"
#include "mha/cpu_info.hpp"
#include "mha/threads.hpp"
#include "mha/version.hpp"

namespace mha::cli {
namespace {

std::string joined(const std::vector<std::string_view>& words) {
  std::string s;
  for (const std::string_view w : words) {
    if (!s.empty()) s += ' ';
    s += w;
  }
  return s.empty() ? "(none)" : s;
}

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
  const CpuInfo cpu = cpu_info();
  std::vector<std::string_view> missing;
  for (const CpuFeatureName& f : kCpuFeatureNames)
    if (!(cpu.features.*f.flag)) missing.push_back(f.name);
  auto yes_no = [](bool b) { return b ? "yes" : "no"; };

  std::cout << "mha " << MHA_VERSION_STRING << "\n"
            << "cpu:       " << cpu.brand << "\n"
            << "           " << cpu.vendor << ", " << cpu.architecture << ", " << cpu.logical_cores
            << " logical cores\n"
            << "features:  " << joined(cpu.feature_list()) << "\n"
            << "missing:   " << joined(missing) << "\n";
  if (cpu.architecture == "x86-64")
    std::cout << "os state:  ymm " << yes_no(cpu.os_saves_ymm) << ", zmm "
              << yes_no(cpu.os_saves_zmm) << ", amx tiles " << yes_no(cpu.os_saves_amx)
              << " (XCR0: features count only where the OS saves their registers)\n";
  std::cout << "threads:   " << num_threads() << " (" << threads_source(global) << ")\n"
            << "backend:   " << backend_name() << "\n"
            << "build:     " << build_type() << ", " << compiler() << ", C++"
            << __cplusplus / 100 % 100 << "\n";
  return 0;
}

}  // namespace

Command add_info_command(CLI::App& app, const GlobalOptions& global) {
  CLI::App* sub = app.add_subcommand(
      "info", "Show the CPU, its vector features, threads, the attention backend and the build");
  return {sub, [&global] { return run_info(global); }};
}

}  // namespace mha::cli
