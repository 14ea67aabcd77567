// `mha bench`: measures this machine's FMA peak and memory bandwidth, then validates and times
// the standard grid (BENCHMARKS.md), printing GFLOP/s (GB/s for decode) and the % of peak.
#include <cstdio>
#include <fstream>
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "bench_grid.hpp"
#include "bench_machine.hpp"
#include "commands.hpp"
#include "mha/cpu_info.hpp"
#include "mha/error.hpp"
#include "mha/threads.hpp"

namespace mha::cli {
namespace {

struct BenchOptions {
  std::string json;
  std::vector<std::string> cases;
  int reps = 5;
  bool quick = false;
  bool list = false;
};

bool selected(const BenchCase& c, const BenchOptions& o) {
  if (o.quick && (c.memory_check || c.flops() > 4e10 || c.Skv > 8192)) return false;
  if (o.cases.empty()) return !c.memory_check || !o.quick;
  for (const auto& want : o.cases)
    if (c.name == want || c.label().find(want) != std::string::npos) return true;
  return false;
}

int run_bench(const BenchOptions& o) {
  const std::vector<BenchCase> grid = standard_grid();
  if (o.list) {
    for (const auto& c : grid) std::printf("%s\n", c.label().c_str());
    return 0;
  }
  const int threads = num_threads();
  const CpuInfo cpu = cpu_info();
  std::printf("machine   %s, %d threads used (of %d)\n", cpu.brand.c_str(), threads, cpu.logical_cores);
  std::printf("backend   %s\n", backend_name().c_str());
  std::fflush(stdout);
  const MachinePeaks peaks = measure_machine(threads);
  std::printf("peaks     fp32 FMA %.1f GFLOP/s (%s), bf16 dot %.1f GFLOP/s, triad %.1f GB/s (measured now)\n\n",
              peaks.fp32_gflops, peaks.fma_isa, peaks.bf16_gflops, peaks.bandwidth_gbs);
  std::printf("%-62s %9s %19s %11s %7s  %s\n", "case", "median ms", "min–max ms", "rate", "% peak", "validated");
  std::fflush(stdout);
  nlohmann::json out = nlohmann::json::array();
  for (const BenchCase& c : grid) {
    if (!selected(c, o)) continue;
    const BenchResult r = run_case(c, peaks, o.reps);
    std::printf("%-62s %9.2f %8.2f–%-10.2f %6.1f %-4s %6.1f%%  err %.1e <= %.1e", c.label().c_str(), r.ms_median,
                r.ms_min, r.ms_max, r.rate, r.unit, 100.0 * r.rate / r.peak, r.max_error, r.bound);
    if (r.extra_mib >= 0) std::printf("  peak RSS +%.1f MiB above inputs+outputs", r.extra_mib);
    std::printf("\n");
    std::fflush(stdout);
    out.push_back({{"case", c.name},
                   {"label", c.label()},
                   {"dtype", dtype_name(c.dtype)},
                   {"B", c.B},
                   {"H", c.H},
                   {"Hkv", c.Hkv},
                   {"Sq", c.Sq},
                   {"Skv", c.Skv},
                   {"D", c.D},
                   {"E", c.E},
                   {"causal", c.causal},
                   {"masked", c.mask == BenchMask::none ? "none" : c.mask == BenchMask::boolean ? "bool" : "float"},
                   {"need_weights", c.kind == BenchKind::module_weights},
                   {"threads", threads},
                   {"unit", r.unit},
                   {"peak", r.peak},
                   {"mha", r.rate},
                   {"torch", nullptr},
                   {"ort", nullptr},
                   {"ms_median", r.ms_median},
                   {"ms_min", r.ms_min},
                   {"ms_max", r.ms_max},
                   {"max_error", r.max_error},
                   {"bound", r.bound},
                   {"extra_mib", r.extra_mib >= 0 ? nlohmann::json(r.extra_mib) : nlohmann::json(nullptr)}});
  }
  if (!o.json.empty()) {
    std::ofstream f(o.json);
    if (!f) throw Error("mha bench: cannot write --json file " + o.json);
    f << out.dump(1) << "\n";
  }
  return 0;
}

}  // namespace

Command add_bench_command(CLI::App& app, const GlobalOptions& global) {
  auto opts = std::make_shared<BenchOptions>();
  CLI::App* sub = app.add_subcommand("bench", "Measure peak FLOP/s and bandwidth, then validate and time the standard grid");
  sub->add_option("--json", opts->json, "Also write the results to this JSON file");
  sub->add_option("--case", opts->cases, "Only cases whose name or label contains this (repeatable)");
  sub->add_option("--reps", opts->reps, "Timed repetitions per case (median reported)")->check(CLI::Range(1, 1000));
  sub->add_flag("--quick", opts->quick, "Skip the largest cases (long, decode 32768, > 40 GFLOP)");
  sub->add_flag("--list", opts->list, "List the grid and exit");
  return Command{sub, [opts, &global] {
                   if (global.threads) set_num_threads(*global.threads);
                   return run_bench(*opts);
                 }};
}

}  // namespace mha::cli
