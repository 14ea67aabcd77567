// The projections' GEMM (own, on every kernel target; and the CBLAS one when built) against a
// double computation: |y − exact| <= (K + 2)·u·(Σ_k |x_k w_k| + |b|) per element.
#include <gtest/gtest.h>

#include <cmath>
#include <random>
#include <vector>

#include "common/isa.hpp"
#include "mha/dtype.hpp"
#include "module/linear.hpp"

namespace {

namespace mt = mha::testing;

void check(std::int64_t M, std::int64_t N, std::int64_t K, bool bias, std::int64_t pad,
           std::uint64_t seed,
           void (*gemm)(const float*, std::int64_t, std::int64_t, std::int64_t, const float*,
                        const float*, std::int64_t, float*, std::int64_t)) {
  SCOPED_TRACE("M=" + std::to_string(M) + " N=" + std::to_string(N) + " K=" + std::to_string(K));
  std::mt19937_64 rng(seed);
  std::normal_distribution<float> nd;
  const std::int64_t ldx = K + pad, ldy = N + pad;
  std::vector<float> x(static_cast<std::size_t>(M * ldx), NAN), w(static_cast<std::size_t>(N * K)),
      b(static_cast<std::size_t>(N));
  for (std::int64_t m = 0; m < M; ++m)
    for (std::int64_t k = 0; k < K; ++k)
      x[static_cast<std::size_t>(m * ldx + k)] = nd(rng);  // NaN in the padding
  for (auto& v : w) v = nd(rng);
  for (auto& v : b) v = nd(rng);
  std::vector<float> y(static_cast<std::size_t>(M * ldy), 12345.0f);
  gemm(x.data(), ldx, M, K, w.data(), bias ? b.data() : nullptr, N, y.data(), ldy);
  const double u = std::ldexp(1.0, -24);
  for (std::int64_t m = 0; m < M; ++m) {
    for (std::int64_t n = 0; n < N; ++n) {
      double exact = bias ? b[static_cast<std::size_t>(n)] : 0.0, mag = std::abs(exact);
      for (std::int64_t k = 0; k < K; ++k) {
        const double t = static_cast<double>(x[static_cast<std::size_t>(m * ldx + k)]) *
                         w[static_cast<std::size_t>(n * K + k)];
        exact += t;
        mag += std::abs(t);
      }
      const double got = y[static_cast<std::size_t>(m * ldy + n)];
      ASSERT_LE(std::abs(got - exact), (static_cast<double>(K) + 2.0) * u * mag + 1e-30)
          << "y[" << m << ", " << n << "]";
    }
    for (std::int64_t n = N; n < ldy; ++n)  // columns past N untouched
      ASSERT_EQ(y[static_cast<std::size_t>(m * ldy + n)], 12345.0f);
  }
}

TEST(Gemm, OwnMatchesExactOnEveryTarget) {
  mt::for_each_isa([&](mha::detail::Isa) {
    std::uint64_t seed = 1;
    for (auto [M, N, K] : {std::tuple<std::int64_t, std::int64_t, std::int64_t>{1, 1, 1},
                           {7, 65, 3},
                           {13, 130, 77},
                           {50, 64, 768},
                           {100, 200, 31},
                           {6, 24, 8},
                           {0, 5, 5},
                           {9, 70, 600}})
      for (bool bias : {false, true}) {
        const std::uint64_t s = seed++;
        check(M, N, K, bias, s % 3, s, mha::detail::linear_own);
      }
  });
}

// Weights packed once (the module's and the model's path), K across several K blocks.
void linear_prepacked(const float* x, std::int64_t ldx, std::int64_t M, std::int64_t K,
                      const float* w, const float* b, std::int64_t N, float* y, std::int64_t ldy) {
  const mha::detail::PackedWeights packed = mha::detail::pack_weights(w, N, K);
  mha::detail::linear(x, ldx, M, K, w, b, N, y, ldy, &packed);
}

TEST(Gemm, PrepackedMatchesExactOnEveryTarget) {
  mt::for_each_isa([&](mha::detail::Isa) {
    std::uint64_t seed = 100;
    for (auto [M, N, K] : {std::tuple<std::int64_t, std::int64_t, std::int64_t>{1, 1, 1},
                           {13, 130, 77},
                           {50, 64, 1100},
                           {0, 5, 5}})
      for (bool bias : {false, true}) {
        const std::uint64_t s = seed++;
        check(M, N, K, bias, s % 3, s, linear_prepacked);
      }
  });
}

// Weights packed for one target, used after another was forced: packed per call instead.
TEST(Gemm, PackedForAnotherTargetIsNotUsed) {
  std::vector<float> w(40 * 30, 1.0f);
  const mha::detail::PackedWeights packed = mha::detail::pack_weights(w.data(), 40, 30);
  EXPECT_FALSE(packed.usable_for(40, 31));
  mt::for_each_isa([&](mha::detail::Isa isa) {
    EXPECT_EQ(packed.usable_for(40, 30), !packed.panels.empty() && isa == packed.isa);
    std::vector<float> x(5 * 30, 2.0f), y(5 * 40, 0.0f);
    mha::detail::linear(x.data(), 30, 5, 30, w.data(), nullptr, 40, y.data(), 40, &packed);
    for (float v : y) ASSERT_EQ(v, 60.0f);
  });
}

// bf16 weights: the exact product is that of the rounded weights, so the fp32 bound holds with
// the weights replaced by their bf16 values.
std::vector<std::uint16_t> to_bf16(const float* w, std::int64_t n) {
  std::vector<std::uint16_t> v(static_cast<std::size_t>(n));
  for (std::int64_t i = 0; i < n; ++i) v[static_cast<std::size_t>(i)] = mha::f32_to_bf16(w[i]);
  return v;
}

void round_to_bf16(float* w, std::int64_t n) {
  for (std::int64_t i = 0; i < n; ++i) w[i] = mha::bf16_to_f32(mha::f32_to_bf16(w[i]));
}

void linear_bf16_per_call(const float* x, std::int64_t ldx, std::int64_t M, std::int64_t K, const float* w,
                          const float* b, std::int64_t N, float* y, std::int64_t ldy) {
  round_to_bf16(const_cast<float*>(w), N * K);  // the exact product below uses the rounded values
  const auto wb = to_bf16(w, N * K);
  mha::detail::linear_bf16(x, ldx, M, K, wb.data(), b, N, y, ldy);
}

void linear_bf16_prepacked(const float* x, std::int64_t ldx, std::int64_t M, std::int64_t K, const float* w,
                           const float* b, std::int64_t N, float* y, std::int64_t ldy) {
  round_to_bf16(const_cast<float*>(w), N * K);
  const auto wb = to_bf16(w, N * K);
  const mha::detail::PackedWeights packed = mha::detail::pack_weights_bf16(wb.data(), N, K);
  EXPECT_TRUE(packed.usable_for(N, K) || N == 0 || K == 0);
  mha::detail::linear_bf16(x, ldx, M, K, wb.data(), b, N, y, ldy, &packed);
}

TEST(Gemm, Bf16WeightsMatchExactOnEveryTarget) {
  mt::for_each_isa([&](mha::detail::Isa) {
    std::uint64_t seed = 200;
    for (auto [M, N, K] : {std::tuple<std::int64_t, std::int64_t, std::int64_t>{1, 1, 1},
                           {7, 65, 3},
                           {13, 130, 77},
                           {700, 70, 600},  // several row chunks
                           {0, 5, 5}})
      for (bool bias : {false, true}) {
        check(M, N, K, bias, seed % 3, seed, linear_bf16_per_call);
        check(M, N, K, bias, seed % 3, seed + 1, linear_bf16_prepacked);
        seed += 2;
      }
  });
}

// The bf16 path computes exactly what the fp32 path computes on the rounded weights.
TEST(Gemm, Bf16WeightsEqualFp32OnTheRoundedWeights) {
  mt::for_each_isa([&](mha::detail::Isa) {
    const std::int64_t M = 300, N = 100, K = 200;
    std::mt19937_64 rng(7);
    std::normal_distribution<float> nd;
    std::vector<float> x(M * K), w(N * K), b(N), y32(M * N), y16(M * N);
    for (auto& v : x) v = nd(rng);
    for (auto& v : w) v = nd(rng);
    for (auto& v : b) v = nd(rng);
    round_to_bf16(w.data(), N * K);
    const auto wb = to_bf16(w.data(), N * K);
    const auto p32 = mha::detail::pack_weights(w.data(), N, K);
    const auto p16 = mha::detail::pack_weights_bf16(wb.data(), N, K);
    mha::detail::linear(x.data(), K, M, K, w.data(), b.data(), N, y32.data(), N, &p32);
    mha::detail::linear_bf16(x.data(), K, M, K, wb.data(), b.data(), N, y16.data(), N, &p16);
    for (std::size_t i = 0; i < y32.size(); ++i) ASSERT_EQ(y32[i], y16[i]) << "element " << i;
  });
}

TEST(Gemm, BlasMatchesExact) {
  check(37, 90, 65, true, 2, 9, mha::detail::linear_blas);
  check(5, 7, 3, false, 0, 10, mha::detail::linear_blas);
}

}  // namespace
