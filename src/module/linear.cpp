#include "module/linear.hpp"

#include <algorithm>
#include <cstdlib>
#include <cstring>
#include <vector>

#include "attention/cpu/gemm.hpp"
#include "attention/cpu/isa.hpp"
#include "mha/threads.hpp"

#if defined(MHA_HAVE_CBLAS)
#include <cblas.h>
#endif

namespace mha::detail {
namespace {

// MHA_GEMM=blas|own picks the GEMM for the process (default: own, which measured faster here:
// bench/RESULTS.md); blas needs a build that found a CBLAS.
bool use_blas() {
#if defined(MHA_HAVE_CBLAS)
  static const bool blas = [] {
    const char* e = std::getenv("MHA_GEMM");
    return e && std::strcmp(e, "blas") == 0;
  }();
  return blas;
#else
  return false;
#endif
}

}  // namespace

void linear_own(const float* x, std::int64_t ldx, std::int64_t M, std::int64_t K, const float* w, const float* b,
                std::int64_t N, float* y, std::int64_t ldy) {
  if (M == 0 || N == 0) return;
  const int threads = num_threads();
  // Pack once per call: O(N·K) against the O(M·N·K) product.
  switch (active_isa()) {
    case Isa::avx512: {
      std::vector<float> packed(static_cast<std::size_t>(gemm_packed_floats_avx512(N, K)));
      gemm_pack_avx512(w, N, K, packed.data(), threads);
      return gemm_run_avx512(x, ldx, M, K, packed.data(), b, N, y, ldy, threads);
    }
    case Isa::avx2: {
      std::vector<float> packed(static_cast<std::size_t>(gemm_packed_floats_avx2(N, K)));
      gemm_pack_avx2(w, N, K, packed.data(), threads);
      return gemm_run_avx2(x, ldx, M, K, packed.data(), b, N, y, ldy, threads);
    }
    case Isa::scalar: {
      std::vector<float> packed(static_cast<std::size_t>(gemm_packed_floats_scalar(N, K)));
      gemm_pack_scalar(w, N, K, packed.data(), threads);
      return gemm_run_scalar(x, ldx, M, K, packed.data(), b, N, y, ldy, threads);
    }
  }
}

void linear_blas(const float* x, std::int64_t ldx, std::int64_t M, std::int64_t K, const float* w, const float* b,
                 std::int64_t N, float* y, std::int64_t ldy) {
#if defined(MHA_HAVE_CBLAS)
  if (M == 0 || N == 0) return;
  if (b)  // y starts as the bias, broadcast over rows (beta = 1)
    for (std::int64_t m = 0; m < M; ++m) std::copy_n(b, N, y + m * ldy);
#if defined(OPENBLAS_VERSION)
  openblas_set_num_threads(num_threads());  // the same thread budget as the attention kernels
#endif
  cblas_sgemm(CblasRowMajor, CblasNoTrans, CblasTrans, static_cast<int>(M), static_cast<int>(N), static_cast<int>(K),
              1.0f, x, static_cast<int>(ldx), w, static_cast<int>(K), b ? 1.0f : 0.0f, y, static_cast<int>(ldy));
#else
  linear_own(x, ldx, M, K, w, b, N, y, ldy);
#endif
}

void linear(const float* x, std::int64_t ldx, std::int64_t M, std::int64_t K, const float* w, const float* b,
            std::int64_t N, float* y, std::int64_t ldy) {
  if (use_blas()) return linear_blas(x, ldx, M, K, w, b, N, y, ldy);
  linear_own(x, ldx, M, K, w, b, N, y, ldy);
}

const char* linear_backend() {
  if (!use_blas()) return "own";
#if defined(OPENBLAS_VERSION)
  return "openblas";
#else
  return "cblas";
#endif
}

}  // namespace mha::detail
