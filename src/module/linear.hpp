#pragma once
// Steps 2 and 6: y = x·wᵀ + b for the projections.
#include <cstdint>

namespace mha::detail {

// x [M, K] (row stride ldx), w [N, K] contiguous, b [N] or nullptr → y [M, N] (row stride ldy).
// fp32, parallel over rows of x.
void linear(const float* x, std::int64_t ldx, std::int64_t M, std::int64_t K, const float* w, const float* b,
            std::int64_t N, float* y, std::int64_t ldy);

}  // namespace mha::detail
