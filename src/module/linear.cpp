#include "module/linear.hpp"

#include <algorithm>

#include "mha/threads.hpp"

#if defined(MHA_HAVE_CBLAS)
#include <cblas.h>
#endif

namespace mha::detail {

void linear_own(const float* x, std::int64_t ldx, std::int64_t M, std::int64_t K, const float* w, const float* b,
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

#if defined(MHA_HAVE_CBLAS)

void linear(const float* x, std::int64_t ldx, std::int64_t M, std::int64_t K, const float* w, const float* b,
            std::int64_t N, float* y, std::int64_t ldy) {
  if (M == 0 || N == 0) return;
  // y starts as the bias, broadcast over rows (beta = 1), or zero (beta = 0).
  if (b)
    for (std::int64_t m = 0; m < M; ++m) std::copy_n(b, N, y + m * ldy);
#if defined(OPENBLAS_VERSION) || defined(OPENBLAS_CONST)
  openblas_set_num_threads(num_threads());  // the same thread budget as the attention kernels
#endif
  cblas_sgemm(CblasRowMajor, CblasNoTrans, CblasTrans, static_cast<int>(M), static_cast<int>(N), static_cast<int>(K),
              1.0f, x, static_cast<int>(ldx), w, static_cast<int>(K), b ? 1.0f : 0.0f, y, static_cast<int>(ldy));
}

const char* linear_backend() {
#if defined(OPENBLAS_VERSION) || defined(OPENBLAS_CONST)
  return "openblas";
#else
  return "cblas";
#endif
}

#else

void linear(const float* x, std::int64_t ldx, std::int64_t M, std::int64_t K, const float* w, const float* b,
            std::int64_t N, float* y, std::int64_t ldy) {
  linear_own(x, ldx, M, K, w, b, N, y, ldy);
}

const char* linear_backend() { return "own"; }

#endif

}  // namespace mha::detail
