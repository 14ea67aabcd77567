#pragma once
// The tests' name for the library's derived error bounds (src/attention/error_bound.hpp).
#include "attention/error_bound.hpp"

namespace mha::testing {
using detail::abs_of;
using detail::attention_bound;
using detail::AttentionBound;
using detail::kBf16KernelProbabilityError;
using detail::kBf16KernelSumError;
using detail::kTiny;
using detail::max_abs;
using detail::rounding_floor;
}  // namespace mha::testing
