// The flash kernel compiled for the scalar target. Everything between the target pragmas lives in
// its own namespace, so no inline function compiled for one target can be picked by the linker
// for another (the classic one-definition hazard of per-target builds).
#include <algorithm>
#include <cmath>
#include <cstdint>
#include <cstring>
#include <limits>
#include <vector>

#include "attention/cpu/flash.hpp"
#include "attention/cpu/tuning.hpp"
#include "attention/params.hpp"
#include "mha/threads.hpp"

namespace mha::detail::scalar {
using Tune = Tuning<Isa::scalar>;
#include "attention/cpu/vec_scalar.inc"
#include "attention/cpu/math.inc"
#include "attention/cpu/microkernels.inc"
#include "attention/cpu/elems_fp32.inc"
#include "attention/cpu/flash.inc"
#include "attention/cpu/driver.inc"
}  // namespace mha::detail::scalar

namespace mha::detail {
void run_flash_scalar(const AttentionParams& p) { scalar::flash::run<scalar::Fp32Elems>(p); }
}  // namespace mha::detail
