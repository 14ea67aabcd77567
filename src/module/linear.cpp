#include "module/linear.hpp"

#include <algorithm>

#include "mha/threads.hpp"

namespace mha::detail {

void linear(const float* x, std::int64_t ldx, std::int64_t M, std::int64_t K, const float* w, const float* b,
            std::int64_t N, float* y, std::int64_t ldy) {
  if (M == 0 || N == 0) return;
  // Blocks of output columns keep a slice of w hot in cache while the rows of x stream by.
  constexpr std::int64_t kColumnBlock = 64;  // 64 rows of w at K = 768: 192 KiB, inside L2
  const std::int64_t nblocks = (N + kColumnBlock - 1) / kColumnBlock;
  const int nt = static_cast<int>(std::min<std::int64_t>(num_threads(), M * nblocks));
#pragma omp parallel for collapse(2) schedule(static) num_threads(nt)
  for (std::int64_t nb = 0; nb < nblocks; ++nb)
    for (std::int64_t m = 0; m < M; ++m) {
      const float* xr = x + m * ldx;
      const std::int64_t n1 = std::min(N, (nb + 1) * kColumnBlock);
      for (std::int64_t n = nb * kColumnBlock; n < n1; ++n) {
        const float* wr = w + n * K;
        float acc = 0.0f;
#pragma omp simd reduction(+ : acc)
        for (std::int64_t kk = 0; kk < K; ++kk) acc += xr[kk] * wr[kk];
        y[m * ldy + n] = acc + (b ? b[n] : 0.0f);
      }
    }
}

}  // namespace mha::detail
