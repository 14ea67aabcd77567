// bf16_dot_ratio (isa.hpp): vdpbf16ps against the fp32 FMA, timed on this core.
#include <algorithm>
#include <chrono>

#include "attention/cpu/isa.hpp"
#include "attention/cpu/tuning.hpp"

namespace mha::detail {
namespace {

// Independent accumulator chains: more than latency × throughput (4 cycles × 2 per cycle), so
// that each loop runs at the instruction's throughput.
constexpr int kChains = 16;
constexpr long kSteps = 2000;  // 32,000 instructions per timing: about 10 µs

using Clock = std::chrono::steady_clock;
double since(Clock::time_point t0) {
  return std::chrono::duration<double>(Clock::now() - t0).count();
}

// The timed loops are written in assembly: what is timed must not depend on the compiler. From
// intrinsics, clang folded the FMA loop (whose values it could compute) into nothing and timed
// the clock alone, and with sanitizers or at -O0 the accumulators lived in memory: ratios of
// 1.2–2.4 on a CPU where it is 0.5, so that clang builds chose the slower bf16 kernel and two
// processes could disagree (CI, stop 15). zmm16–zmm31 are the chains, zmm0 the operand (zero:
// the values stay 0, no denormal or NaN assists).
#define MHA_CHAINS_16(op)                                                                    \
  op(16) op(17) op(18) op(19) op(20) op(21) op(22) op(23) op(24) op(25) op(26) op(27) op(28) \
      op(29) op(30) op(31)
#define MHA_ZERO(r) "vpxord %%zmm" #r ", %%zmm" #r ", %%zmm" #r "\n\t"
#define MHA_FMA(r) "vfmadd231ps %%zmm0, %%zmm0, %%zmm" #r "\n\t"
#define MHA_DOT(r) "vdpbf16ps %%zmm0, %%zmm0, %%zmm" #r "\n\t"
// clang-format off
#define MHA_TIMED_LOOP(op)                                                                \
  asm volatile("vpxord %%zmm0, %%zmm0, %%zmm0\n\t"                                        \
               MHA_CHAINS_16(MHA_ZERO)                                                     \
               "1:\n\t"                                                                    \
               MHA_CHAINS_16(op)                                                           \
               "dec %[n]\n\t"                                                              \
               "jnz 1b\n\t"                                                                \
               : [n] "+r"(n)                                                               \
               :                                                                           \
               : "cc", "xmm0", "xmm16", "xmm17", "xmm18", "xmm19", "xmm20", "xmm21", "xmm22", \
                 "xmm23", "xmm24", "xmm25", "xmm26", "xmm27", "xmm28", "xmm29", "xmm30", "xmm31")
// clang-format on

__attribute__((target("avx512f"))) double fma_seconds() {
  long n = kSteps;
  const auto t0 = Clock::now();
  MHA_TIMED_LOOP(MHA_FMA);
  return since(t0);
}

__attribute__((target("avx512f,avx512bf16"))) double dot_seconds() {
  long n = kSteps;
  const auto t0 = Clock::now();
  MHA_TIMED_LOOP(MHA_DOT);
  return since(t0);
}

#undef MHA_TIMED_LOOP
#undef MHA_DOT
#undef MHA_FMA
#undef MHA_ZERO
#undef MHA_CHAINS_16

DotTimings measure() {
  // Alternating timings, the best of each: a neighbour that takes the core for a moment slows
  // one sample, not the comparison.
  DotTimings t{kSteps * kChains, 1e30, 1e30};
  for (int round = 0; round < 5; ++round) {
    t.fma_seconds = std::min(t.fma_seconds, fma_seconds());
    t.dot_seconds = std::min(t.dot_seconds, dot_seconds());
  }
  return t;
}

}  // namespace

DotTimings bf16_dot_timings() {
  if (!isa_supported(Isa::avx512_bf16)) return {};
  static const DotTimings timings = measure();
  return timings;
}

double bf16_dot_ratio() {
  const DotTimings t = bf16_dot_timings();
  if (t.instructions == 0) return 0.0;
  // Flops: an FMA does 2 per lane, a vdpbf16ps 4 (two products and their sums).
  return (4.0 / t.dot_seconds) / (2.0 / t.fma_seconds);
}

bool bf16_dot_pays() { return bf16_dot_ratio() >= kBf16DotMinRatio; }

}  // namespace mha::detail
