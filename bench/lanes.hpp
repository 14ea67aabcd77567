#pragma once
// Kernel lab v6 (bench/lanes_avx512.cpp): the "rows in lanes" prototype, outside the library.
#include "attention/params.hpp"

namespace mha::lab {
// Whether the prototype covers this problem (fp32, no masks or rules, D % 16 == 0, T % 8 == 0).
bool lanes_supported(const detail::AttentionParams& p);
// Needs AVX-512 (F, BW, VL, DQ); the caller checks.
void run_lanes_avx512(const detail::AttentionParams& p);
}  // namespace mha::lab
