// mha's own GEMM (gemm.inc) compiled for the scalar target, in its own namespace under a target
// pragma like the flash kernel (flash_<isa>.cpp says why).
#include <algorithm>
#include <bit>
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
const GemmKernels& gemm_kernels_scalar() {
  static constexpr GemmKernels kernels{&scalar::gemm::packed_floats, &scalar::gemm::pack<float>,
                                       &scalar::gemm::pack<std::uint16_t>, &scalar::gemm::run,
                                       &scalar::gemm::run_bf16};
  return kernels;
}
}  // namespace mha::detail
