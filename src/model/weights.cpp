#include "model/weights.hpp"

#include <algorithm>
#include <map>
#include <set>
#include <string>

#include "mha/error.hpp"

namespace mha::model {
namespace {

std::string shape_str(const std::vector<std::int64_t>& dims) {
  std::string s = "[";
  for (std::size_t i = 0; i < dims.size(); ++i) s += (i ? ", " : "") + std::to_string(dims[i]);
  return s + "]";
}

bool starts_with(const std::string& s, std::string_view p) {
  return s.compare(0, p.size(), p) == 0;
}

class WeightReader {
 public:
  WeightReader(const Safetensors& file, const BertConfig& config) : file_(file), config_(config) {
    // transformers saves BertModel's weights bare and BertFor*'s under "bert."; both occur.
    if (file.contains("bert.embeddings.word_embeddings.weight")) prefix_ = "bert.";
  }

  // The tensor `name` (without prefix) of shape `shape`, whose dimensions come from the config
  // fields `dims` (for the error message, e.g. "[intermediate_size, hidden_size]").
  Param param(const std::string& name, std::vector<std::int64_t> shape, const char* dims) {
    const std::string full = prefix_ + name;
    used_.insert(full);
    if (!file_.contains(full))
      fail(full, "missing (config.json describes " + std::to_string(config_.num_hidden_layers) +
                     " layers of hidden_size " + std::to_string(config_.hidden_size) + ")");
    const SafetensorsEntry& e = file_.entry(full);
    if (!e.dtype || !is_floating(*e.dtype))
      fail(full, "expected a floating dtype (F32, F16, BF16, F64), got " + e.dtype_name);
    if (e.shape != shape)
      fail(full, "expected shape " + shape_str(shape) + " = " + dims + " from config.json, got " +
                     shape_str(e.shape));
    Param p;
    p.view = file_.tensor(full);
    if (p.view.dtype() != DType::f32) {
      p.owned = Tensor::copy_of(p.view, DType::f32);
      p.view = p.owned.view();
    }
    return p;
  }

  // Every tensor of the file must have been used, or be one the encoder ignores on purpose.
  void check_all_used() const {
    for (const SafetensorsEntry& e : file_.entries()) {
      if (used_.contains(e.name)) continue;
      const std::string bare =
          starts_with(e.name, prefix_) ? e.name.substr(prefix_.size()) : e.name;
      // The pooler (unused by mean pooling), pretraining heads, and position/type id buffers.
      if (starts_with(bare, "pooler.") || starts_with(bare, "cls.") ||
          bare == "embeddings.position_ids" || bare == "embeddings.token_type_ids")
        continue;
      fail(e.name, "not part of the encoder config.json describes (num_hidden_layers = " +
                       std::to_string(config_.num_hidden_layers) +
                       "): config.json and the weights disagree");
    }
  }

  [[noreturn]] void fail(const std::string& tensor, const std::string& what) const {
    throw Error(file_.source() + ": tensor '" + tensor + "': " + what);
  }

 private:
  const Safetensors& file_;
  const BertConfig& config_;
  std::string prefix_;
  std::set<std::string> used_;
};

LayerWeights load_layer(WeightReader& r, const BertConfig& c, std::int64_t l) {
  const std::int64_t E = c.hidden_size, I = c.intermediate_size;
  const std::string p = "encoder.layer." + std::to_string(l) + ".";
  const char* vec_e = "[hidden_size]";
  const char* mat_ee = "[hidden_size, hidden_size]";
  LayerWeights w;
  const Param q = r.param(p + "attention.self.query.weight", {E, E}, mat_ee);
  const Param qb = r.param(p + "attention.self.query.bias", {E}, vec_e);
  const Param k = r.param(p + "attention.self.key.weight", {E, E}, mat_ee);
  const Param kb = r.param(p + "attention.self.key.bias", {E}, vec_e);
  const Param v = r.param(p + "attention.self.value.weight", {E, E}, mat_ee);
  const Param vb = r.param(p + "attention.self.value.bias", {E}, vec_e);
  const Param o = r.param(p + "attention.output.dense.weight", {E, E}, mat_ee);
  const Param ob = r.param(p + "attention.output.dense.bias", {E}, vec_e);

  // BERT keeps separate query/key/value Linear layers; torch's module names them
  // q/k/v_proj_weight and packs their biases into one in_proj_bias [3E].
  Tensor in_proj_bias(DType::f32, Shape{3 * E});
  std::copy_n(qb.data(), E, in_proj_bias.data_as<float>());
  std::copy_n(kb.data(), E, in_proj_bias.data_as<float>() + E);
  std::copy_n(vb.data(), E, in_proj_bias.data_as<float>() + 2 * E);
  w.attention = std::make_unique<MultiHeadAttention>(MultiHeadAttentionOptions{
      .embed_dim = E, .num_heads = c.num_attention_heads, .batch_first = true});
  w.attention->load_state_dict({{"q_proj_weight", q.view},
                                {"k_proj_weight", k.view},
                                {"v_proj_weight", v.view},
                                {"in_proj_bias", in_proj_bias},
                                {"out_proj.weight", o.view},
                                {"out_proj.bias", ob.view}});

  w.attention_norm_weight = r.param(p + "attention.output.LayerNorm.weight", {E}, vec_e);
  w.attention_norm_bias = r.param(p + "attention.output.LayerNorm.bias", {E}, vec_e);
  w.ffn_in_weight =
      r.param(p + "intermediate.dense.weight", {I, E}, "[intermediate_size, hidden_size]");
  w.ffn_in_bias = r.param(p + "intermediate.dense.bias", {I}, "[intermediate_size]");
  w.ffn_out_weight = r.param(p + "output.dense.weight", {E, I}, "[hidden_size, intermediate_size]");
  w.ffn_out_bias = r.param(p + "output.dense.bias", {E}, vec_e);
  w.output_norm_weight = r.param(p + "output.LayerNorm.weight", {E}, vec_e);
  w.output_norm_bias = r.param(p + "output.LayerNorm.bias", {E}, vec_e);
  w.ffn_in_packed = detail::pack_weights(w.ffn_in_weight.data(), I, E);
  w.ffn_out_packed = detail::pack_weights(w.ffn_out_weight.data(), E, I);
  return w;
}

}  // namespace

EncoderWeights load_encoder_weights(const Safetensors& file, const BertConfig& c) {
  WeightReader r(file, c);
  const std::int64_t E = c.hidden_size;
  EncoderWeights w;
  w.embeddings.word =
      r.param("embeddings.word_embeddings.weight", {c.vocab_size, E}, "[vocab_size, hidden_size]");
  w.embeddings.position =
      r.param("embeddings.position_embeddings.weight", {c.max_position_embeddings, E},
              "[max_position_embeddings, hidden_size]");
  w.embeddings.token_type = r.param("embeddings.token_type_embeddings.weight",
                                    {c.type_vocab_size, E}, "[type_vocab_size, hidden_size]");
  w.embeddings.norm_weight = r.param("embeddings.LayerNorm.weight", {E}, "[hidden_size]");
  w.embeddings.norm_bias = r.param("embeddings.LayerNorm.bias", {E}, "[hidden_size]");
  for (std::int64_t l = 0; l < c.num_hidden_layers; ++l) w.layers.push_back(load_layer(r, c, l));
  r.check_all_used();
  return w;
}

}  // namespace mha::model
