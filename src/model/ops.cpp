#include "model/ops.hpp"

#include <algorithm>
#include <cmath>
#include <vector>

#include "mha/threads.hpp"

namespace mha::model {
namespace {

// Threads for `items` work items when each thread should get at least `per_thread` of them:
// a row of 384 floats takes well under a microsecond, so small batches run on fewer threads
// rather than pay for waking them all.
int threads_for(std::int64_t items, std::int64_t per_thread) {
  return static_cast<int>(std::clamp<std::int64_t>(items / per_thread, 1, num_threads()));
}

}  // namespace

// Sum of f(x[i]) over a row in double, in kLanes interleaved partial sums: the fixed order
// lets the compiler vectorize the reduction without reassociating (no -ffast-math).
template <class F>
inline double lane_sum(const float* __restrict x, std::int64_t E, F f) {
  constexpr std::int64_t kLanes = 8;
  double lanes[kLanes] = {};
  std::int64_t i = 0;
  for (; i + kLanes <= E; i += kLanes)
    for (std::int64_t j = 0; j < kLanes; ++j) lanes[j] += f(static_cast<double>(x[i + j]));
  double sum = 0.0;
  for (; i < E; ++i) sum += f(static_cast<double>(x[i]));
  for (double l : lanes) sum += l;
  return sum;
}

// One row of LayerNorm(x + add), statistics in double; compiled per vector width.
__attribute__((target_clones("arch=x86-64-v4", "arch=x86-64-v3", "default"))) void add_layer_norm_row(
    float* __restrict xr, const float* __restrict ar, std::int64_t E,
    const float* __restrict weight, const float* __restrict bias, double eps) {
  if (ar)
    for (std::int64_t i = 0; i < E; ++i) xr[i] += ar[i];  // rounded to f32, as torch's add
  const double mean = lane_sum(xr, E, [](double v) { return v; }) / static_cast<double>(E);
  const double var = lane_sum(xr, E, [mean](double v) { return (v - mean) * (v - mean); }) /
                     static_cast<double>(E);
  const double inv = 1.0 / std::sqrt(var + eps);
  for (std::int64_t i = 0; i < E; ++i)
    xr[i] = static_cast<float>((xr[i] - mean) * inv * weight[i] + bias[i]);
}

void add_layer_norm(float* x, const float* add, std::int64_t rows, std::int64_t E,
                    const float* weight, const float* bias, double eps) {
#pragma omp parallel for schedule(static) num_threads(threads_for(rows, 16))
  for (std::int64_t r = 0; r < rows; ++r)
    add_layer_norm_row(x + r * E, add ? add + r * E : nullptr, E, weight, bias, eps);
}

namespace {

// erf for GELU, without a library call so the loop vectorizes: x·P(x²)/Q(x²) on |x| <= 4, a
// rational fit (degree 5/5 in x², weighted least squares on Chebyshev nodes) whose fp32
// evaluation is within 3.7e-7 of erf; beyond 4, erf is ±1 to within 1.6e-8 (below fp32's
// resolution there). std::erf is a scalar call and was a quarter of the encoder's time.
inline float erf_rational(float x) {
  const float lo = x < -4.0f ? -4.0f : x;  // ternaries, not std::min/max: they if-convert
  const float a = lo > 4.0f ? 4.0f : lo;
  const float t = a * a;
  float p = 1.974829364e-06f;
  p = p * t + 2.880410951e-04f;
  p = p * t + 4.003638208e-03f;
  p = p * t + 5.346745594e-02f;
  p = p * t + 1.962488184e-01f;
  p = p * t + 1.128378976e+00f;
  float q = 3.748083776e-05f;
  q = q * t + 1.216357725e-03f;
  q = q * t + 1.544440738e-02f;
  q = q * t + 1.164763593e-01f;
  q = q * t + 5.072521460e-01f;
  q = q * t + 1.0f;
  return a * p / q;
}

}  // namespace

// One chunk of GELU, compiled for each vector width and picked at load time (GCC's
// target_clones): the library's baseline is x86-64, whose 4-wide SSE would leave 3/4 of an
// AVX-512 machine idle on the encoder's largest elementwise pass.
__attribute__((target_clones("arch=x86-64-v4", "arch=x86-64-v3", "default"))) void gelu_erf_chunk(
    float* __restrict x, std::int64_t n) {
  constexpr float kInvSqrt2 = 0.70710678118654752440f;
  for (std::int64_t i = 0; i < n; ++i) x[i] = 0.5f * x[i] * (1.0f + erf_rational(x[i] * kInvSqrt2));
}

void gelu_erf(float* x, std::int64_t n) {
  constexpr std::int64_t kChunk = 4096;
  const std::int64_t chunks = (n + kChunk - 1) / kChunk;
#pragma omp parallel for schedule(static) num_threads(threads_for(chunks, 1))
  for (std::int64_t c = 0; c < chunks; ++c)
    gelu_erf_chunk(x + c * kChunk, std::min(n, (c + 1) * kChunk) - c * kChunk);
}

void mean_pool_normalize(const float* x, std::int64_t count, std::int64_t E, float* out) {
  std::vector<double> mean(static_cast<std::size_t>(E), 0.0);
  for (std::int64_t t = 0; t < count; ++t)
    for (std::int64_t i = 0; i < E; ++i) mean[static_cast<std::size_t>(i)] += x[t * E + i];
  double norm2 = 0.0;
  for (double& m : mean) {
    m /= static_cast<double>(std::max<std::int64_t>(count, 1));
    norm2 += m * m;
  }
  const double inv = 1.0 / std::max(std::sqrt(norm2), 1e-12);
  for (std::int64_t i = 0; i < E; ++i)
    out[i] = static_cast<float>(mean[static_cast<std::size_t>(i)] * inv);
}

}  // namespace mha::model
