// mha's own GEMM (gemm.inc) compiled for the avx2 target, in its own namespace under a target
// pragma like the flash kernel (flash_<isa>.cpp says why).
#include <algorithm>
#include <bit>
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

#define MHA_CPU_TARGET "avx2,fma,f16c"
#include "attention/cpu/target_begin.inc"

namespace mha::detail::avx2 {
using Tune = Tuning<Isa::avx2>;
#include "attention/cpu/vec_avx2.inc"
#include "attention/cpu/gemm.inc"
}  // namespace mha::detail::avx2

#include "attention/cpu/target_end.inc"

namespace mha::detail {
const GemmKernels& gemm_kernels_avx2() {
  static constexpr GemmKernels kernels{&avx2::gemm::packed_floats, &avx2::gemm::pack<float>,
                                       &avx2::gemm::pack<std::uint16_t>, &avx2::gemm::run,
                                       &avx2::gemm::run_bf16};
  return kernels;
}
}  // namespace mha::detail
