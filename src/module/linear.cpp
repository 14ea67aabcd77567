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

namespace {

std::int64_t packed_floats(Isa isa, std::int64_t N, std::int64_t K) {
  switch (isa) {
    case Isa::avx512:
      return gemm_packed_floats_avx512(N, K);
    case Isa::avx2:
      return gemm_packed_floats_avx2(N, K);
    case Isa::scalar:
      break;
  }
  return gemm_packed_floats_scalar(N, K);
}

void pack(Isa isa, const float* w, std::int64_t N, std::int64_t K, float* out, int threads) {
  switch (isa) {
    case Isa::avx512:
      return gemm_pack_avx512(w, N, K, out, threads);
    case Isa::avx2:
      return gemm_pack_avx2(w, N, K, out, threads);
    case Isa::scalar:
      return gemm_pack_scalar(w, N, K, out, threads);
  }
}

void run(Isa isa, const float* x, std::int64_t ldx, std::int64_t M, std::int64_t K,
         const float* packed, const float* b, std::int64_t N, float* y, std::int64_t ldy,
         int threads) {
  switch (isa) {
    case Isa::avx512:
      return gemm_run_avx512(x, ldx, M, K, packed, b, N, y, ldy, threads);
    case Isa::avx2:
      return gemm_run_avx2(x, ldx, M, K, packed, b, N, y, ldy, threads);
    case Isa::scalar:
      return gemm_run_scalar(x, ldx, M, K, packed, b, N, y, ldy, threads);
  }
}

}  // namespace

bool PackedWeights::usable_for(std::int64_t n, std::int64_t k) const {
  return !panels.empty() && isa == active_isa() && N == n && K == k;
}

PackedWeights pack_weights(const float* w, std::int64_t N, std::int64_t K) {
  PackedWeights p;
  if (use_blas() || N == 0 || K == 0) return p;
  p.isa = active_isa();
  p.N = N;
  p.K = K;
  p.panels.resize(static_cast<std::size_t>(packed_floats(p.isa, N, K)));
  pack(p.isa, w, N, K, p.panels.data(), num_threads());
  return p;
}

void linear_own(const float* x, std::int64_t ldx, std::int64_t M, std::int64_t K, const float* w,
                const float* b, std::int64_t N, float* y, std::int64_t ldy) {
  if (M == 0 || N == 0) return;
  const int threads = num_threads();
  const Isa isa = active_isa();
  // Pack once per call: O(N·K) against the O(M·N·K) product.
  std::vector<float> packed(static_cast<std::size_t>(packed_floats(isa, N, K)));
  pack(isa, w, N, K, packed.data(), threads);
  run(isa, x, ldx, M, K, packed.data(), b, N, y, ldy, threads);
}

void linear_blas(const float* x, std::int64_t ldx, std::int64_t M, std::int64_t K, const float* w,
                 const float* b, std::int64_t N, float* y, std::int64_t ldy) {
#if defined(MHA_HAVE_CBLAS)
  if (M == 0 || N == 0) return;
  if (b)  // y starts as the bias, broadcast over rows (beta = 1)
    for (std::int64_t m = 0; m < M; ++m) std::copy_n(b, N, y + m * ldy);
#if defined(OPENBLAS_VERSION)
  openblas_set_num_threads(num_threads());  // the same thread budget as the attention kernels
#endif
  cblas_sgemm(CblasRowMajor, CblasNoTrans, CblasTrans, static_cast<int>(M), static_cast<int>(N),
              static_cast<int>(K), 1.0f, x, static_cast<int>(ldx), w, static_cast<int>(K),
              b ? 1.0f : 0.0f, y, static_cast<int>(ldy));
#else
  linear_own(x, ldx, M, K, w, b, N, y, ldy);
#endif
}

void linear(const float* x, std::int64_t ldx, std::int64_t M, std::int64_t K, const float* w,
            const float* b, std::int64_t N, float* y, std::int64_t ldy,
            const PackedWeights* packed) {
  if (use_blas()) return linear_blas(x, ldx, M, K, w, b, N, y, ldy);
  if (packed && packed->usable_for(N, K)) {
    if (M > 0) run(packed->isa, x, ldx, M, K, packed->panels.data(), b, N, y, ldy, num_threads());
    return;
  }
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
