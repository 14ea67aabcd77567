// The flash kernel compiled for the avx512 target. Everything between the target pragmas lives in
// its own namespace, so no inline function compiled for one target can be picked by the linker
// for another (the classic one-definition hazard of per-target builds).
#include <algorithm>
#include <cmath>
#include <cstdint>
#include <cstring>
#include <limits>
#include <utility>
#include <vector>
#include <immintrin.h>

#include "attention/cpu/flash.hpp"
#include "attention/cpu/tuning.hpp"
#include "attention/params.hpp"
#include "mha/threads.hpp"

#define MHA_CPU_TARGET "avx512f,avx512bw,avx512vl,avx512dq,avx2,fma,f16c"
#include "attention/cpu/target_begin.inc"

namespace mha::detail::avx512 {
using Tune = Tuning<Isa::avx512>;
#include "attention/cpu/vec_avx512.inc"
#include "attention/cpu/math.inc"
#include "attention/cpu/microkernels.inc"
#include "attention/cpu/elems_fp32.inc"
#include "attention/cpu/flash.inc"
#include "attention/cpu/driver.inc"
#include "attention/cpu/flash_lanes.inc"
}  // namespace mha::detail::avx512

#include "attention/cpu/target_end.inc"

namespace mha::detail {
void run_flash_avx512(const AttentionParams& p) {
  if (avx512::flash::lanes::run(p)) return;  // fp32, bf16, f16 inputs; shared masks (flash_lanes.inc)
  avx512::flash::run<avx512::Fp32Elems>(p);
}
}  // namespace mha::detail
