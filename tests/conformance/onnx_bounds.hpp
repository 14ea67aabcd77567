#pragma once
// Error bounds for the ONNX conformance suite, derived from how each side computes.
//
// The expected values of an ONNX case were computed by the onnx numpy reference
// (onnx/reference/ops/op_attention.py) *in the case's dtype T*: every elementwise step rounds to
// T (numpy float16 and ml_dtypes bfloat16 ufuncs compute in float32 and round once), while both
// matmuls accumulate in float32 and round once to T (numpy's float16 matmul loop accumulates in
// float; bfloat16 operands are promoted to a float32 matmul, then cast back). mha loads inputs
// into fp32 exactly, computes in fp32 and rounds once to T when it stores. Both are compared with
// the exact answer, mha::reference::attention in double (error ~1e-16, negligible), so
//
//   |mha − expected| <= E_ref + E_mha,  and separately |expected − exact| <= E_ref,
//                                                        |mha − exact| <= E_mha,
//
// which also says which side broke a bound. Notation: u unit roundoff, γ(n, u) = n·u/(1 − n·u)
// (Higham: a sum of n products carries relative error <= γ(n, u) of Σ|terms|), D head size,
// T keys, S = scale·Σ_d|q_d·k_d| of a score, |b| the additive mask value, V = max|v| over the
// row's kept keys, all measured per query row over the keys it keeps.
//
//   score  Δs <= γ(D, u_acc)·S + γ(n_score, u_elem)·S + u_elem·|b|
//          n_score counts the score's roundings besides the dot product (the reference: √scale
//          in T, applied to Q and to K, each product rounded, the matmul's result rounded, the
//          bias add; mha: the scale rounded to float, the multiply, the bias add; with a softcap
//          also its divide, tanh and multiply — tanh and x/c are 1-Lipschitz, so an input error
//          passes through unchanged).
//   probs  p_j = exp(x_j − m)/Σ_k exp(x_k − m): a score error Δs moves log p_j by <= 2Δs; the
//          subtraction x_j − m rounds with error u·|x_j − m|, and p_j·|x_j − m| <= 1/e; exp,
//          the T-term sum, the division (and the reference's cast to T) add γ(n_soft, u):
//          |δp_j| <= ((1 + γ(n_soft, u))·e^(2Δs) − 1)·p_j + u/e.
//   y      Σ_j |δp_j|·|v_j| + the P·V accumulation γ(T, u_acc)·V + the store u_out·V
//          (|y| <= V: y is a convex combination of the kept values).
// A row with no kept key has S = V = 0: the bound is 0 and both sides must give exactly 0.
#include <cstdint>

#include "mha/attention.hpp"
#include "mha/dtype.hpp"
#include "mha/tensor.hpp"

namespace mha::onnx_conformance {

// How one side rounds (see the derivation above).
struct ErrorModel {
  double u_elem = 0.0;   // elementwise steps
  double u_acc = 0.0;    // accumulation inside the matmuls
  double u_out = 0.0;    // the stored result (the case's dtype)
  double n_score = 0.0;  // roundings of a score besides the dot product
  double n_soft = 0.0;   // roundings of a probability besides the subtraction
};

// The onnx numpy reference computing in dtype t; mha computing in fp32 and storing in t.
ErrorModel reference_model(DType t, bool softcap);
ErrorModel mha_model(DType t, bool softcap);

double gamma(double n, double u);

// Bound on a score (qk_matmul_output modes 0-2 and the softmax input): s = scale·Σ|q·k|,
// b = |additive bias|.
double score_bound(const ErrorModel& m, std::int64_t D, double s, double b);
// Bound on a probability p (mode 3), given the row's worst score bound ds.
double prob_bound(const ErrorModel& m, std::int64_t T, double ds, double p);
// Bound on an output element of a row with worst score bound ds and value magnitude v.
double y_bound(const ErrorModel& m, std::int64_t T, double ds, double v);

// The magnitudes the bounds scale with, from the exact (double) problem.
struct Magnitudes {
  std::int64_t B = 0, Hq = 0, Hkv = 0, Sq = 0, T = 0, D = 0, Dv = 0;
  Tensor s_abs;  // [B, Hq, Sq, T] f64: scale·Σ_d |q_d·k_d| for every key
  Tensor bias;   // [B, Hq, Sq, T] f64: the ONNX masking rules as a bias, -inf = removed
  Tensor row_s, row_b,
      row_v;  // [B, Hq, Sq] f64: max over the row's kept keys of s_abs, |bias|, |v|
};
// present_key/present_value: the exact (f64) cache, concat(past, new), from the reference.
Magnitudes magnitudes(const AttentionInputs& in, const AttentionOptions& opt,
                      const TensorView& present_key, const TensorView& present_value);

}  // namespace mha::onnx_conformance
