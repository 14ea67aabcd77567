// FMA peak and memory bandwidth. The FMA loops keep 16 independent accumulators per thread: with
// a 4-cycle FMA latency and two FMA pipes, 8 chains in flight saturate them; 16 leaves margin.
#include "bench_machine.hpp"

#include <immintrin.h>

#include <algorithm>
#include <chrono>
#include <cstdint>
#include <cstdlib>
#include <cstring>
#include <vector>

#include "mha/cpu_info.hpp"

namespace mha::cli {
namespace {

using Clock = std::chrono::steady_clock;
constexpr long kFmaIterations = 40'000'000;  // × 16 FMAs: about 0.2 s per thread at peak

double seconds_since(Clock::time_point t0) { return std::chrono::duration<double>(Clock::now() - t0).count(); }

__attribute__((target("avx512f"))) double fma_avx512(long iters) {
  __m512 a[16];
  for (int i = 0; i < 16; ++i) a[i] = _mm512_set1_ps(1.0f + 0.001f * i);
  const __m512 b = _mm512_set1_ps(0.9999999f), c = _mm512_set1_ps(1e-7f);
  const auto t0 = Clock::now();
  for (long n = 0; n < iters; ++n)
    for (int i = 0; i < 16; ++i) a[i] = _mm512_fmadd_ps(a[i], b, c);
  const double s = seconds_since(t0);
  volatile float sink = 0;
  for (int i = 0; i < 16; ++i) sink = sink + _mm512_reduce_add_ps(a[i]);
  return static_cast<double>(iters) * 16 * 16 * 2 / s;
}

__attribute__((target("avx2,fma"))) double fma_avx2(long iters) {
  __m256 a[16];
  for (int i = 0; i < 16; ++i) a[i] = _mm256_set1_ps(1.0f + 0.001f * i);
  const __m256 b = _mm256_set1_ps(0.9999999f), c = _mm256_set1_ps(1e-7f);
  const auto t0 = Clock::now();
  for (long n = 0; n < iters; ++n)
    for (int i = 0; i < 16; ++i) a[i] = _mm256_fmadd_ps(a[i], b, c);
  const double s = seconds_since(t0);
  alignas(32) float out[8];
  volatile float sink = 0;
  for (int i = 0; i < 16; ++i) {
    _mm256_store_ps(out, a[i]);
    sink = sink + out[0];
  }
  return static_cast<double>(iters) * 16 * 8 * 2 / s;
}

__attribute__((target("avx512f,avx512bf16"))) double dp_bf16(long iters) {
  __m512 a[16];
  for (int i = 0; i < 16; ++i) a[i] = _mm512_setzero_ps();
  const __m512bh b = reinterpret_cast<__m512bh>(_mm512_set1_epi16(0x3f80)), c = b;  // bf16 1.0
  const auto t0 = Clock::now();
  for (long n = 0; n < iters; ++n)
    for (int i = 0; i < 16; ++i) a[i] = _mm512_dpbf16_ps(a[i], b, c);
  const double s = seconds_since(t0);
  volatile float sink = 0;
  for (int i = 0; i < 16; ++i) sink = sink + _mm512_reduce_add_ps(a[i]);
  return static_cast<double>(iters) * 16 * 16 * 4 / s;  // 2 products + 2 adds per fp32 lane
}

double fma_scalar(long iters) {
  float a[16];
  for (int i = 0; i < 16; ++i) a[i] = 1.0f + 0.001f * i;
  const auto t0 = Clock::now();
  for (long n = 0; n < iters / 16; ++n)
    for (int i = 0; i < 16; ++i) a[i] = a[i] * 0.9999999f + 1e-7f;
  const double s = seconds_since(t0);
  volatile float sink = a[0];
  (void)sink;
  return static_cast<double>(iters / 16) * 16 * 2 / s;
}

// Runs f on every thread at once and sums their rates (each thread's own timing).
template <class F>
double all_threads(int threads, F f) {
  double total = 0.0;
#pragma omp parallel num_threads(threads) reduction(+ : total)
  total += f();
  return total;
}

double triad_gbs(int threads) {
  const std::size_t n = (std::size_t{256} << 20) / sizeof(float);  // 256 MiB per array: far beyond L3
  float* a = static_cast<float*>(std::aligned_alloc(64, n * sizeof(float)));
  float* b = static_cast<float*>(std::aligned_alloc(64, n * sizeof(float)));
  float* c = static_cast<float*>(std::aligned_alloc(64, n * sizeof(float)));
  const auto ni = static_cast<std::int64_t>(n);
#pragma omp parallel for num_threads(threads) schedule(static)
  for (std::int64_t i = 0; i < ni; ++i) {  // first touch by the thread that will use the page
    a[i] = 0.0f;
    b[i] = 1.0f;
    c[i] = 2.0f;
  }
  double best = 0.0;
  for (int rep = 0; rep < 5; ++rep) {
    const auto t0 = Clock::now();
#pragma omp parallel for num_threads(threads) schedule(static)
    for (std::int64_t i = 0; i < ni; ++i) a[i] = b[i] + 0.5f * c[i];
    const double s = seconds_since(t0);
    best = std::max(best, 3.0 * static_cast<double>(n * sizeof(float)) / s / 1e9);  // 2 reads + 1 write
  }
  std::free(a);
  std::free(b);
  std::free(c);
  return best;
}

}  // namespace

MachinePeaks measure_machine(int threads) {
  const CpuFeatures f = cpu_info().features;
  MachinePeaks m;
  auto best_of = [&](auto fn) {  // best of 3: a core that was busy elsewhere for a moment
    double b = 0.0;
    for (int r = 0; r < 3; ++r) b = std::max(b, all_threads(threads, fn));
    return b / 1e9;
  };
  if (f.avx512f) {
    m.fma_isa = "avx512";
    m.fp32_gflops = best_of([] { return fma_avx512(kFmaIterations / 2); });
  } else if (f.avx2 && f.fma) {
    m.fma_isa = "avx2";
    m.fp32_gflops = best_of([] { return fma_avx2(kFmaIterations / 2); });
  } else {
    m.fp32_gflops = best_of([] { return fma_scalar(kFmaIterations); });
  }
  if (f.avx512_bf16) m.bf16_gflops = best_of([] { return dp_bf16(kFmaIterations / 2); });
  m.bandwidth_gbs = triad_gbs(threads);
  return m;
}

}  // namespace mha::cli
