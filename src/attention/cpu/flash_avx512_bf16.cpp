// The flash kernel with bf16 query, key and value on AVX-512 BF16 (vdpbf16ps), fp32 accumulation.
// Everything between the target pragmas lives in its own namespace, so no inline function
// compiled for one target can be picked by the linker for another.
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

#define MHA_CPU_TARGET "avx512f,avx512bw,avx512vl,avx512dq,avx512bf16,avx2,fma,f16c"
#include "attention/cpu/target_begin.inc"

namespace mha::detail::avx512_bf16 {
using Tune = Tuning<Isa::avx512>;
#include "attention/cpu/vec_avx512.inc"
#include "attention/cpu/math.inc"
#include "attention/cpu/microkernels.inc"
#include "attention/cpu/elems_fp32.inc"
#include "attention/cpu/elems_bf16.inc"
#include "attention/cpu/flash.inc"
#include "attention/cpu/driver.inc"
}  // namespace mha::detail::avx512_bf16

#include "attention/cpu/target_end.inc"

namespace mha::detail {
void run_flash_avx512_bf16(const AttentionParams& p) { avx512_bf16::flash::run<avx512_bf16::Bf16Elems>(p); }
}  // namespace mha::detail
