#include "viz/demo_data.hpp"

#include <cmath>
#include <map>
#include <random>

#include "mha/module.hpp"
#include "mha/reference.hpp"

namespace mha::viz::demo {
namespace {

// x is [1, S, E] f32: a unit-variance vector drawn from the token's hash, plus a sinusoidal
// position.
Tensor embeddings(const std::vector<std::string>& tokens, std::int64_t E) {
  const auto S = static_cast<std::int64_t>(tokens.size());
  Tensor x(DType::f32, {1, S, E});
  float* p = x.data_as<float>();
  for (std::int64_t i = 0; i < S; ++i) {
    std::mt19937_64 rng(std::hash<std::string>{}(tokens[static_cast<std::size_t>(i)]) ^ 0x9e3779b9);
    std::normal_distribution<float> normal(0.0f, 1.0f);
    for (std::int64_t e = 0; e < E; ++e) {
      const double angle = i / std::pow(10000.0, static_cast<double>(e / 2 * 2) / E);
      p[i * E + e] = normal(rng) + static_cast<float>(e % 2 ? std::cos(angle) : std::sin(angle));
    }
  }
  return x;
}

// LayerNorm over the last dimension, no affine parameters, in place.
void layer_norm(Tensor& x) {
  const std::int64_t E = x.size(2), rows = x.numel() / E;
  float* p = x.data_as<float>();
  for (std::int64_t r = 0; r < rows; ++r) {
    double mean = 0, var = 0;
    for (std::int64_t e = 0; e < E; ++e) mean += p[r * E + e];
    mean /= E;
    for (std::int64_t e = 0; e < E; ++e) var += (p[r * E + e] - mean) * (p[r * E + e] - mean);
    const double inv = 1.0 / std::sqrt(var / E + 1e-5);
    for (std::int64_t e = 0; e < E; ++e)
      p[r * E + e] = static_cast<float>((p[r * E + e] - mean) * inv);
  }
}

// Rows [r0, r0 + n) of a contiguous 2-D weight, or elements of a 1-D bias.
TensorView rows(const Tensor& t, std::int64_t r0, std::int64_t n) {
  const std::int64_t row = t.rank() == 1 ? 1 : t.size(1);
  const auto* base = static_cast<const std::byte*>(t.data()) +
                     r0 * row * static_cast<std::int64_t>(dtype_size(t.dtype()));
  return t.rank() == 1 ? TensorView(base, t.dtype(), Shape{n})
                       : TensorView(base, t.dtype(), Shape{n, row});
}

std::vector<double> first4(const Tensor& t) {
  std::vector<double> v;
  for (std::int64_t k = 0; k < std::min<std::int64_t>(4, t.numel()); ++k)
    v.push_back(load_as_double(t.data(), t.dtype(), k));
  return v;
}

// The six steps of one layer on its input x, by the reference's step functions.
SixSteps six_steps(const MultiHeadAttention& layer, const Tensor& x) {
  const std::int64_t E = layer.options().embed_dim, H = layer.options().num_heads;
  const std::int64_t D = layer.head_dim();
  const std::map<std::string, Tensor> sd = layer.state_dict();
  const Tensor& w = sd.at("in_proj_weight");
  const Tensor& b = sd.at("in_proj_bias");
  const Tensor in = reference::input(x);
  const Tensor q = reference::project(in, rows(w, 0, E), rows(b, 0, E), H);
  const Tensor k = reference::project(in, rows(w, E, E), rows(b, E, E), H);
  const Tensor v = reference::project(in, rows(w, 2 * E, E), rows(b, 2 * E, E), H);
  const double scale = 1.0 / std::sqrt(static_cast<double>(D));
  const Tensor scores = reference::score(q, k, scale);
  const reference::Weighed weighed =
      reference::weigh(scores, Tensor(DType::f64, scores.shape()), v);
  const Tensor concat = reference::concat(weighed.heads);
  const Tensor y = reference::output(concat, sd.at("out_proj.weight"), sd.at("out_proj.bias"));
  const std::string d = std::to_string(D), h = std::to_string(H);
  return {
      {1,
       "input",
       "x " + in.shape().str(),
       "one vector per token (layer 0's input)",
       {{"x[0, 0, :4]", first4(in)}}},
      {2,
       "project",
       "q, k, v " + q.shape().str(),
       "q = x·Wqᵀ + bq, k = x·Wkᵀ + bk, v = x·Wvᵀ + bv, split into " + h + " heads of " + d,
       {{"q[0, 0, 0, :4]", first4(q)},
        {"k[0, 0, 0, :4]", first4(k)},
        {"v[0, 0, 0, :4]", first4(v)}}},
      {3,
       "score",
       "scores " + scores.shape().str(),
       "scores = q·kᵀ · scale, scale = 1/√" + d + " = " + std::to_string(scale).substr(0, 6),
       {{"scores[0, 0, 0, :4]", first4(scores)}}},
      {4,
       "weigh",
       "weights " + weighed.probabilities.shape().str() + ", heads " + weighed.heads.shape().str(),
       "weights = softmax(scores) over the keys; heads = weights·v",
       {{"weights[0, 0, 0, :4]", first4(weighed.probabilities)},
        {"heads[0, 0, 0, :4]", first4(weighed.heads)}}},
      {5,
       "concat",
       "concat " + concat.shape().str(),
       "the " + h + " heads side by side",
       {{"concat[0, 0, :4]", first4(concat)}}},
      {6, "output", "y " + y.shape().str(), "y = concat·Woᵀ + bo", {{"y[0, 0, :4]", first4(y)}}},
  };
}

}  // namespace

std::vector<std::string> fox_tokens() {
  return {"[CLS]", "the", "quick", "brown", "fox", "jumps",
          "over",  "the", "lazy",  "dog",   ".",   "[SEP]"};
}

AttentionMaps toy_encoder(const std::vector<std::string>& tokens, int layers, int heads) {
  // Random projections give near-uniform attention on unit-variance inputs; a gain of 3 on the
  // attention input makes the heads peakier, so that the pictures have something to show.
  constexpr float kGain = 3.0f;
  const std::int64_t E = 32 * heads;
  Tensor x = embeddings(tokens, E);
  layer_norm(x);
  std::vector<Tensor> weights;
  SixSteps steps;
  for (int l = 0; l < layers; ++l) {
    const MultiHeadAttention layer({.embed_dim = E,
                                    .num_heads = heads,
                                    .batch_first = true,
                                    .seed = 1000 + static_cast<std::uint64_t>(l)});
    Tensor in = Tensor::copy_of(x);
    for (std::int64_t k = 0; k < in.numel(); ++k) in.data_as<float>()[k] *= kGain;
    if (l == 0) steps = six_steps(layer, in);
    ForwardOptions fo;
    fo.need_weights = true;
    fo.average_attn_weights = false;  // per head: [1, H, S, S]
    MultiHeadAttentionOutput out = layer.forward(in, fo);
    for (std::int64_t k = 0; k < x.numel(); ++k)
      x.data_as<float>()[k] += out.output.data_as<float>()[k];
    layer_norm(x);
    weights.push_back(std::move(out.weights));
  }
  std::vector<TensorView> views(weights.begin(), weights.end());
  AttentionMaps maps =
      from_layer_weights("toy encoder (random weights, mha::MultiHeadAttention)", tokens, views);
  maps.steps = std::move(steps);
  std::string text;
  for (const std::string& t : tokens) text += (text.empty() ? "" : " ") + t;
  maps.text = text;
  return maps;
}

AttentionMaps patterns(const std::vector<std::string>& tokens, int layers, int heads,
                       std::uint64_t seed) {
  const auto S = static_cast<int>(tokens.size());
  AttentionMaps maps;
  maps.model = "synthetic patterns";
  maps.tokens = tokens;
  maps.layers = layers;
  maps.heads = heads;
  std::mt19937_64 rng(seed);
  std::uniform_real_distribution<float> noise(0.0f, 1.0f);
  for (int l = 0; l < layers; ++l)
    for (int h = 0; h < heads; ++h) {
      const int pattern = (l * heads + h) % 7;
      for (int i = 0; i < S; ++i) {
        std::vector<float> row(static_cast<std::size_t>(S));
        for (float& w : row) w = 0.05f * noise(rng);
        const auto put = [&](int j, float w) {
          if (j >= 0 && j < S) row[static_cast<std::size_t>(j)] += w;
        };
        switch (pattern) {
          case 0:
            put(i > 0 ? i - 1 : 0, 1.0f);
            break;
          case 1:
            put(i + 1 < S ? i + 1 : S - 1, 1.0f);
            break;
          case 2:
            put(i, 1.0f);
            break;
          case 3:
            put(0, 1.0f);
            break;
          case 4:
            put(S - 1, 1.0f);
            break;
          case 5:
            for (int j = 0; j < S; ++j)
              if (tokens[static_cast<std::size_t>(j)] == "." ||
                  tokens[static_cast<std::size_t>(j)] == ",")
                put(j, 1.0f);
            break;
          default:
            for (float& w : row) w += 0.5f * noise(rng);
        }
        float sum = 0;
        for (const float w : row) sum += w;
        for (const float w : row) maps.weights.push_back(w / sum);
      }
    }
  maps.head_summaries = summarize_heads(maps);
  return maps;
}

std::vector<std::string> hostile_tokens() {
  return {"[CLS]",
          "</script><script>window.__pwned=1</script>",
          "<img src=x onerror=\"window.__pwned=2\">",
          "a\"b'c&amp;",
          "<!--",
          "\x1b[31mred\x1b[0m",
          "e\xcc\x81",                 // e + combining acute
          "\xe6\x97\xa5\xe6\x9c\xac",  // 日本
          "\xf0\x9f\xa6\x8a",          // 🦊
          "bad\xff\xfe",
          "\xe2\x80\xa8",  // U+2028, a line break to old JavaScript parsers
          "[SEP]"};
}

}  // namespace mha::viz::demo
