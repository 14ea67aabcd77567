#pragma once
// The encoder's weights, found by their transformers names in model.safetensors and checked
// against config.json.
#include <memory>
#include <vector>

#include "mha/model.hpp"
#include "mha/module.hpp"
#include "mha/safetensors.hpp"
#include "module/linear.hpp"

namespace mha::model {

// One f32 weight: a view into the mapped file (zero copy) when it is stored as F32, else an
// owned f32 conversion. Always contiguous.
struct Param {
  Param() = default;
  Param(Param&&) noexcept = default;
  Param& operator=(Param&&) noexcept = default;
  Param(const Param&) = delete;  // a copy's view would still point into the original's `owned`
  Param& operator=(const Param&) = delete;

  TensorView view{};
  Tensor owned{};
  const float* data() const noexcept { return view.data_as<const float>(); }
};

// Step 1, input: the three embedding tables and their LayerNorm.
struct EmbeddingWeights {
  Param word;        // [vocab_size, E]              embeddings.word_embeddings.weight
  Param position;    // [max_position_embeddings, E] embeddings.position_embeddings.weight
  Param token_type;  // [type_vocab_size, E]         embeddings.token_type_embeddings.weight
  Param norm_weight, norm_bias;  // [E]              embeddings.LayerNorm.{weight,bias}
};

// One encoder layer (transformers' BertLayer).
struct LayerWeights {
  // Steps 2–6: self.{query,key,value} and output.dense of encoder.layer.<l>.attention.
  // (MultiHeadAttention holds an atomic counter, so it is neither copyable nor movable.)
  std::unique_ptr<MultiHeadAttention> attention;
  Param attention_norm_weight, attention_norm_bias;  // [E]    attention.output.LayerNorm
  Param ffn_in_weight, ffn_in_bias;                  // [I, E], [I]  intermediate.dense
  Param ffn_out_weight, ffn_out_bias;                // [E, I], [E]  output.dense
  Param output_norm_weight, output_norm_bias;        // [E]    output.LayerNorm
  // The feed-forward weights in the GEMM's panel layout, packed once at load.
  detail::PackedWeights ffn_in_packed, ffn_out_packed;
};

struct EncoderWeights {
  EmbeddingWeights embeddings;
  std::vector<LayerWeights> layers;
};

// Finds, checks and wraps every weight. Throws mha::Error naming the tensor (and the config
// field its shape comes from) when one is missing, misshapen, of a non-float dtype, or when the
// file holds a tensor the encoder does not use.
EncoderWeights load_encoder_weights(const Safetensors& file, const BertConfig& config);

}  // namespace mha::model
