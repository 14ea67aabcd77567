// bf16_dot_ratio (isa.hpp): vdpbf16ps against the fp32 FMA, timed on this core.
#include <algorithm>
#include <chrono>
#include <immintrin.h>

#include "attention/cpu/isa.hpp"
#include "attention/cpu/tuning.hpp"

namespace mha::detail {
namespace {

// Independent accumulator chains: more than latency × throughput (4 cycles × 2 per cycle), so
// that each loop runs at the instruction's throughput.
constexpr int kChains = 16;
constexpr long kSteps = 2000;  // 32,000 instructions per timing: about 10 µs

using Clock = std::chrono::steady_clock;
double since(Clock::time_point t0) { return std::chrono::duration<double>(Clock::now() - t0).count(); }

// Uses the accumulators, so that the loops are not optimized away.
__attribute__((target("avx512f"))) void keep(const __m512 (&a)[kChains]) {
  alignas(64) float lanes[16];
  volatile float sink = 0.0f;
  for (int i = 0; i < kChains; ++i) {
    _mm512_store_ps(lanes, a[i]);
    sink = sink + lanes[0];
  }
}

__attribute__((target("avx512f"))) double fma_seconds() {
  __m512 a[kChains];
  for (int i = 0; i < kChains; ++i) a[i] = _mm512_set1_ps(1.0f);
  const __m512 b = _mm512_set1_ps(0.5f), c = _mm512_set1_ps(0.5f);  // a → a/2 + 1/2: stays at 1
  const auto t0 = Clock::now();
  for (long k = 0; k < kSteps; ++k)
    for (int i = 0; i < kChains; ++i) a[i] = _mm512_fmadd_ps(a[i], b, c);
  const double s = since(t0);
  keep(a);
  return s;
}

__attribute__((target("avx512f,avx512bf16"))) double dot_seconds() {
  __m512 a[kChains];
  for (int i = 0; i < kChains; ++i) a[i] = _mm512_setzero_ps();
  const __m512bh x = reinterpret_cast<__m512bh>(_mm512_set1_epi16(0x3f80));  // bf16 1.0 pairs
  const auto t0 = Clock::now();
  for (long k = 0; k < kSteps; ++k)
    for (int i = 0; i < kChains; ++i) a[i] = _mm512_dpbf16_ps(a[i], x, x);
  const double s = since(t0);
  keep(a);
  return s;
}

double measure() {
  // Alternating timings, the best of each: a neighbour that takes the core for a moment slows
  // one sample, not the comparison.
  double fma = 1e30, dot = 1e30;
  for (int round = 0; round < 5; ++round) {
    fma = std::min(fma, fma_seconds());
    dot = std::min(dot, dot_seconds());
  }
  // Flops: an FMA does 2 per lane, a vdpbf16ps 4 (two products and their sums).
  return (4.0 / dot) / (2.0 / fma);
}

}  // namespace

double bf16_dot_ratio() {
  if (!isa_supported(Isa::avx512_bf16)) return 0.0;
  static const double ratio = measure();
  return ratio;
}

bool bf16_dot_pays() { return bf16_dot_ratio() >= kBf16DotMinRatio; }

}  // namespace mha::detail
