// The additive bias of the ONNX Attention rules, written out as plainly as the operator's text.
#include <cmath>
#include <limits>

#include "mha/reference.hpp"

namespace mha::reference {
namespace {

constexpr double kNegInf = -std::numeric_limits<double>::infinity();

// Value of the (right-aligned, broadcast) mask at [b, h, i, j]; j < the mask's last dimension.
double mask_at(const TensorView& m, std::int64_t b, std::int64_t h, std::int64_t i, std::int64_t j) {
  const std::int64_t full[4] = {b, h, i, j};
  std::int64_t off = 0;
  for (int d = 0; d < m.rank(); ++d) {
    const std::int64_t target_dim = 4 - m.rank() + d;
    const std::int64_t index = m.size(d) == 1 ? 0 : full[target_dim];
    off += index * m.stride(d);
  }
  return load_as_double(m.data(), m.dtype(), off);
}

}  // namespace

Tensor attention_bias(const AttentionInputs& in, const AttentionOptions& opt, std::int64_t B, std::int64_t Hq,
                      std::int64_t Sq, std::int64_t P, std::int64_t T) {
  Tensor bias(DType::f64, Shape{B, Hq, Sq, T});  // [B, Hq, Sq, T], starts at 0 = kept
  double* out = bias.data_as<double>();
  const bool nonpad = in.nonpad_kv_seqlen.defined();
  for (std::int64_t b = 0; b < B; ++b)
    for (std::int64_t h = 0; h < Hq; ++h)
      for (std::int64_t i = 0; i < Sq; ++i)
        for (std::int64_t j = 0; j < T; ++j) {
          double& x = out[((b * Hq + h) * Sq + i) * T + j];
          // The query's absolute position: after the past cache, or aligned to the end of the
          // valid keys of an external cache.
          const std::int64_t offset = nonpad ? static_cast<std::int64_t>(in.nonpad_kv_seqlen.get({b})) - Sq : P;
          const std::int64_t pos = i + offset;
          bool removed = false;
          if (opt.is_causal && j > pos) removed = true;
          if (opt.left_window >= 0 && j < pos - opt.left_window) removed = true;
          if (opt.right_window >= 0 && j > pos + opt.right_window) removed = true;
          if (nonpad && j >= static_cast<std::int64_t>(in.nonpad_kv_seqlen.get({b}))) removed = true;
          if (in.mask.defined()) {
            const TensorView& m = in.mask.tensor();
            if (j >= m.size(m.rank() - 1)) {
              removed = true;  // a short mask is padded with "masked out"
            } else {
              const double mv = mask_at(m, b, h, i, j);
              switch (in.mask.kind()) {
                case MaskKind::keep: removed = removed || mv == 0.0; break;
                case MaskKind::drop: removed = removed || mv != 0.0; break;
                case MaskKind::additive: x += mv; break;
                case MaskKind::none: break;
              }
            }
          }
          if (removed || x == kNegInf) x = kNegInf;
        }
  return bias;
}

}  // namespace mha::reference
