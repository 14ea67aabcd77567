#pragma once
// mha::MultiHeadAttention — all six steps, with the semantics of torch.nn.MultiheadAttention,
// plus grouped key/value heads (num_kv_heads), which torch's module lacks.
//
//   1 input    query [N, L, E] (batch_first) or [L, N, E]; key [N, S, kdim], value [N, S, vdim]
//              (or [S, N, ·]); unbatched: [L, E], [S, kdim], [S, vdim]
//   2 project  q = query·Wqᵀ + bq → [N, H, L, hd];  k, v → [N, Hkv, S, hd]   (hd = E / H,
//              Hkv = num_kv_heads, Ekv = Hkv·hd); bias_k/bias_v (add_bias_kv) append one key
//              and value, add_zero_attn then appends a zero key and value (S grows by 1 each)
//   3 score    q·kᵀ/sqrt(hd) + masks                               → [N, H, L, S]
//   4 weigh    softmax (then dropout in training), times v          → [N, H, L, hd]
//   5 concat   heads side by side                                   → [N, L, E]
//   6 output   out_proj                                             → [N, L, E] (or [L, N, E])
//
// Masks (torch nn.MultiheadAttention conventions; construct with the polarity you mean):
//   key_padding_mask [N, S] (unbatched: [S]): Mask::drop for torch's bool (true = padding),
//                    Mask::additive for a float mask; Mask::keep is accepted too.
//   attn_mask        [L, S] or [N·H, L, S]: same choices. torch's bool attn_mask is Mask::drop.
//   With add_bias_kv / add_zero_attn the appended keys are never masked (torch pads with 0).
//   is_causal: applies the top-left causal mask (key j > query i removed) on top of attn_mask.
//              torch requires attn_mask to be that causal mask when is_causal is set; mha accepts
//              it alone too, and the result is the same whenever torch's hint is truthful.
//              With add_bias_kv/add_zero_attn the appended keys stay visible to every query —
//              torch's answer with need_weights=True; torch 2.x's need_weights=False path hides
//              them from early queries (it drops the padded mask for SDPA's is_causal), so
//              torch disagrees with itself there and mha follows the need_weights=True result.
//   Fully masked rows give zeros (torch gives NaN).
//
// Weights returned with need_weights: [N, L, S] averaged over heads or [N, H, L, S] per head
// (unbatched: without N), f32, after dropout as in torch. Output dtype = query dtype.
//
// Threads: forward() is const and may be called from several threads at once.
#include <atomic>
#include <cstdint>
#include <map>
#include <memory>
#include <optional>
#include <span>
#include <string>

#include "mha/mask.hpp"
#include "mha/tensor.hpp"

namespace mha {

struct MultiHeadAttentionOptions {
  std::int64_t embed_dim = 0;     // E
  std::int64_t num_heads = 0;     // H, divides E
  double dropout = 0.0;           // probability in [0, 1), training mode only
  bool bias = true;               // in_proj_bias and out_proj.bias
  bool add_bias_kv = false;       // bias_k, bias_v [1, 1, Ekv]
  bool add_zero_attn = false;
  std::int64_t kdim = 0;          // 0 = E
  std::int64_t vdim = 0;          // 0 = E
  bool batch_first = false;
  std::int64_t num_kv_heads = 0;  // 0 = H; else divides H (GQA, MQA with 1)
  std::uint64_t seed = 0;         // initial weights and the dropout stream
  // The dtype every parameter is kept in: f32, or bf16 (half the memory; loaded values are
  // rounded to nearest-even). The projections multiply the bf16 weights exactly, expanded to
  // fp32, with fp32 activations and accumulation, so the result is the fp32 module's on the
  // rounded weights (torch's bf16 module rounds activations to bf16 as well).
  DType weight_dtype = DType::f32;
};

struct ForwardOptions {
  Mask key_padding_mask{};
  bool need_weights = true;
  Mask attn_mask{};
  bool average_attn_weights = true;
  bool is_causal = false;
  // Training-mode dropout draws from this stream when given; otherwise from a stream derived
  // from the module seed and a per-module call counter. Same stream, same inputs: same result.
  std::optional<std::uint64_t> dropout_seed{};
};

struct MultiHeadAttentionOutput {
  Tensor output{};   // [N, L, E] / [L, N, E] / [L, E]
  Tensor weights{};  // absent unless need_weights
};

namespace detail {
struct PackedProjections;  // the projection weights in the GEMM's panel layout (src/module)
}

class MultiHeadAttention {
 public:
  // Initializes like torch: xavier-uniform in-projections, out_proj weight U(-1/sqrt(E), 1/sqrt(E)),
  // zero biases, xavier-normal bias_k/bias_v; drawn from `seed` (not torch's generator).
  explicit MultiHeadAttention(const MultiHeadAttentionOptions& options);

  const MultiHeadAttentionOptions& options() const noexcept { return opt_; }
  std::int64_t head_dim() const noexcept { return opt_.embed_dim / opt_.num_heads; }
  std::int64_t kv_embed_dim() const noexcept { return num_kv_heads() * head_dim(); }
  std::int64_t num_kv_heads() const noexcept { return opt_.num_kv_heads ? opt_.num_kv_heads : opt_.num_heads; }
  std::int64_t kdim() const noexcept { return opt_.kdim ? opt_.kdim : opt_.embed_dim; }
  std::int64_t vdim() const noexcept { return opt_.vdim ? opt_.vdim : opt_.embed_dim; }
  // True when torch would hold one packed in_proj_weight (kdim = vdim = E and Hkv = H).
  bool packed_in_proj() const noexcept;

  // The parameters under torch's state_dict names:
  //   in_proj_weight [E + 2·Ekv, E]   (when packed_in_proj(); else q_proj_weight [E, E],
  //                                    k_proj_weight [Ekv, kdim], v_proj_weight [Ekv, vdim])
  //   in_proj_bias [E + 2·Ekv], out_proj.weight [E, E], out_proj.bias [E]   (when bias)
  //   bias_k [1, 1, Ekv], bias_v [1, 1, Ekv]                                 (when add_bias_kv)
  std::map<std::string, Tensor> state_dict() const;
  // Tensors are of options().weight_dtype.
  // Sets parameters from tensors laid out as torch's state_dict (any floating dtype; copied,
  // rounded to weight_dtype).
  // Either the packed in_proj_weight or the three q/k/v_proj_weight may be given (both layouts
  // are accepted whatever packed_in_proj() says). Unknown names, missing names (unless
  // allow_partial) and wrong shapes throw mha::Error; on error nothing changes.
  void load_state_dict(const std::map<std::string, TensorView>& tensors, bool allow_partial = false);

  void train(bool on = true) noexcept { training_ = on; }
  void eval() noexcept { training_ = false; }
  bool training() const noexcept { return training_; }

  MultiHeadAttentionOutput forward(const TensorView& query, const TensorView& key, const TensorView& value,
                                   const ForwardOptions& options = {}) const;

  // Self-attention shorthand: forward(x, x, x, options).
  MultiHeadAttentionOutput forward(const TensorView& x, const ForwardOptions& options = {}) const {
    return forward(x, x, x, options);
  }

  // Self-attention over sequences packed back to back without padding (what torch's nested
  // tensors and flash-attention's "varlen" inputs hold): x [T, E] holds lengths[0] rows of
  // sequence 0, then lengths[1] rows of sequence 1, and so on; Σ lengths = T, a length may be 0.
  // Each sequence attends only to its own rows (is_causal: to its own rows up to itself).
  // Returns [T, E] in x's dtype, row for row the output forward() gives for that sequence
  // alone. The projections (steps 2 and 6) run once over all T rows, so no work is spent on
  // padding. Needs kdim = vdim = embed_dim and no add_bias_kv / add_zero_attn, and runs without
  // dropout (eval mode or dropout 0); attention weights are not returned — use forward() with a
  // key_padding_mask for those. Violations throw mha::Error naming the argument.
  Tensor forward_packed(const TensorView& x, std::span<const std::int64_t> lengths, bool is_causal = false) const;

 private:
  MultiHeadAttentionOptions opt_;
  Tensor wq_, wk_, wv_;     // [E, E], [Ekv, kdim], [Ekv, vdim]  (all parameters: weight_dtype)
  Tensor bq_, bk_, bv_;     // [E], [Ekv], [Ekv]  (absent when !bias)
  Tensor wo_, bo_;          // [E, E], [E]
  Tensor bias_k_, bias_v_;  // [Ekv] (absent when !add_bias_kv)
  bool training_ = false;
  mutable std::atomic<std::uint64_t> dropout_calls_{0};
  // Packed again whenever the weights change (constructor, load_state_dict).
  std::shared_ptr<const detail::PackedProjections> packed_;
  void pack_projections();
};

}  // namespace mha
