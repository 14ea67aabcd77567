// mha::attention's specification: the ONNX Attention operator through the reference steps.
#include <cmath>
#include <limits>

#include "mha/error.hpp"
#include "mha/reference.hpp"

namespace mha::reference {
namespace {

// Q, K or V as 4-D f64 [B, H, S, D] (3-D inputs are split into heads).
Tensor as_heads(const TensorView& t, std::int64_t heads) {
  return t.rank() == 3 ? split_heads(t, heads) : Tensor::copy_of(t, DType::f64);
}

// concat(past, cur) along the sequence dimension, f64.
Tensor cache(const TensorView& past, const Tensor& cur) {
  if (!past.defined()) return cur;
  const std::int64_t B = cur.size(0), H = cur.size(1), P = past.size(2), S = cur.size(2), D = cur.size(3);
  Tensor out(DType::f64, Shape{B, H, P + S, D});
  for (std::int64_t b = 0; b < B; ++b)
    for (std::int64_t h = 0; h < H; ++h)
      for (std::int64_t s = 0; s < P + S; ++s)
        for (std::int64_t d = 0; d < D; ++d)
          out.view().set({b, h, s, d}, s < P ? past.get({b, h, s, d}) : cur.view().get({b, h, s - P, d}));
  return out;
}

}  // namespace

AttentionResult attention(const AttentionInputs& in, const AttentionOptions& opt) {
  (void)mha::attention_shapes(in, opt);  // the same boundary checks as the library

  // Step 2 (for the core, Q/K/V arrive projected): split into heads, append the cache.
  const Tensor q = as_heads(in.query, opt.q_num_heads);    // [B, Hq, Sq, D]
  const Tensor k_new = as_heads(in.key, opt.kv_num_heads);  // [B, Hkv, Skv, D]
  const Tensor v_new = as_heads(in.value, opt.kv_num_heads);
  const Tensor k = cache(in.past_key, k_new);  // [B, Hkv, T, D]
  const Tensor v = cache(in.past_value, v_new);  // [B, Hkv, T, Dv]
  const std::int64_t B = q.size(0), Hq = q.size(1), Sq = q.size(2), D = q.size(3), T = k.size(2);
  const std::int64_t P = in.past_key.defined() ? in.past_key.size(2) : 0;

  // Step 3: scores, soft cap, bias.
  const double scale = opt.scale ? static_cast<double>(*opt.scale) : 1.0 / std::sqrt(static_cast<double>(D));
  const Tensor raw = score(q, k, scale);                        // [B, Hq, Sq, T]
  const Tensor capped = softcap(raw, opt.softcap);              // [B, Hq, Sq, T]
  const Tensor bias = attention_bias(in, opt, B, Hq, Sq, P, T);  // [B, Hq, Sq, T]

  // Step 4: probabilities and the weighted sum of values.
  Weighed w = weigh(capped, bias, v);

  AttentionResult r;
  r.y = in.query.rank() == 3 ? concat(w.heads) : std::move(w.heads);  // step 5 for 3-D layouts
  r.present_key = k;
  r.present_value = v;
  switch (opt.qk_output_mode) {
    case QkOutput::raw: r.qk_output = raw; break;
    case QkOutput::softcapped: r.qk_output = capped; break;
    case QkOutput::biased: {
      r.qk_output = capped;
      double* o = r.qk_output.data_as<double>();
      const double* bi = bias.data_as<double>();
      for (std::int64_t n = 0; n < r.qk_output.numel(); ++n)
        o[n] = bi[n] == -std::numeric_limits<double>::infinity() ? bi[n] : o[n] + bi[n];
      break;
    }
    case QkOutput::probabilities: r.qk_output = std::move(w.probabilities); break;
  }
  return r;
}

}  // namespace mha::reference
