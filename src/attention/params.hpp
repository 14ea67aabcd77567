#pragma once
// The plain parameter block that attention backends consume. Everything here has been validated
// at the public boundary (validate.cpp, module/); kernels trust it and do no checks of their own.
#include <cstdint>

#include "mha/attention.hpp"
#include "mha/dtype.hpp"
#include "mha/mask.hpp"

namespace mha::detail {

// A 4-D operand addressed as [b, h, s, d] with element strides (0 = broadcast).
struct Operand {
  const void* data = nullptr;
  DType dtype = DType::f32;
  std::int64_t stride[4] = {0, 0, 0, 0};
};

struct MutableOperand {
  void* data = nullptr;  // nullptr = not requested
  DType dtype = DType::f32;
  std::int64_t stride[4] = {0, 0, 0, 0};
};

// One mask broadcast to [B, Hq, Sq, T]. Columns j >= len fall outside the mask tensor:
// they are kept when beyond_kept (torch module padding for bias_kv / zero_attn), else removed
// (the ONNX rule for a short last dimension).
struct MaskOperand {
  MaskKind kind = MaskKind::none;
  Operand op;
  std::int64_t len = 0;
  bool beyond_kept = false;
};

inline constexpr int kMaxMasks = 3;  // module: attn_mask, key_padding_mask, a causal mask

struct AttentionParams {
  std::int64_t B = 0, Hq = 0, Hkv = 0, Sq = 0, T = 0, D = 0, Dv = 0;
  Operand q;  // [B, Hq, Sq, D]
  Operand k;  // [B, Hkv, T, D]   (past and new keys already concatenated)
  Operand v;  // [B, Hkv, T, Dv]
  MaskOperand masks[kMaxMasks];
  int num_masks = 0;
  const std::int64_t* nonpad = nullptr;  // [B] or nullptr
  std::int64_t past = 0;                 // P; the causal/window offset when nonpad is null
  bool causal = false;
  std::int64_t left_window = -1, right_window = -1;
  float scale = 1.0f;
  float softcap = 0.0f;
  // Dropout on the probabilities (module, training mode only): keep with prob 1 - p, scale the
  // kept ones by 1/(1 - p). The decision is a pure function of (seed, b, h, i, j).
  float dropout_p = 0.0f;
  std::uint64_t dropout_seed = 0;
  MutableOperand y;   // [B, Hq, Sq, Dv]
  MutableOperand qk;  // [B, Hq, Sq, T], optional
  QkOutput qk_mode = QkOutput::raw;
};

// Runs the attention described by p on the CPU backend.
void run_attention(const AttentionParams& p);

}  // namespace mha::detail
