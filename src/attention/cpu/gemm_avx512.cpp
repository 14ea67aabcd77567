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

#define MHA_CPU_TARGET "avx512f,avx512bw,avx512vl,avx512dq,avx2,fma,f16c"
#include "attention/cpu/target_begin.inc"

namespace mha::detail::avx512 {
using Tune = Tuning<Isa::avx512>;
#include "attention/cpu/vec_avx512.inc"
#include "attention/cpu/gemm.inc"
}  // namespace mha::detail::avx512

#include "attention/cpu/target_end.inc"

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
