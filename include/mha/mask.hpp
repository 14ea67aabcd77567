#pragma once
// Attention masks with a named polarity.
//
// A bare boolean tensor is ambiguous: the three APIs users know disagree on what `true` means.
// mha never guesses; the constructor says it:
//
// | convention                                   | boolean `true` means | mha constructor     |
// |----------------------------------------------|----------------------|---------------------|
// | ONNX Attention `attn_mask` (bool)            | take part (attend)   | Mask::keep(t)       |
// | torch F.scaled_dot_product_attention (bool)  | take part (attend)   | Mask::keep(t)       |
// | torch nn.MultiheadAttention attn_mask (bool) | masked out (ignore)  | Mask::drop(t)       |
// | torch nn.MultiheadAttention key_padding_mask | masked out (padding) | Mask::drop(t)       |
// | any of them, float mask                      | added to the scores  | Mask::additive(t)   |
//
// Additive masks: a value of -inf removes the key; any finite value is added to the scaled (and
// soft-capped) score. Masks apply by selection: a removed key's score is never computed into the
// softmax, so a NaN in a masked-out key or value cannot reach the output.
//
// A query row with no key left (every key removed) yields an output row of zeros and, where
// probabilities are requested, an all-zero probability row — never NaN.
//
// Shapes and broadcasting: see the function that takes the mask (mha::attention,
// mha::MultiHeadAttention::forward).
#include "mha/tensor.hpp"

namespace mha {

enum class MaskKind { none, keep, drop, additive };

class Mask {
 public:
  Mask() = default;  // no mask
  // Boolean (DType::boolean) tensor, true = the key takes part in attention.
  static Mask keep(const TensorView& bools);
  // Boolean (DType::boolean) tensor, true = the key is masked out.
  static Mask drop(const TensorView& bools);
  // Floating tensor (f32, f64, f16, bf16) added to the scores; -inf removes a key.
  static Mask additive(const TensorView& values);

  MaskKind kind() const noexcept { return kind_; }
  const TensorView& tensor() const noexcept { return tensor_; }
  bool defined() const noexcept { return kind_ != MaskKind::none; }

 private:
  Mask(MaskKind kind, const TensorView& t) : kind_(kind), tensor_(t) {}
  MaskKind kind_ = MaskKind::none;
  TensorView tensor_;
};

}  // namespace mha
