#pragma once
// Boundary validation for mha::attention: turns the public inputs into 4-D views and a plan, or
// throws mha::Error naming the argument. Nothing here writes to any output.
#include "attention/params.hpp"
#include "mha/attention.hpp"

namespace mha::detail {

struct AttentionPlan {
  std::int64_t B = 0, Hq = 0, Hkv = 0, Sq = 0, Skv = 0, P = 0, T = 0, D = 0, Dv = 0;
  bool three_d = false;
  TensorView q, k, v;              // 4-D views [B, H, S, D] of the inputs (strided, no copies)
  TensorView past_key, past_value; // absent when no cache
  MaskOperand mask;
  const std::int64_t* nonpad = nullptr;
  float scale = 1.0f;
  AttentionShapes shapes;
};

AttentionPlan plan_attention(const AttentionInputs& in, const AttentionOptions& opt);
void check_outputs(const AttentionPlan& plan, const AttentionOutputs& out);

// A 4-D view as a kernel operand.
Operand operand_of(const TensorView& v4);
MutableOperand mutable_operand_of(const TensorView& v4);

// Views a 3-D [B, S, H·D] tensor as 4-D [B, H, S, D] (no copy).
TensorView split_heads(const TensorView& t3, std::int64_t heads);

std::string shape_of(const TensorView& t);  // "shape [2, 3]" or "an absent tensor"

}  // namespace mha::detail
