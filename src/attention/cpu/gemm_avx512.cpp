// mha's own GEMM (gemm.inc) compiled for the avx512 target, in its own namespace under a target
// pragma like the flash kernel (flash_<isa>.cpp says why).
#include <algorithm>
#include <cmath>
#include <cstdint>
#include <cstring>
#include <limits>
#include <vector>
#include <immintrin.h>

#include "attention/cpu/gemm.hpp"
#include "attention/cpu/tuning.hpp"
#include "mha/dtype.hpp"
#include "mha/threads.hpp"

#if defined(__clang__)
#pragma clang attribute push(__attribute__((target("avx512f,avx512bw,avx512vl,avx512dq,avx2,fma,f16c"))), apply_to = function)
#elif defined(__GNUC__)
// GCC 12 warns that the `_mm512_undefined_ps()` inside its own intrinsics may be used
// uninitialized (a false positive of -Wmaybe-uninitialized on the headers).
#pragma GCC diagnostic ignored "-Wmaybe-uninitialized"
#pragma GCC push_options
#pragma GCC target("avx512f,avx512bw,avx512vl,avx512dq,avx2,fma,f16c")
#endif

namespace mha::detail::avx512 {
using Tune = Tuning<Isa::avx512>;
#include "attention/cpu/vec_avx512.inc"
#include "attention/cpu/gemm.inc"
}  // namespace mha::detail::avx512

#if defined(__clang__)
#pragma clang attribute pop
#elif defined(__GNUC__)
#pragma GCC pop_options
#endif

namespace mha::detail {
std::int64_t gemm_packed_floats_avx512(std::int64_t n, std::int64_t k) { return avx512::gemm::packed_floats(n, k); }
void gemm_pack_avx512(const float* w, std::int64_t n, std::int64_t k, float* out, int threads) {
  avx512::gemm::pack(w, n, k, out, threads);
}
void gemm_run_avx512(const float* x, std::int64_t ldx, std::int64_t m, std::int64_t k, const float* packed, const float* b,
                  std::int64_t n, float* y, std::int64_t ldy, int threads) {
  avx512::gemm::run(x, ldx, m, k, packed, b, n, y, ldy, threads);
}
}  // namespace mha::detail
