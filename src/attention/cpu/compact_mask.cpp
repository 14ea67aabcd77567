#include "attention/cpu/compact_mask.hpp"

#include <atomic>
#include <cmath>
#include <cstdint>
#include <limits>

#include "attention/cpu/tuning.hpp"
#include "mha/threads.hpp"

namespace mha::detail {

bool compact_removal_mask(const AttentionParams& p, MaskOperand& m, Tensor& bytes) {
  const Operand op = m.op;  // a copy: m.op is rewritten below
  if (m.kind != MaskKind::additive || op.dtype != DType::f32 || op.stride[1] != 0 || op.stride[3] != 1) return false;
  if (p.Hq < kCompactMinHeads || m.len <= 0) return false;
  // The distinct rows: batch and query position, each broadcast where its stride is 0.
  const std::int64_t nb = op.stride[0] != 0 ? p.B : 1, ns = op.stride[2] != 0 ? p.Sq : 1, len = m.len;
  const std::int64_t mask_bytes = nb * ns * len * 4;
  if (mask_bytes < kCompactMinBytes || mask_bytes > kCompactMaxBytes) return false;
  Tensor out = Tensor::uninitialized(DType::boolean, Shape{nb, ns, len});
  auto* dst = out.data_as<std::uint8_t>();
  const auto* src = static_cast<const float*>(op.data);
  constexpr float kNegInf = -std::numeric_limits<float>::infinity();
  std::atomic<bool> other{false};  // a value other than ±0 and −∞: leave the mask as it is
  const std::int64_t rows = nb * ns;
#pragma omp parallel for schedule(static) num_threads(num_threads())
  for (std::int64_t r = 0; r < rows; ++r) {
    if (other.load(std::memory_order_relaxed)) continue;
    const float* x = src + (r / ns) * op.stride[0] + (r % ns) * op.stride[2];
    std::uint8_t* y = dst + r * len;
    int bad = 0;
#if defined(__GNUC__) && !defined(__clang__)  // GCC -O2 vectorizes only when asked (3× faster here); clang does
#pragma omp simd reduction(| : bad)
#endif
    for (std::int64_t j = 0; j < len; ++j) {
      const float v = x[j];
      const int zero = v == 0.0f;
      bad |= !zero & (v != kNegInf);
      y[j] = static_cast<std::uint8_t>(zero);
    }
    if (bad) other.store(true, std::memory_order_relaxed);
  }
  if (other.load()) return false;
  bytes = std::move(out);
  m.kind = MaskKind::keep;
  m.op.data = bytes.data();
  m.op.dtype = DType::boolean;
  m.op.stride[0] = op.stride[0] != 0 ? ns * len : 0;
  m.op.stride[2] = op.stride[2] != 0 ? len : 0;
  return true;
}

}  // namespace mha::detail
