// Chooses the kernel for one attention call.
#include "attention/cpu/compact_mask.hpp"
#include "attention/cpu/flash.hpp"
#include "attention/cpu/isa.hpp"
#include "attention/cpu/tuning.hpp"
#include "attention/params.hpp"

namespace mha::detail {
namespace {

// On the avx512_bf16 target (isa.hpp): all three of Q, K, V in bf16 — except decode (few query
// rows per KV head), which the fp32 kernel runs reading the bf16 keys in place.
bool bf16_kernel_applies(const AttentionParams& p) {
  const std::int64_t rows_per_group = p.Hq / p.Hkv * p.Sq;
  return p.q.dtype == DType::bf16 && p.k.dtype == DType::bf16 && p.v.dtype == DType::bf16 &&
         rows_per_group > kDirectKeyRows;
}

void run_flash(const AttentionParams& p) {
  switch (active_isa()) {
    case Isa::avx512_bf16:
      if (bf16_kernel_applies(p)) return run_flash_avx512_bf16(p);
      return run_flash_avx512(p);
    case Isa::avx512: return run_flash_avx512(p);
    case Isa::avx2: return run_flash_avx2(p);
    case Isa::scalar: return run_flash_scalar(p);
  }
}

}  // namespace

void run_attention(const AttentionParams& p) {
  // Dropout (module training) is drawn per probability; the row kernel does it simply.
  if (p.dropout_p > 0.0f) return run_row_kernel(p);
  if (p.num_masks == 0) return run_flash(p);
  // Additive masks of only 0 and −∞ shared by the heads: read as bytes (compact_mask.hpp).
  Tensor bytes[kMaxMasks];
  AttentionParams q = p;
  bool compacted = false;
  for (int i = 0; i < q.num_masks; ++i) compacted |= compact_removal_mask(q, q.masks[i], bytes[i]);
  run_flash(compacted ? q : p);
}

}  // namespace mha::detail
