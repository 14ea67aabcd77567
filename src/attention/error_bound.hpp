#pragma once
// Error bounds for comparing fp32 paths with the double reference, derived rather than guessed.
// Used by the tests and by `mha bench`, which validates every case before timing it.
//
// Notation: u = unit roundoff of the compute type (fp32: 2^-24). A sum of n products computed
// in floating point has |error| <= n·u·Σ|a_i·b_i| (Higham, γ_n ≈ n·u, first order). Running
// the reference on absolute values gives those Σ|a_i·b_i| exactly, which is how the tests below
// get a bound per problem instead of a magic constant.
//
// Attention (one query row, kept keys j, T of them at most, head size D):
//   score    s_j = scale·Σ_d q_d k_d (+ bias, softcap): |δs| <= Δs = (D + 4)·u·S_abs + u·|bias|max
//            where S_abs = max_j scale·Σ_d |q_d k_d| (+4: the scale multiply, the bias add, the
//            softcap's tanh and division, each within an ulp or two of its result).
//   weigh    p_j = exp(s_j − m)/Σ_k exp(s_k − m): a score error δs moves p_j by at most
//            2·Δs·p_j (first order: once in the numerator, once through the sum), and the exp,
//            the sum of T terms and the division add (T + 8)·u·p_j.
//            y = Σ_j p_j v_j adds T·u·Σ p_j|v_j|. Since Σ p_j = 1:
//            |δy| <= (2·Δs + (2T + 8)·u)·max|v|.
//   storing y in a 16-bit type adds u_out·|y|.
#include <algorithm>
#include <cmath>
#include <cstdint>

#include "mha/tensor.hpp"

namespace mha::detail {

inline double max_abs(const TensorView& t) {
  double m = 0.0;
  const Tensor c = Tensor::copy_of(t, DType::f64);
  for (std::int64_t i = 0; i < c.numel(); ++i) m = std::max(m, std::abs(c.data_as<double>()[i]));
  return m;
}

// |a| elementwise as a new f64 tensor (for running the reference on absolute values).
inline Tensor abs_of(const TensorView& t) {
  Tensor c = Tensor::copy_of(t, DType::f64);
  for (std::int64_t i = 0; i < c.numel(); ++i) c.data_as<double>()[i] = std::abs(c.data_as<double>()[i]);
  return c;
}

struct AttentionBound {
  double score;  // Δs: bound on the error of any kept score (and raw/soft-capped qk output)
  double prob;   // bound on the error of any probability
  double y;      // bound on the error of any output element (before the output rounding)
};

// u: unit roundoff of the compute type; D head size; T keys; s_abs = max scale·Σ|q k|;
// bias_abs = max |additive mask|; v_abs = max |v|.
inline AttentionBound attention_bound(double u, std::int64_t D, std::int64_t T, double s_abs, double bias_abs,
                                      double v_abs) {
  AttentionBound b;
  b.score = (static_cast<double>(D) + 4.0) * u * s_abs + u * bias_abs;
  b.prob = 2.0 * b.score + (static_cast<double>(T) + 8.0) * u;
  b.y = (2.0 * b.score + (2.0 * static_cast<double>(T) + 8.0) * u) * v_abs;
  return b;
}

// Rounding a value to dtype t moves it by at most unit_roundoff(t)·|x| when the result is a
// normal number, and by at most half the smallest subnormal otherwise; this is that floor.
inline double rounding_floor(DType t) {
  switch (t) {
    case DType::f16: return std::ldexp(1.0, -25);
    case DType::bf16: return std::ldexp(1.0, -134);
    case DType::f32: return std::ldexp(1.0, -150);
    default: return 0.0;
  }
}

// The bf16 kernel (bf16 query, key and value on AVX-512 BF16) rounds each probability to bf16
// before P·V (relative error <= 2^-9) and uses the cheaper exp (relative error <= 5.4e-6): since
// the probabilities sum to 1, the output moves by at most this factor times max|v| more.
inline constexpr double kBf16KernelProbabilityError = 0x1.0p-9 + 5.4e-6;
// The probabilities it reports (qk_output mode 3) come from its sum of cheaper exps: relative 2.9e-6.
inline constexpr double kBf16KernelSumError = 5.4e-6;

// The smallest absolute slack: a bound of exactly 0 (e.g. all-zero inputs) still allows the
// sub-normal noise of an exact computation.
inline constexpr double kTiny = 1e-30;

}  // namespace mha::detail
