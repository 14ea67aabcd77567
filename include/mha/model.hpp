#pragma once
// mha::Model — a pretrained BERT-family encoder (all-MiniLM-L6-v2 and its kind), run on mha's
// own attention, with sentence embeddings as sentence-transformers computes them.
//
// A model directory holds (the layout of a sentence-transformers model):
//   config.json                 BERT hyper-parameters (BertConfig below), validated
//   model.safetensors           the weights, memory-mapped (zero copy for F32 tensors)
//   1_Pooling/config.json       optional; when present it must ask for mean pooling
//   sentence_bert_config.json   optional; its max_seq_length is reported by max_seq_length()
//   vocab.txt, tokenizer.json   read by the tokenizer, not here: the model takes token ids
//
// The computation, per sentence of S tokens (E = hidden_size, H heads, D = E / H, I =
// intermediate_size), in f32 with the same operations as transformers' BertModel:
//   1 input     x = LayerNorm(word[id] + position[i] + token_type[type])          [S, E]
//   per layer   a = MultiHeadAttention(x)   (steps 2–6: query/key/value → q/k/v_proj_weight,
//                                             attention.output.dense → out_proj)  [S, E]
//               x = LayerNorm(x + a)                                  (post-LayerNorm)
//               x = LayerNorm(x + W2·gelu(W1·x + b1) + b2)   gelu with erf; W1 [I, E], W2 [E, I]
//   pooling     e = mean of x over the sentence's tokens, then e / max(‖e‖₂, 1e-12)     [E]
//
// Batches: sentences of different lengths are right-padded to the longest, and the padding is
// removed from attention with a key_padding_mask (Mask::drop), so each sentence's result is the
// one it has alone. The weights tensors may carry transformers' "bert." prefix or not; the
// pooler ("pooler.*"), pretraining heads ("cls.*") and embeddings.position_ids are ignored; any
// other tensor the encoder does not use is an error (it means config.json and the weights
// disagree).
//
// Thread safety: a Model is immutable once loaded; copies share the weights, and any number of
// threads may call encode/embed/attentions at once.
#include <cstdint>
#include <filesystem>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "mha/tensor.hpp"

namespace mha {

class MultiHeadAttention;

// The fields of config.json the encoder uses. parse/load validate every one: positive sizes,
// hidden_size divisible by num_attention_heads, hidden_act "gelu" (erf), model_type "bert" (when
// given), position_embedding_type "absolute" (when given), layer_norm_eps > 0.
struct BertConfig {
  std::int64_t vocab_size = 0;
  std::int64_t hidden_size = 0;  // E
  std::int64_t num_hidden_layers = 0;
  std::int64_t num_attention_heads = 0;      // H
  std::int64_t intermediate_size = 0;        // I
  std::int64_t max_position_embeddings = 0;  // the longest sequence the model can encode
  std::int64_t type_vocab_size = 0;
  double layer_norm_eps = 1e-12;
  std::int64_t pad_token_id = 0;

  std::int64_t head_dim() const noexcept { return hidden_size / num_attention_heads; }

  // Throws mha::Error naming `source` and the field.
  static BertConfig parse(std::string_view json_text, const std::string& source);
  static BertConfig load(const std::filesystem::path& config_json);
};

using TokenIds = std::vector<std::int64_t>;

struct EncodeOptions {
  // Capture every layer's per-head attention probabilities (MultiHeadAttention with
  // need_weights and average_attn_weights = false). Off, the fast path runs and no S×S matrix
  // is ever formed.
  bool attentions = false;
  // Keep every layer's input hidden states (Encoding::hidden_states), as transformers'
  // output_hidden_states. Off, nothing is copied.
  bool hidden_states = false;
  // BERT's segment ids, one sequence per sentence with the sentence's length, each in
  // [0, type_vocab_size). Empty: all 0 (a single-segment sentence, as sentence-transformers).
  std::vector<TokenIds> token_type_ids{};
};

struct Encoding {
  // The last layer's output, [N, S, E] f32, S = the longest sentence. Row n, position i >=
  // lengths[n] is padding and holds zeros.
  Tensor hidden{};
  std::vector<std::int64_t> lengths{};  // [N]
  // With EncodeOptions::attentions: per sentence n, [layers, H, S_n, S_n] f32 over its own
  // S_n = lengths[n] tokens; [l, h, i, j] is how much token i attends to token j in layer l,
  // head h (each row sums to 1). Empty otherwise.
  std::vector<Tensor> attentions{};
  // With EncodeOptions::hidden_states: layers + 1 tensors, each [N, S, E] f32 like `hidden`
  // (padding rows zero). hidden_states[l] is the input of layer l — [0] the embeddings after
  // their LayerNorm (step 1 of layer 0), [l] the output of layer l − 1 — and
  // hidden_states[layers] equals `hidden`. Empty otherwise.
  std::vector<Tensor> hidden_states{};
};

class Model {
 public:
  // Loads and validates the model in `dir` (see the layout above). Throws mha::Error naming the
  // file and the field or tensor at fault; a missing directory or file gets a hint on how to
  // fetch the model.
  static Model load(const std::filesystem::path& dir);

  const BertConfig& config() const noexcept;
  const std::filesystem::path& directory() const noexcept;
  // sentence_bert_config.json's max_seq_length (what sentence-transformers truncates to), else
  // max_position_embeddings. The encoder itself accepts up to max_position_embeddings tokens.
  std::int64_t max_seq_length() const noexcept;

  // The hidden states of a batch. token_ids: one sequence per sentence, as the tokenizer gives
  // it ([CLS] … [SEP] included); each 1..max_position_embeddings long, each id in
  // [0, vocab_size). An empty batch gives hidden [0, 0, E].
  Encoding encode(const std::vector<TokenIds>& token_ids, const EncodeOptions& options = {}) const;

  // Sentence embeddings, [N, E] f32, unit length: mean pooling over each sentence's tokens,
  // then L2 normalization (sentence-transformers' Pooling + Normalize). Sentences are sorted by
  // length and encoded `batch_size` at a time, which keeps padding small; the result is in the
  // caller's order.
  Tensor embed(const std::vector<TokenIds>& token_ids, std::int64_t batch_size = 32) const;

  // The attention probabilities of one sentence, [layers, H, S, S] f32 (see Encoding).
  Tensor attentions(const TokenIds& token_ids) const;

  // Layer `layer`'s attention (steps 2–6), layer in [0, num_hidden_layers): the module encode()
  // runs, with the model's weights under torch's names (state_dict()). With
  // Encoding::hidden_states[layer] as its input it gives that layer's attention output and,
  // with need_weights, Encoding::attentions' probabilities of that layer. Valid as long as the
  // Model (or a copy) lives. Throws mha::Error for a layer out of range.
  const MultiHeadAttention& layer_attention(std::int64_t layer) const;

 private:
  struct Impl;
  explicit Model(std::shared_ptr<const Impl> impl) : impl_(std::move(impl)) {}
  std::shared_ptr<const Impl> impl_;
};

// Where the model is looked for when none is named: $MHA_MODEL_DIR when set and not empty, else
// <source tree>/models/all-MiniLM-L6-v2 (where scripts/fetch_model.sh puts it).
std::filesystem::path default_model_dir();

}  // namespace mha
