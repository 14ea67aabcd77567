// The flash kernel compiled for the avx2 target. Everything between the target pragmas lives in
// its own namespace, so no inline function compiled for one target can be picked by the linker
// for another (the classic one-definition hazard of per-target builds).
#include <algorithm>
#include <cmath>
#include <cstdint>
#include <cstring>
#include <limits>
#include <vector>
#include <immintrin.h>

#include "attention/cpu/flash.hpp"
#include "attention/cpu/tuning.hpp"
#include "attention/params.hpp"
#include "mha/threads.hpp"

#define MHA_CPU_TARGET "avx2,fma,f16c"
#include "attention/cpu/target_begin.inc"

namespace mha::detail::avx2 {
using Tune = Tuning<Isa::avx2>;
#include "attention/cpu/vec_avx2.inc"
#include "attention/cpu/math.inc"
#include "attention/cpu/microkernels.inc"
#include "attention/cpu/elems_fp32.inc"
#include "attention/cpu/flash.inc"
#include "attention/cpu/driver.inc"
}  // namespace mha::detail::avx2

#include "attention/cpu/target_end.inc"

namespace mha::detail {
void run_flash_avx2(const AttentionParams& p) { avx2::flash::run<avx2::Fp32Elems>(p); }
}  // namespace mha::detail
