#pragma once
// The reference: multi-head attention as six plain loops in double precision.
//
// This is the specification. It is written to be read, not to be fast: one function per step,
// named after it, every tensor f64 and contiguous, every loop obvious. It is never deleted, and
// every other path in mha (mha::attention, MultiHeadAttention, the SIMD kernels) is tested
// against it. O(B·H·Sq·T) memory: use it on test-sized problems.
#include <cstdint>
#include <optional>

#include "mha/attention.hpp"
#include "mha/module.hpp"
#include "mha/tensor.hpp"

namespace mha::reference {

// Step 1, input: the token vectors, as f64 [B, S, E] (any floating dtype and strides in).
Tensor input(const TensorView& x);

// Step 2, project: x [B, S, Ein] · wᵀ (w [Eout, Ein]) + b ([Eout] or absent), then split into
// `heads` heads → [B, heads, S, Eout / heads].
Tensor project(const TensorView& x, const TensorView& w, const TensorView& b, std::int64_t heads);

// Splits [B, S, H·D] into heads → [B, H, S, D] (f64 copy).
Tensor split_heads(const TensorView& x, std::int64_t heads);

// Step 3, score: scale · q·kᵀ for q [B, Hq, Sq, D], k [B, Hkv, T, D] → [B, Hq, Sq, T];
// query head h reads key head h / (Hq / Hkv).
Tensor score(const TensorView& q, const TensorView& k, double scale);
// softcap: c · tanh(s / c) elementwise (c > 0), identity for c = 0.
Tensor softcap(const Tensor& scores, double cap);

// Dropout on probabilities (training mode): the same counter-based draw as the library.
struct Dropout {
  double p = 0.0;
  std::uint64_t seed = 0;
};

// Step 4, weigh: softmax of scores + bias over the kept keys (bias > -inf; removed keys are
// never read, so NaN there cannot leak), optional dropout, then the weighted sum of v.
// scores/bias [B, Hq, Sq, T] f64 (as score/attention_bias return; an absent bias keeps every
// key), v [B, Hkv, T, Dv] any dtype. A row with no kept key: zeros.
struct Weighed {
  Tensor probabilities;  // [B, Hq, Sq, T]
  Tensor heads;          // [B, Hq, Sq, Dv]
};
Weighed weigh(const Tensor& scores, const Tensor& bias, const TensorView& v,
              std::optional<Dropout> dropout = std::nullopt);

// Step 5, concat: [B, H, S, Dv] f64 (as weigh returns) → [B, S, H·Dv].
Tensor concat(const Tensor& heads);

// Step 6, output: x [B, S, E] f64 (as concat returns) · wᵀ (w [Eout, E]) + b ([Eout] or absent) → [B, S, Eout].
Tensor output(const Tensor& x, const TensorView& w, const TensorView& b);

// The additive bias [B, Hq, Sq, T] (0 or a finite mask value where kept, -inf where removed)
// that the ONNX Attention rules give: causal, window, nonpad, the mask and its short last
// dimension. P is the past length, T the total key length.
Tensor attention_bias(const AttentionInputs& in, const AttentionOptions& opt, std::int64_t B, std::int64_t Hq,
                      std::int64_t Sq, std::int64_t P, std::int64_t T);

// mha::attention's specification (ONNX Attention, opset 25). Every output is computed, in f64:
// y, present_key, present_value and qk_output for opt.qk_output_mode.
AttentionResult attention(const AttentionInputs& in, const AttentionOptions& opt = {});

// MultiHeadAttention::forward's specification (torch.nn.MultiheadAttention), in f64.
// In training mode with dropout, options.dropout_seed must be set (the stream to draw from).
MultiHeadAttentionOutput multi_head_attention(const MultiHeadAttention& module, const TensorView& query,
                                              const TensorView& key, const TensorView& value,
                                              const ForwardOptions& options = {});

}  // namespace mha::reference
