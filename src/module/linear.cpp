#include "module/linear.hpp"

#include <algorithm>
#include <cstdlib>
#include <cstring>
#include <type_traits>
#include <vector>

#include "attention/cpu/gemm.hpp"
#include "attention/cpu/isa.hpp"
#include "mha/dtype.hpp"
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

const GemmKernels& kernels(Isa isa) {
  switch (isa) {
    case Isa::avx512:
    case Isa::avx512_bf16:  // the same GEMM (bf16 weights are expanded to fp32)
      return gemm_kernels_avx512();
    case Isa::avx2:
      return gemm_kernels_avx2();
    case Isa::scalar:
      break;
  }
  return gemm_kernels_scalar();
}

}  // namespace

bool PackedWeights::usable_for(std::int64_t n, std::int64_t k) const {
  return (!panels.empty() || !panels_bf16.empty()) && isa == active_isa() && N == n && K == k;
}

namespace {

// T = float or std::uint16_t (bf16 bits): the panels of that element type, in the active target's layout.
template <class T>
PackedWeights pack_as(const T* w, std::int64_t N, std::int64_t K) {
  PackedWeights p;
  if (use_blas() || N == 0 || K == 0) return p;
  p.isa = active_isa();
  p.N = N;
  p.K = K;
  const GemmKernels& g = kernels(p.isa);
  const auto n = static_cast<std::size_t>(g.packed_elems(N, K));
  if constexpr (std::is_same_v<T, float>) {
    p.panels.resize(n);
    g.pack(w, N, K, p.panels.data(), num_threads());
  } else {
    p.panels_bf16.resize(n);
    g.pack_bf16(w, N, K, p.panels_bf16.data(), num_threads());
  }
  return p;
}

}  // namespace

PackedWeights pack_weights(const float* w, std::int64_t N, std::int64_t K) { return pack_as(w, N, K); }

PackedWeights pack_weights_bf16(const std::uint16_t* w, std::int64_t N, std::int64_t K) { return pack_as(w, N, K); }

void linear_own(const float* x, std::int64_t ldx, std::int64_t M, std::int64_t K, const float* w,
                const float* b, std::int64_t N, float* y, std::int64_t ldy) {
  if (M == 0 || N == 0) return;
  const int threads = num_threads();
  const GemmKernels& g = kernels(active_isa());
  // Pack once per call: O(N·K) against the O(M·N·K) product.
  aligned_vector<float> packed(static_cast<std::size_t>(g.packed_elems(N, K)));
  g.pack(w, N, K, packed.data(), threads);
  g.run(x, ldx, M, K, packed.data(), b, N, y, ldy, threads);
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
  if (packed && packed->usable_for(N, K) && !packed->panels.empty()) {
    if (M > 0) kernels(packed->isa).run(x, ldx, M, K, packed->panels.data(), b, N, y, ldy, num_threads());
    return;
  }
  linear_own(x, ldx, M, K, w, b, N, y, ldy);
}

void linear_bf16(const float* x, std::int64_t ldx, std::int64_t M, std::int64_t K, const std::uint16_t* w,
                 const float* b, std::int64_t N, float* y, std::int64_t ldy, const PackedWeights* packed) {
  if (M == 0 || N == 0) return;
  if (use_blas()) {
    std::vector<float> wf(static_cast<std::size_t>(N * K));
    for (std::size_t i = 0; i < wf.size(); ++i) wf[i] = bf16_to_f32(w[i]);
    return linear_blas(x, ldx, M, K, wf.data(), b, N, y, ldy);
  }
  const int threads = num_threads();
  if (packed && packed->usable_for(N, K) && !packed->panels_bf16.empty())
    return kernels(packed->isa).run_bf16(x, ldx, M, K, packed->panels_bf16.data(), b, N, y, ldy, threads);
  const GemmKernels& g = kernels(active_isa());
  aligned_vector<std::uint16_t> panels(static_cast<std::size_t>(g.packed_elems(N, K)));
  g.pack_bf16(w, N, K, panels.data(), threads);
  g.run_bf16(x, ldx, M, K, panels.data(), b, N, y, ldy, threads);
}

void project(const float* x, std::int64_t M, const Tensor& w, const std::vector<float>& b, float* y,
             std::int64_t ldy, const PackedWeights& packed) {
  const std::int64_t n = w.size(0), k = w.size(1);
  const float* bias = b.empty() ? nullptr : b.data();
  if (w.dtype() == DType::bf16) linear_bf16(x, k, M, k, w.data_as<std::uint16_t>(), bias, n, y, ldy, &packed);
  else linear(x, k, M, k, w.data_as<float>(), bias, n, y, ldy, &packed);
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
