// mha's own GEMM (gemm.inc) compiled for the scalar target, in its own namespace under a target
// pragma like the flash kernel (flash_<isa>.cpp says why).
#include <algorithm>
#include <cmath>
#include <cstdint>
#include <cstring>
#include <limits>
#include <vector>

#include "attention/cpu/gemm.hpp"
#include "attention/cpu/tuning.hpp"
#include "mha/dtype.hpp"
#include "mha/threads.hpp"

namespace mha::detail::scalar {
using Tune = Tuning<Isa::scalar>;
#include "attention/cpu/vec_scalar.inc"
#include "attention/cpu/gemm.inc"
}  // namespace mha::detail::scalar

namespace mha::detail {
std::int64_t gemm_packed_floats_scalar(std::int64_t n, std::int64_t k) { return scalar::gemm::packed_floats(n, k); }
void gemm_pack_scalar(const float* w, std::int64_t n, std::int64_t k, float* out, int threads) {
  scalar::gemm::pack(w, n, k, out, threads);
}
void gemm_run_scalar(const float* x, std::int64_t ldx, std::int64_t m, std::int64_t k, const float* packed, const float* b,
                  std::int64_t n, float* y, std::int64_t ldy, int threads) {
  scalar::gemm::run(x, ldx, m, k, packed, b, n, y, ldy, threads);
}
}  // namespace mha::detail
