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

#if defined(__clang__)
#pragma clang attribute push(__attribute__((target("avx512f,avx512bw,avx512vl,avx512dq,avx512bf16,avx2,fma,f16c"))), apply_to = function)
#elif defined(__GNUC__)
// GCC 12 warns that the `_mm512_undefined_ps()` inside its own intrinsics may be used
// uninitialized (a false positive of -Wmaybe-uninitialized on the headers).
#pragma GCC diagnostic ignored "-Wmaybe-uninitialized"
#pragma GCC push_options
#pragma GCC target("avx512f,avx512bw,avx512vl,avx512dq,avx512bf16,avx2,fma,f16c")
#endif

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

#if defined(__clang__)
#pragma clang attribute pop
#elif defined(__GNUC__)
#pragma GCC pop_options
#endif

namespace mha::detail {
void run_flash_avx512_bf16(const AttentionParams& p) { avx512_bf16::flash::run<avx512_bf16::Bf16Elems>(p); }
}  // namespace mha::detail
