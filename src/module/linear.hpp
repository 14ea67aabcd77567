#pragma once
// Steps 2 and 6: y = x·wᵀ + b for the projections.
#include <cstdint>

namespace mha::detail {

// x [M, K] (row stride ldx), w [N, K] contiguous, b [N] or nullptr → y [M, N] (row stride ldy).
// fp32. Runs on the CBLAS sgemm the build found (src/module/sources.cmake), else linear_own.
void linear(const float* x, std::int64_t ldx, std::int64_t M, std::int64_t K, const float* w, const float* b,
            std::int64_t N, float* y, std::int64_t ldy);
// mha's own GEMM (blocked dot products, threads over rows): the fallback, and the baseline the
// BLAS is measured against.
void linear_own(const float* x, std::int64_t ldx, std::int64_t M, std::int64_t K, const float* w, const float* b,
                std::int64_t N, float* y, std::int64_t ldy);
// Which one linear() runs: "openblas"/"cblas" or "own".
const char* linear_backend();

}  // namespace mha::detail
