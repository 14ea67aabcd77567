#pragma once
// The standard grid of BENCHMARKS.md and how one case is validated and timed.
#include <cstdint>
#include <string>
#include <vector>

#include "bench_machine.hpp"
#include "mha/dtype.hpp"

namespace mha::cli {

enum class BenchKind { attention, module, module_weights };
enum class BenchMask { none, boolean, additive };

struct BenchCase {
  std::string name;  // "prefill-64", "decode-gqa", ...
  BenchKind kind = BenchKind::attention;
  DType dtype = DType::f32;
  std::int64_t B = 1, H = 8, Hkv = 8, Sq = 0, Skv = 0, D = 64;
  bool causal = false;
  BenchMask mask = BenchMask::none;
  bool memory_check = false;  // the long case: report peak memory, time one run
  std::int64_t E = 0;         // module cases
  // Work counted as BENCHMARKS.md says: attention 4·B·H·Sq·Skv·D (causal: only the kept
  // pairs), module adds 2·B·S·E·(E + 2·Ekv + E); decode is measured in bytes of K and V.
  double flops() const;
  double bytes() const;
  bool bandwidth_bound() const { return Sq == 1; }
  std::string label() const;  // one line: name, shape, dtype, flags
};

std::vector<BenchCase> standard_grid();

struct BenchResult {
  BenchCase c;
  double ms_median = 0, ms_min = 0, ms_max = 0;
  double rate = 0;                     // GFLOP/s or GB/s (median time)
  double peak = 0;                     // the matching peak measured in this run
  double max_error = 0, bound = 0;     // validation: worst |mha − exact| on sampled rows
  double extra_mib = -1;               // memory check: peak RSS during the call above before it
  const char* unit = "GFLOP/s";
};

// Validates (sampled rows against an exact double computation) and times one case.
// Throws mha::Error when validation fails: a timing of a wrong result is not reported.
BenchResult run_case(const BenchCase& c, const MachinePeaks& peaks, int reps);

}  // namespace mha::cli
