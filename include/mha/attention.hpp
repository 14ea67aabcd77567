#pragma once
// mha::attention — steps 3 (score) and 4 (weigh) of multi-head attention, with the semantics of
// the ONNX `Attention` operator, opset 25 (the newest the onnx 1.23 package defines).
//
// Notation: B batch, Hq query heads, Hkv key/value heads, Sq query length, Skv new key/value
// length, P past length, T = P + Skv total key length, D the Q/K head size, Dv the V head size.
//
// Inputs (any of f32, f64, f16, bf16; Q, K, V may differ in type; strided views are fine):
//   query   [B, Hq, Sq, D]  or 3-D [B, Sq, Hq·D]     (3-D needs options.q_num_heads)
//   key     [B, Hkv, Skv, D] or 3-D [B, Skv, Hkv·D]  (3-D needs options.kv_num_heads)
//   value   [B, Hkv, Skv, Dv] or 3-D [B, Skv, Hkv·Dv]
//   Q, K and V have the same rank. Hq must be a multiple of Hkv (MHA: equal; GQA: a multiple;
//   MQA: Hkv = 1). Query head h reads key/value head h / (Hq / Hkv).
//   mask    optional, rank 1..4, broadcastable (numpy rules, right-aligned) to [B, Hq, Sq, T];
//           its last dimension may be shorter than T: the missing keys are masked out (ONNX rule).
//           Mask::keep (bool, true = attend) is the ONNX boolean convention; Mask::additive adds
//           to the scores. Mask::drop is accepted too (true = masked out).
//   past_key [B, Hkv, P, D], past_value [B, Hkv, P, Dv]: optional, both or neither (KV cache).
//   nonpad_kv_seqlen [B] i64: optional, keys j >= nonpad_kv_seqlen[b] are padding (external
//           cache); may not be combined with past_key/past_value; each value in 0..T.
//
// Outputs:
//   y              [B, Hq, Sq, Dv] (4-D inputs) or [B, Sq, Hq·Dv] (3-D inputs), dtype of query
//   present_key    [B, Hkv, T, D]  = concat(past_key, key) along the sequence (dtype of key)
//   present_value  [B, Hkv, T, Dv] = concat(past_value, value)                (dtype of value)
//   qk_output      [B, Hq, Sq, T], dtype of query, contents chosen by options.qk_output_mode
//
// Masking, in this order (a key is removed when any rule removes it):
//   offset      = P with a past cache; nonpad_kv_seqlen[b] - Sq with nonpad (may be negative);
//                 0 otherwise. Query i sits at absolute position p = i + offset.
//   is_causal   key j is removed when j > p (top-left aligned without a cache, bottom-right with).
//   window      left_window >= 0 removes j < p - left_window; right_window >= 0 removes
//               j > p + right_window; -1 leaves that side open.
//   nonpad      j >= nonpad_kv_seqlen[b] removed.
//   mask        boolean: removed where it says so; additive: -inf removes, finite adds.
// Score of a kept key: s = softcap(scale · q·k) + additive_mask, softcap(x) = c·tanh(x/c) when
// c > 0; scale defaults to 1/sqrt(D). Probabilities p = softmax over kept keys; y = Σ p_j v_j.
// A row with no kept key gives y = 0 and an all-zero probability row.
#include <cstdint>
#include <optional>

#include "mha/mask.hpp"
#include "mha/tensor.hpp"

namespace mha {

// What the optional qk_output holds (ONNX qk_matmul_output_mode).
enum class QkOutput : int {
  raw = 0,            // scale · Q·Kᵀ for every key (masks not applied)
  softcapped = 1,     // after softcap, before the mask (same as raw when softcap = 0)
  biased = 2,         // after softcap and mask: removed keys are -inf
  probabilities = 3,  // softmax, an all-zero row where every key is removed
};

struct AttentionOptions {
  std::int64_t q_num_heads = 0;   // required for 3-D inputs; must be 0 for 4-D inputs
  std::int64_t kv_num_heads = 0;  // required for 3-D inputs; must be 0 for 4-D inputs
  bool is_causal = false;
  std::optional<float> scale{};   // default 1/sqrt(D); must be finite (ONNX: the attribute)
  float softcap = 0.0f;           // 0 = none; must be >= 0 and finite
  std::int64_t left_window = -1;  // -1 = unbounded, else >= 0
  std::int64_t right_window = -1;
  QkOutput qk_output_mode = QkOutput::raw;
};

struct AttentionInputs {
  TensorView query{}, key{}, value{};
  Mask mask{};
  TensorView past_key{}, past_value{};  // absent = no past cache
  TensorView nonpad_kv_seqlen{};        // absent = all keys valid
};

// Caller-provided outputs. `y` is required; an absent view means "not requested".
// Each given output must have exactly the shape documented above (any dtype among the floating
// ones, any non-negative strides). On error nothing is written.
struct AttentionOutputs {
  TensorView y{}, present_key{}, present_value{}, qk_output{};
};

// The shapes of all four outputs for these inputs; validates the inputs (throws mha::Error).
struct AttentionShapes {
  Shape y{}, present_key{}, present_value{}, qk_output{};
};
AttentionShapes attention_shapes(const AttentionInputs& in, const AttentionOptions& opt = {});

// Computes into caller-provided outputs.
void attention(const AttentionInputs& in, const AttentionOptions& opt, const AttentionOutputs& out);

// Allocating form: y always; present_key/present_value and qk_output when asked for.
struct AttentionRequest {
  bool present = false;    // return present_key and present_value
  bool qk_output = false;  // return qk_output (mode from options)
};
struct AttentionResult {
  Tensor y{}, present_key{}, present_value{}, qk_output{};
};
AttentionResult attention(const AttentionInputs& in, const AttentionOptions& opt = {},
                          AttentionRequest request = {});

}  // namespace mha
