// MultiHeadAttention::forward's specification: torch.nn.MultiheadAttention's algorithm
// (torch.nn.functional.multi_head_attention_forward) written with the reference steps.
#include <cmath>
#include <limits>

#include "mha/error.hpp"
#include "mha/reference.hpp"

namespace mha::reference {
namespace {

constexpr double kNegInf = -std::numeric_limits<double>::infinity();

// [N, S, E] view of a batched/unbatched, batch-first or sequence-first input.
TensorView batch_first_view(const TensorView& t, bool batched, bool batch_first) {
  if (!batched) return TensorView(t.data(), t.dtype(), Shape{1, t.size(0), t.size(1)}, Shape{0, t.stride(0), t.stride(1)});
  return batch_first ? t : t.permuted({1, 0, 2});
}

// Rows [r0, r0 + n) of a 2-D weight, or elements [r0, r0 + n) of a 1-D bias.
TensorView rows(const Tensor& t, std::int64_t r0, std::int64_t n) {
  if (!t.defined()) return TensorView();
  const std::int64_t row = t.rank() == 1 ? 1 : t.size(1);
  const auto* base = static_cast<const std::byte*>(t.data()) + r0 * row * static_cast<std::int64_t>(dtype_size(t.dtype()));
  return t.rank() == 1 ? TensorView(base, t.dtype(), Shape{n}) : TensorView(base, t.dtype(), Shape{n, row});
}

// Adds one mask's verdict on key j (< S, the mask's key length) to bias x.
void apply(const Mask& m, double value, double& x) {
  switch (m.kind()) {
    case MaskKind::keep: if (value == 0.0) x = kNegInf; break;
    case MaskKind::drop: if (value != 0.0) x = kNegInf; break;
    case MaskKind::additive: x += value; break;
    case MaskKind::none: break;
  }
}

}  // namespace

MultiHeadAttentionOutput multi_head_attention(const MultiHeadAttention& module, const TensorView& query,
                                              const TensorView& key, const TensorView& value,
                                              const ForwardOptions& fo) {
  const MultiHeadAttentionOptions& o = module.options();
  const std::int64_t E = o.embed_dim, H = o.num_heads, hd = module.head_dim();
  const std::int64_t Hkv = module.num_kv_heads(), Ekv = module.kv_embed_dim();
  const bool batched = query.rank() == 3;
  std::map<std::string, Tensor> sd = module.state_dict();

  // Step 1, input: [N, L, E], [N, S, kdim], [N, S, vdim].
  const Tensor xq = input(batch_first_view(query, batched, o.batch_first));
  const Tensor xk = input(batch_first_view(key, batched, o.batch_first));
  const Tensor xv = input(batch_first_view(value, batched, o.batch_first));
  const std::int64_t N = xq.size(0), L = xq.size(1), S = xk.size(1);

  // Step 2, project. The packed in_proj_weight holds Wq, Wk, Wv one under the other.
  Tensor wq, wk, wv;
  if (sd.count("in_proj_weight")) {
    wq = Tensor::copy_of(rows(sd["in_proj_weight"], 0, E));
    wk = Tensor::copy_of(rows(sd["in_proj_weight"], E, Ekv));
    wv = Tensor::copy_of(rows(sd["in_proj_weight"], E + Ekv, Ekv));
  } else {
    wq = sd["q_proj_weight"];
    wk = sd["k_proj_weight"];
    wv = sd["v_proj_weight"];
  }
  const Tensor& in_bias = sd["in_proj_bias"];  // absent without bias
  const Tensor q = project(xq, wq, rows(in_bias, 0, E), H);      // [N, H, L, hd]
  Tensor k0 = project(xk, wk, rows(in_bias, E, Ekv), Hkv);        // [N, Hkv, S, hd]
  Tensor v0 = project(xv, wv, rows(in_bias, E + Ekv, Ekv), Hkv);  // [N, Hkv, S, hd]

  // add_bias_kv appends one learned key/value, add_zero_attn then one zero key/value.
  const std::int64_t extra = (o.add_bias_kv ? 1 : 0) + (o.add_zero_attn ? 1 : 0);
  const std::int64_t St = S + extra;
  Tensor k(DType::f64, Shape{N, Hkv, St, hd}), v(DType::f64, Shape{N, Hkv, St, hd});  // zeros
  for (std::int64_t n = 0; n < N; ++n)
    for (std::int64_t h = 0; h < Hkv; ++h)
      for (std::int64_t d = 0; d < hd; ++d) {
        for (std::int64_t s = 0; s < S; ++s) {
          k.view().set({n, h, s, d}, k0.view().get({n, h, s, d}));
          v.view().set({n, h, s, d}, v0.view().get({n, h, s, d}));
        }
        if (o.add_bias_kv) {
          k.view().set({n, h, S, d}, sd["bias_k"].view().get({0, 0, h * hd + d}));
          v.view().set({n, h, S, d}, sd["bias_v"].view().get({0, 0, h * hd + d}));
        }
      }

  // Step 3, score, with the masks as an additive bias [N, H, L, St]. Appended keys are never
  // masked (torch pads both masks with a zero column for each).
  const Tensor s = score(q, k, 1.0 / std::sqrt(static_cast<double>(hd)));
  Tensor bias(DType::f64, Shape{N, H, L, St});
  for (std::int64_t n = 0; n < N; ++n)
    for (std::int64_t h = 0; h < H; ++h)
      for (std::int64_t i = 0; i < L; ++i)
        for (std::int64_t j = 0; j < S; ++j) {
          double x = 0.0;
          if (fo.attn_mask.defined()) {
            const TensorView& m = fo.attn_mask.tensor();
            apply(fo.attn_mask, m.rank() == 2 ? m.get({i, j}) : m.get({n * H + h, i, j}), x);
          }
          if (fo.key_padding_mask.defined()) {
            const TensorView& m = fo.key_padding_mask.tensor();
            apply(fo.key_padding_mask, m.rank() == 1 ? m.get({j}) : m.get({n, j}), x);
          }
          if (fo.is_causal && j > i) x = kNegInf;
          bias.view().set({n, h, i, j}, x);
        }

  // Step 4, weigh (dropout in training mode only).
  std::optional<Dropout> drop;
  if (module.training() && o.dropout > 0.0) {
    if (!fo.dropout_seed)
      throw Error("mha::reference::multi_head_attention", "dropout_seed", "a seed in training mode with dropout",
                  "none");
    drop = Dropout{o.dropout, *fo.dropout_seed};
  }
  Weighed w = weigh(s, bias, v, drop);

  // Steps 5 and 6.
  const Tensor c = concat(w.heads);                                              // [N, L, E]
  const Tensor y = output(c, sd["out_proj.weight"], sd.count("out_proj.bias") ? sd["out_proj.bias"].view() : TensorView());  // [N, L, E]

  MultiHeadAttentionOutput r;
  // Back to the caller's layout.
  const TensorView yv = batched ? (o.batch_first ? y.view() : y.view().permuted({1, 0, 2}))
                                : y.view().reshaped(Shape{L, E});
  r.output = Tensor::copy_of(yv);
  if (fo.need_weights) {
    Tensor avg(DType::f64, Shape{N, L, St});
    if (fo.average_attn_weights) {
      for (std::int64_t n = 0; n < N; ++n)
        for (std::int64_t i = 0; i < L; ++i)
          for (std::int64_t j = 0; j < St; ++j) {
            double acc = 0.0;
            for (std::int64_t h = 0; h < H; ++h) acc += w.probabilities.view().get({n, h, i, j});
            avg.view().set({n, i, j}, acc / static_cast<double>(H));
          }
      r.weights = batched ? avg : Tensor::copy_of(avg.view().reshaped(Shape{L, St}));
    } else {
      r.weights = batched ? w.probabilities : Tensor::copy_of(w.probabilities.view().reshaped(Shape{H, L, St}));
    }
  }
  return r;
}

}  // namespace mha::reference
