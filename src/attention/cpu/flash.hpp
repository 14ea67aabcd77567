#pragma once
// Entry points of the flash kernel, one per compiled target (flash_<isa>.cpp), and the
// dispatcher that picks one (dispatch.cpp).
#include "attention/params.hpp"
#include "core/aligned_vector.hpp"

namespace mha::detail {

void run_flash_scalar(const AttentionParams& p);
void run_flash_avx2(const AttentionParams& p);
void run_flash_avx512(const AttentionParams& p);
// bf16 query, key and value on a CPU with AVX-512 BF16.
void run_flash_avx512_bf16(const AttentionParams& p);
// The portable row-at-a-time kernel: training-mode dropout runs here.
void run_row_kernel(const AttentionParams& p);

}  // namespace mha::detail
