#pragma once
// mha's own GEMM per target (gemm.inc, gemm_<isa>.cpp): y[M, N] = x[M, K]·wᵀ + b, w [N, K].
// The weights are packed first, in the target's panel layout.
#include <cstdint>

namespace mha::detail {

#define MHA_DECLARE_GEMM(isa)                                                                                       \
  std::int64_t gemm_packed_floats_##isa(std::int64_t n, std::int64_t k);                                          \
  void gemm_pack_##isa(const float* w, std::int64_t n, std::int64_t k, float* out, int threads);                   \
  void gemm_run_##isa(const float* x, std::int64_t ldx, std::int64_t m, std::int64_t k, const float* packed,        \
                      const float* b, std::int64_t n, float* y, std::int64_t ldy, int threads);
MHA_DECLARE_GEMM(scalar)
MHA_DECLARE_GEMM(avx2)
MHA_DECLARE_GEMM(avx512)
#undef MHA_DECLARE_GEMM

}  // namespace mha::detail
