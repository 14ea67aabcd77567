#pragma once
// Additive masks that only remove keys, read as bytes.
//
// An additive mask whose every value is 0 or −∞ adds nothing to any score and only removes keys —
// a bool mask in two (f16, bf16) or four (fp32) times the bytes, and 16-bit ones are read through
// the mask reader's general path. The kernel reads a mask once per query head, from L2 or beyond
// where every head reads the same one (broadcast over heads).
// So run_attention gives such a mask one pass that checks its values and writes the bytes (rows
// after the first other value are skipped and the mask is left as it was). The results are the
// same bits: adding ±0 changes no score, and the kernel removes keys the same way for both kinds.
// When it pays: tuning.hpp (kCompactMinHeads...).
#include "attention/params.hpp"
#include "mha/tensor.hpp"

namespace mha::detail {

// Replaces m by a keep mask over `bytes` when m is such a mask (fp32, f16 or bf16, contiguous
// keys, the same for every head of p, within the sizes of tuning.hpp); returns whether it did.
bool compact_removal_mask(const AttentionParams& p, MaskOperand& m, Tensor& bytes);

}  // namespace mha::detail
