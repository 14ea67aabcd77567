#pragma once
// Steps 2 and 6: y = x·wᵀ + b for the projections.
#include <cstdint>

namespace mha::detail {

// x [M, K] (row stride ldx), w [N, K] contiguous, b [N] or nullptr → y [M, N] (row stride ldy).
// fp32. Runs mha's own GEMM (the active kernel target), or the CBLAS sgemm the build found
// when MHA_GEMM=blas (src/module/sources.cmake).
void linear(const float* x, std::int64_t ldx, std::int64_t M, std::int64_t K, const float* w, const float* b,
            std::int64_t N, float* y, std::int64_t ldy);
// mha's own GEMM: weights packed into panels, register-blocked microkernel (gemm.inc).
void linear_own(const float* x, std::int64_t ldx, std::int64_t M, std::int64_t K, const float* w, const float* b,
                std::int64_t N, float* y, std::int64_t ldy);
// The CBLAS sgemm (the own GEMM when the build has none).
void linear_blas(const float* x, std::int64_t ldx, std::int64_t M, std::int64_t K, const float* w, const float* b,
                 std::int64_t N, float* y, std::int64_t ldy);
// Which one linear() runs: "own", "openblas" or "cblas".
const char* linear_backend();

}  // namespace mha::detail
