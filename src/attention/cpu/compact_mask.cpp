#include "attention/cpu/compact_mask.hpp"

#include <atomic>
#include <cstdint>
#include <limits>
#include <type_traits>

#include "attention/cpu/tuning.hpp"
#include "mha/threads.hpp"

namespace mha::detail {
namespace {

// Writes row r's bytes (1 = kept: the value is ±0; 0 = removed: −∞); returns whether some value
// was neither. Elem: float, or the raw bits of f16/bf16 (±0 = no bits but the sign; −∞ = ninf).
template <class Elem>
bool row_to_bytes(const Elem* x, std::uint8_t* y, std::int64_t len, Elem ninf) {
  int bad = 0;
#if defined(__GNUC__) && !defined(__clang__)  // GCC -O2 vectorizes only when asked (3× faster here); clang does
#pragma omp simd reduction(| : bad)
#endif
  for (std::int64_t j = 0; j < len; ++j) {
    const Elem v = x[j];
    int zero;
    if constexpr (std::is_same_v<Elem, float>) zero = v == 0.0f;
    else zero = (v & 0x7fff) == 0;
    bad |= !zero & (v != ninf);
    y[j] = static_cast<std::uint8_t>(zero);
  }
  return bad != 0;
}

}  // namespace

bool compact_removal_mask(const AttentionParams& p, MaskOperand& m, Tensor& bytes) {
  const Operand op = m.op;  // a copy: m.op is rewritten below
  const bool f32 = op.dtype == DType::f32, f16 = op.dtype == DType::f16, bf16 = op.dtype == DType::bf16;
  if (m.kind != MaskKind::additive || !(f32 || f16 || bf16) || op.stride[1] != 0 || op.stride[3] != 1) return false;
  if (p.Hq < kCompactMinHeads || m.len <= 0) return false;
  // The distinct rows: batch and query position, each broadcast where its stride is 0.
  const std::int64_t nb = op.stride[0] != 0 ? p.B : 1, ns = op.stride[2] != 0 ? p.Sq : 1, len = m.len;
  const std::int64_t mask_bytes = nb * ns * len * static_cast<std::int64_t>(dtype_size(op.dtype));
  if (mask_bytes < kCompactMinBytes || mask_bytes > kCompactMaxBytes) return false;
  Tensor out = Tensor::uninitialized(DType::boolean, Shape{nb, ns, len});
  auto* dst = out.data_as<std::uint8_t>();
  std::atomic<bool> other{false};  // a value other than ±0 and −∞: leave the mask as it is
  const std::int64_t rows = nb * ns;
#pragma omp parallel for schedule(static) num_threads(num_threads())
  for (std::int64_t r = 0; r < rows; ++r) {
    if (other.load(std::memory_order_relaxed)) continue;
    const std::int64_t at = (r / ns) * op.stride[0] + (r % ns) * op.stride[2];
    std::uint8_t* y = dst + r * len;
    const bool bad = f32 ? row_to_bytes(static_cast<const float*>(op.data) + at, y, len, -std::numeric_limits<float>::infinity())
                         : row_to_bytes(static_cast<const std::uint16_t*>(op.data) + at, y, len,
                                        static_cast<std::uint16_t>(f16 ? 0xfc00 : 0xff80));
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
