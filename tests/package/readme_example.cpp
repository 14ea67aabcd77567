// Attention over 5 tokens: the core call (steps 3–4), then the whole module (steps 1–6).
#include <cmath>
#include <cstdint>
#include <cstdio>
#include <mha/attention.hpp>
#include <mha/module.hpp>

int main() {
  // Some input: any floats will do. A Tensor owns zero-filled, row-major memory of one dtype.
  auto fill = [](mha::Tensor& t, float phase) {
    for (std::int64_t i = 0; i < t.numel(); ++i) t.data_as<float>()[i] = std::sin(0.7f * i + phase);
  };

  // The core: q, k, v are [batch, heads, tokens, head size]. Causal: token i sees tokens 0..i.
  mha::Tensor q(mha::DType::f32, {1, 2, 5, 4}), k(mha::DType::f32, {1, 2, 5, 4}),
      v(mha::DType::f32, {1, 2, 5, 4});
  fill(q, 0.0f);
  fill(k, 1.0f);
  fill(v, 2.0f);
  mha::AttentionOptions options;
  options.is_causal = true;
  mha::AttentionInputs in;  // also: mask, past_key/past_value (KV cache), nonpad_kv_seqlen
  in.query = q;
  in.key = k;
  in.value = v;
  mha::AttentionResult r = mha::attention(in, options);  // r.y is [1, 2, 5, 4]
  // Token 0 sees only itself, so its output is its own value vector.
  const double y0 = r.y.view().get({0, 0, 0, 0}), v0 = v.view().get({0, 0, 0, 0});
  std::printf("y %s, token 0: %.4f == %.4f\n", r.y.shape().str().c_str(), y0, v0);
  bool ok = std::fabs(y0 - v0) < 1e-6;

  // The module, like torch.nn.MultiheadAttention: x is [batch, tokens, embed] (batch_first).
  mha::MultiHeadAttention layer({.embed_dim = 8, .num_heads = 2, .batch_first = true, .seed = 42});
  mha::Tensor x(mha::DType::f32, {1, 5, 8});
  fill(x, 0.5f);
  // torch's bool key_padding_mask means true = padding: that polarity is Mask::drop.
  mha::Tensor padding(mha::DType::boolean, {1, 5});
  padding.data_as<bool>()[4] = true;  // token 4 is padding
  mha::ForwardOptions forward;
  forward.key_padding_mask = mha::Mask::drop(padding);
  mha::MultiHeadAttentionOutput out = layer.forward(x, forward);

  // out.output is [1, 5, 8]; out.weights [1, 5, 5], averaged over the heads.
  std::printf("output %s, weights %s:\n", out.output.shape().str().c_str(),
              out.weights.shape().str().c_str());
  for (std::int64_t i = 0; i < 5; ++i) {
    double sum = 0;
    for (std::int64_t j = 0; j < 5; ++j) {
      std::printf(" %.3f", out.weights.view().get({0, i, j}));
      sum += out.weights.view().get({0, i, j});
    }
    std::printf("\n");
    ok = ok && std::fabs(sum - 1) < 1e-5 && out.weights.view().get({0, i, 4}) == 0;  // padding: 0
  }
  return ok ? 0 : 1;
}
