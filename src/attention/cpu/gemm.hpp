#pragma once
// mha's own GEMM per target (gemm.inc, gemm_<isa>.cpp): y[M, N] = x[M, K]·wᵀ + b, w [N, K].
// The weights are packed first, in the target's panel layout: fp32, or bf16 bits (expanded to
// fp32 inside run_bf16, so bf16 weights halve the memory and compute exactly as fp32 would on
// the same rounded values).
#include <cstdint>

#include "core/aligned_vector.hpp"

namespace mha::detail {

struct GemmKernels {
  // Elements of the packed panels of an [n, k] weight matrix (the same for fp32 and bf16).
  std::int64_t (*packed_elems)(std::int64_t n, std::int64_t k);
  void (*pack)(const float* w, std::int64_t n, std::int64_t k, float* out, int threads);
  void (*pack_bf16)(const std::uint16_t* w, std::int64_t n, std::int64_t k, std::uint16_t* out, int threads);
  void (*run)(const float* x, std::int64_t ldx, std::int64_t m, std::int64_t k, const float* packed,
              const float* b, std::int64_t n, float* y, std::int64_t ldy, int threads);
  void (*run_bf16)(const float* x, std::int64_t ldx, std::int64_t m, std::int64_t k, const std::uint16_t* packed,
                   const float* b, std::int64_t n, float* y, std::int64_t ldy, int threads);
};

const GemmKernels& gemm_kernels_scalar();
const GemmKernels& gemm_kernels_avx2();
const GemmKernels& gemm_kernels_avx512();

}  // namespace mha::detail
