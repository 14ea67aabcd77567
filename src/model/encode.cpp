// Model::encode / embed / attentions: step 1 (embeddings), the encoder layers around
// MultiHeadAttention, and the pooling.
#include <algorithm>
#include <cstring>
#include <numeric>

#include "mha/error.hpp"
#include "mha/module.hpp"
#include "model/model_impl.hpp"
#include "model/ops.hpp"
#include "module/linear.hpp"

namespace mha {
namespace {

constexpr const char* kWhere = "mha::Model::encode";

void check_ids(const std::vector<TokenIds>& ids, const EncodeOptions& o, const BertConfig& c) {
  const auto at = [](std::size_t n) { return "sentence " + std::to_string(n); };
  if (!o.token_type_ids.empty() && o.token_type_ids.size() != ids.size())
    throw Error(kWhere, "token_type_ids",
                "one sequence per sentence (" + std::to_string(ids.size()) + ") or none",
                std::to_string(o.token_type_ids.size()) + " sequences");
  for (std::size_t n = 0; n < ids.size(); ++n) {
    const auto len = static_cast<std::int64_t>(ids[n].size());
    if (len < 1 || len > c.max_position_embeddings)
      throw Error(kWhere, "token_ids",
                  "1.." + std::to_string(c.max_position_embeddings) +
                      " tokens per sentence (max_position_embeddings)",
                  std::to_string(len) + " tokens in " + at(n));
    for (std::size_t i = 0; i < ids[n].size(); ++i)
      if (ids[n][i] < 0 || ids[n][i] >= c.vocab_size)
        throw Error(
            kWhere, "token_ids", "ids in 0.." + std::to_string(c.vocab_size - 1) + " (vocab_size)",
            std::to_string(ids[n][i]) + " at position " + std::to_string(i) + " of " + at(n));
    if (o.token_type_ids.empty()) continue;
    const TokenIds& types = o.token_type_ids[n];
    if (types.size() != ids[n].size())
      throw Error(kWhere, "token_type_ids",
                  std::to_string(len) + " ids for " + at(n) + " (as token_ids)",
                  std::to_string(types.size()));
    for (std::size_t i = 0; i < types.size(); ++i)
      if (types[i] < 0 || types[i] >= c.type_vocab_size)
        throw Error(
            kWhere, "token_type_ids",
            "ids in 0.." + std::to_string(c.type_vocab_size - 1) + " (type_vocab_size)",
            std::to_string(types[i]) + " at position " + std::to_string(i) + " of " + at(n));
  }
}

// Step 1, input: x[row(n, i)] = LayerNorm(word[id] + position[i] + token_type[type]) for token i
// of sentence n, its row first[n] + i (packed rows; the padded layout has first[n] = n·S and
// leaves the padding rows zero: they are masked out of attention and cut from the results).
void embed_tokens(const model::EmbeddingWeights& w, const BertConfig& c,
                  const std::vector<TokenIds>& ids, const std::vector<TokenIds>& types,
                  const std::vector<std::int64_t>& first, std::int64_t rows, float* x) {
  const std::int64_t E = c.hidden_size;
  for (std::size_t n = 0; n < ids.size(); ++n)
    for (std::size_t i = 0; i < ids[n].size(); ++i) {
      float* row = x + (first[n] + static_cast<std::int64_t>(i)) * E;
      const float* word = w.word.data() + ids[n][i] * E;
      const float* pos = w.position.data() + static_cast<std::int64_t>(i) * E;
      const float* type = w.token_type.data() + (types.empty() ? 0 : types[n][i]) * E;
      // (word + type) + position: transformers' order, so the f32 sums round alike.
      for (std::int64_t e = 0; e < E; ++e) row[e] = (word[e] + type[e]) + pos[e];
    }
  model::add_layer_norm(x, nullptr, rows, E, w.norm_weight.data(), w.norm_bias.data(), c.layer_norm_eps);
}

// The rest of an encoder layer once attention (steps 2–6) gave `a` [rows, E], in place on
// x [rows, E]: the residual connection and post-LayerNorm, then the feed-forward block
// x = LayerNorm(x + W2·gelu(W1·x + b1) + b2). h [rows, I] and f [rows, E] are scratch.
void finish_layer(const model::LayerWeights& w, const BertConfig& c, float* x, const float* a,
                  std::int64_t rows, float* h, float* f) {
  const std::int64_t E = c.hidden_size, I = c.intermediate_size;
  model::add_layer_norm(x, a, rows, E, w.attention_norm_weight.data(), w.attention_norm_bias.data(),
                        c.layer_norm_eps);
  detail::linear(x, E, rows, E, w.ffn_in_weight.data(), w.ffn_in_bias.data(), I, h, I,
                 &w.ffn_in_packed);
  model::gelu_erf(h, rows * I);
  detail::linear(h, I, rows, I, w.ffn_out_weight.data(), w.ffn_out_bias.data(), E, f, E,
                 &w.ffn_out_packed);
  model::add_layer_norm(x, f, rows, E, w.output_norm_weight.data(), w.output_norm_bias.data(),
                        c.layer_norm_eps);
}

// Packed rows x [T, E] (sentence n at rows first[n]..) → [N, S, E] with zero padding rows.
Tensor padded(const float* x, const std::vector<std::int64_t>& first,
              const std::vector<std::int64_t>& lengths, std::int64_t S, std::int64_t E) {
  const auto N = static_cast<std::int64_t>(lengths.size());
  Tensor out(DType::f32, Shape{N, S, E});
  for (std::int64_t n = 0; n < N; ++n)
    std::memcpy(out.data_as<float>() + n * S * E, x + first[static_cast<std::size_t>(n)] * E,
                static_cast<std::size_t>(lengths[static_cast<std::size_t>(n)] * E) * 4);
  return out;
}

// With attention probabilities: the padded layout [N·S, E] through MultiHeadAttention::forward
// with a key padding mask (its weights are [N, H, S, S]); each sentence's [len, len] corner
// is copied out per layer.
void encode_padded(const model::EncoderWeights& weights, const BertConfig& c,
                   const std::vector<TokenIds>& ids, const EncodeOptions& o, std::int64_t S,
                   Encoding& out) {
  const auto N = static_cast<std::int64_t>(ids.size());
  const std::int64_t E = c.hidden_size, H = c.num_attention_heads, L = c.num_hidden_layers;
  std::vector<std::int64_t> first(ids.size());
  for (std::int64_t n = 0; n < N; ++n) first[static_cast<std::size_t>(n)] = n * S;
  Tensor x(DType::f32, Shape{N, S, E});
  embed_tokens(weights.embeddings, c, ids, o.token_type_ids, first, N * S, x.data_as<float>());
  // Padding keys are removed from attention (torch's bool key_padding_mask: true = padding).
  Tensor padding(DType::boolean, Shape{N, S});
  bool any_padding = false;
  for (std::int64_t n = 0; n < N; ++n)
    for (std::int64_t i = out.lengths[static_cast<std::size_t>(n)]; i < S; ++i) {
      padding.data_as<bool>()[n * S + i] = true;
      any_padding = true;
    }
  ForwardOptions forward;
  if (any_padding) forward.key_padding_mask = Mask::drop(padding);
  forward.need_weights = o.attentions;
  forward.average_attn_weights = false;
  if (o.attentions)
    for (std::int64_t n = 0; n < N; ++n) {
      const std::int64_t len = out.lengths[static_cast<std::size_t>(n)];
      out.attentions.emplace_back(DType::f32, Shape{L, H, len, len});
    }
  // Feed-forward scratch, written in full by each layer's GEMMs before it is read.
  Tensor h = Tensor::uninitialized(DType::f32, Shape{N * S, c.intermediate_size});
  Tensor f = Tensor::uninitialized(DType::f32, Shape{N * S, E});
  for (std::int64_t l = 0; l < L; ++l) {
    if (o.hidden_states) out.hidden_states.push_back(padded(x.data_as<float>(), first, out.lengths, S, E));
    const model::LayerWeights& w = weights.layers[static_cast<std::size_t>(l)];
    const MultiHeadAttentionOutput a = w.attention->forward(x, forward);
    finish_layer(w, c, x.data_as<float>(), a.output.data_as<const float>(), N * S, h.data_as<float>(),
                 f.data_as<float>());
    if (!o.attentions) continue;
    // a.weights [N, H, S, S] → each sentence's own [len, len] corner.
    const float* p = a.weights.data_as<const float>();
    for (std::int64_t n = 0; n < N; ++n) {
      const std::int64_t len = out.lengths[static_cast<std::size_t>(n)];
      float* dst = out.attentions[static_cast<std::size_t>(n)].data_as<float>() + l * H * len * len;
      for (std::int64_t hh = 0; hh < H; ++hh)
        for (std::int64_t i = 0; i < len; ++i)
          std::memcpy(dst + (hh * len + i) * len, p + ((n * H + hh) * S + i) * S,
                      static_cast<std::size_t>(len) * 4);
    }
  }
  out.hidden = padded(x.data_as<float>(), first, out.lengths, S, E);  // padding rows zero
  if (o.hidden_states) out.hidden_states.push_back(Tensor::copy_of(out.hidden));
}

// Without them: the sentences' rows packed back to back, x [T, E] with T = Σ lengths, through
// MultiHeadAttention::forward_packed. The GEMMs, LayerNorms and GELUs see no padding rows at
// all (sorted batches of 32 generated sentences carried 4.7% of padding) and attention runs
// per sentence on its own length, with no mask to read.
void encode_packed(const model::EncoderWeights& weights, const BertConfig& c,
                   const std::vector<TokenIds>& ids, const EncodeOptions& o, std::int64_t S,
                   Encoding& out) {
  const std::int64_t E = c.hidden_size, L = c.num_hidden_layers;
  std::vector<std::int64_t> first(ids.size() + 1, 0);
  std::partial_sum(out.lengths.begin(), out.lengths.end(), first.begin() + 1);
  const std::int64_t T = first.back();
  // Every row is written by the embeddings, the GEMMs write their results in full: no zero
  // fill, and the storage of the previous batch is reused (fresh pages cost 7% of `mha embed`).
  Tensor x = Tensor::uninitialized(DType::f32, Shape{T, E});
  embed_tokens(weights.embeddings, c, ids, o.token_type_ids, first, T, x.data_as<float>());
  Tensor h = Tensor::uninitialized(DType::f32, Shape{T, c.intermediate_size});
  Tensor f = Tensor::uninitialized(DType::f32, Shape{T, E});
  for (std::int64_t l = 0; l < L; ++l) {
    if (o.hidden_states) out.hidden_states.push_back(padded(x.data_as<float>(), first, out.lengths, S, E));
    const model::LayerWeights& w = weights.layers[static_cast<std::size_t>(l)];
    const Tensor a = w.attention->forward_packed(x, out.lengths);
    finish_layer(w, c, x.data_as<float>(), a.data_as<const float>(), T, h.data_as<float>(),
                 f.data_as<float>());
  }
  out.hidden = padded(x.data_as<float>(), first, out.lengths, S, E);
  if (o.hidden_states) out.hidden_states.push_back(Tensor::copy_of(out.hidden));
}

}  // namespace

Encoding Model::encode(const std::vector<TokenIds>& ids, const EncodeOptions& o) const {
  const BertConfig& c = impl_->config;
  check_ids(ids, o, c);
  const auto N = static_cast<std::int64_t>(ids.size());
  const std::int64_t E = c.hidden_size;
  Encoding out;
  std::int64_t S = 0;
  for (const TokenIds& s : ids) {
    out.lengths.push_back(static_cast<std::int64_t>(s.size()));
    S = std::max(S, out.lengths.back());
  }
  if (N == 0) {
    out.hidden = Tensor(DType::f32, Shape{0, 0, E});
    return out;
  }
  if (o.attentions) encode_padded(impl_->weights, c, ids, o, S, out);
  else encode_packed(impl_->weights, c, ids, o, S, out);
  return out;
}

Tensor Model::embed(const std::vector<TokenIds>& ids, std::int64_t batch_size) const {
  if (batch_size < 1)
    throw Error("mha::Model::embed", "batch_size", "at least 1", std::to_string(batch_size));
  const auto N = static_cast<std::int64_t>(ids.size());
  const std::int64_t E = impl_->config.hidden_size;
  Tensor out(DType::f32, Shape{N, E});
  // Longest first, as sentence-transformers: sentences of similar length share a batch.
  std::vector<std::size_t> order(ids.size());
  std::iota(order.begin(), order.end(), std::size_t{0});
  std::stable_sort(order.begin(), order.end(),
                   [&](std::size_t a, std::size_t b) { return ids[a].size() > ids[b].size(); });
  for (std::int64_t start = 0; start < N; start += batch_size) {
    const std::int64_t count = std::min(batch_size, N - start);
    std::vector<TokenIds> batch;
    for (std::int64_t k = 0; k < count; ++k)
      batch.push_back(ids[order[static_cast<std::size_t>(start + k)]]);
    const Encoding enc = encode(batch);
    const std::int64_t S = enc.hidden.size(1);
    for (std::int64_t k = 0; k < count; ++k)
      model::mean_pool_normalize(
          enc.hidden.data_as<const float>() + k * S * E, enc.lengths[static_cast<std::size_t>(k)],
          E,
          out.data_as<float>() +
              static_cast<std::int64_t>(order[static_cast<std::size_t>(start + k)]) * E);
  }
  return out;
}

const MultiHeadAttention& Model::layer_attention(std::int64_t layer) const {
  const std::int64_t L = impl_->config.num_hidden_layers;
  if (layer < 0 || layer >= L)
    throw Error("mha::Model::layer_attention", "layer", "0.." + std::to_string(L - 1),
                std::to_string(layer));
  return *impl_->weights.layers[static_cast<std::size_t>(layer)].attention;
}

Tensor Model::attentions(const TokenIds& ids) const {
  Encoding e = encode({ids}, EncodeOptions{.attentions = true});
  return std::move(e.attentions.front());
}

}  // namespace mha
