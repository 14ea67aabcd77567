// MultiHeadAttention::forward: validate, project (step 2), attend through the core kernel
// (steps 3–4, heads written side by side = step 5), output projection (step 6).
#include <algorithm>
#include <cmath>
#include <limits>

#include "attention/dropout.hpp"
#include "attention/params.hpp"
#include "attention/validate.hpp"
#include "mha/error.hpp"
#include "mha/module.hpp"
#include "mha/threads.hpp"
#include "module/linear.hpp"

namespace mha {
namespace {

constexpr const char* kWhere = "mha::MultiHeadAttention::forward";

std::string num(std::int64_t v) { return std::to_string(v); }

// [N, S, E] view of a batched (batch-first or not) or unbatched input.
TensorView batch_first_view(const TensorView& t, bool batched, bool batch_first) {
  if (!batched) return TensorView(t.data(), t.dtype(), Shape{1, t.size(0), t.size(1)}, Shape{0, t.stride(0), t.stride(1)});
  return batch_first ? t : t.permuted({1, 0, 2});
}

void require_input(const TensorView& t, const char* name, int rank, const std::string& layout) {
  if (!t.defined()) throw Error(kWhere, name, "a tensor", "an absent view");
  if (!is_floating(t.dtype())) throw Error(kWhere, name, "a floating dtype (f32, f64, f16, bf16)", dtype_name(t.dtype()));
  if (t.rank() != rank) throw Error(kWhere, name, "rank " + num(rank) + " " + layout, "shape " + t.shape().str());
}

// A module mask as a kernel mask operand over [N, H, L, S + extra]; the appended keys are kept.
detail::MaskOperand mask_operand(const Mask& m, const char* name, bool key_padding, bool batched, std::int64_t N,
                                 std::int64_t H, std::int64_t L, std::int64_t S) {
  const TensorView& t = m.tensor();
  detail::MaskOperand mo;
  mo.kind = m.kind();
  mo.op.data = t.data();
  mo.op.dtype = t.dtype();
  mo.len = S;
  mo.beyond_kept = true;
  if (key_padding) {  // [N, S] (unbatched [S]): broadcast over heads and queries
    const Shape want = batched ? Shape{N, S} : Shape{S};
    if (!(t.shape() == want))
      throw Error(kWhere, name, "shape " + want.str() + (batched ? " [N, S]" : " [S]"), "shape " + t.shape().str());
    mo.op.stride[0] = batched ? t.stride(0) : 0;
    mo.op.stride[3] = t.stride(t.rank() - 1);
    return mo;
  }
  const Shape want2{L, S}, want3{N * H, L, S};
  if (t.shape() == want2) {  // [L, S]: the same for every batch and head
    mo.op.stride[2] = t.stride(0);
    mo.op.stride[3] = t.stride(1);
  } else if (t.shape() == want3) {  // [N·H, L, S]: row n·H + h
    mo.op.stride[0] = H * t.stride(0);
    mo.op.stride[1] = t.stride(0);
    mo.op.stride[2] = t.stride(1);
    mo.op.stride[3] = t.stride(2);
  } else {
    throw Error(kWhere, name, "shape " + want2.str() + " [L, S] or " + want3.str() + " [N*num_heads, L, S]",
                "shape " + t.shape().str());
  }
  return mo;
}

}  // namespace

MultiHeadAttentionOutput MultiHeadAttention::forward(const TensorView& query, const TensorView& key,
                                                     const TensorView& value, const ForwardOptions& fo) const {
  const std::int64_t E = opt_.embed_dim, H = opt_.num_heads, hd = head_dim();
  const std::int64_t Hkv = num_kv_heads(), Ekv = kv_embed_dim();

  // Step 1, input: validate and view as [N, L, E], [N, S, kdim], [N, S, vdim].
  if (!query.defined()) throw Error(kWhere, "query", "a tensor", "an absent view");
  const bool batched = query.rank() == 3;
  const int rank = batched ? 3 : 2;
  if (query.rank() != 2 && query.rank() != 3)
    throw Error(kWhere, "query", std::string("rank 3 ") + (opt_.batch_first ? "[N, L, E]" : "[L, N, E]") + " or rank 2 [L, E]",
                "shape " + query.shape().str());
  const std::string lay = batched ? (opt_.batch_first ? "[N, S, dim]" : "[S, N, dim]") : "[S, dim] (as query is unbatched)";
  require_input(query, "query", rank, lay);
  require_input(key, "key", rank, lay);
  require_input(value, "value", rank, lay);
  const TensorView q_in = batch_first_view(query, batched, opt_.batch_first);
  const TensorView k_in = batch_first_view(key, batched, opt_.batch_first);
  const TensorView v_in = batch_first_view(value, batched, opt_.batch_first);
  const std::int64_t N = q_in.size(0), L = q_in.size(1), S = k_in.size(1);
  if (q_in.size(2) != E) throw Error(kWhere, "query", "embedding size embed_dim = " + num(E), "shape " + query.shape().str());
  if (k_in.size(2) != kdim()) throw Error(kWhere, "key", "embedding size kdim = " + num(kdim()), "shape " + key.shape().str());
  if (v_in.size(2) != vdim()) throw Error(kWhere, "value", "embedding size vdim = " + num(vdim()), "shape " + value.shape().str());
  if (k_in.size(0) != N) throw Error(kWhere, "key", "batch size " + num(N) + " (as query)", "shape " + key.shape().str());
  if (v_in.size(0) != N) throw Error(kWhere, "value", "batch size " + num(N) + " (as query)", "shape " + value.shape().str());
  if (v_in.size(1) != S) throw Error(kWhere, "value", "sequence length " + num(S) + " (as key)", "shape " + value.shape().str());

  const std::int64_t extra = (opt_.add_bias_kv ? 1 : 0) + (opt_.add_zero_attn ? 1 : 0);
  const std::int64_t St = S + extra;
  {  // every index space must fit in int64
    std::int64_t n = 1;
    for (std::int64_t d : {N, H, L, std::max(St, hd)}) {
      if (d != 0 && n > std::numeric_limits<std::int64_t>::max() / d)
        throw Error(kWhere, "query", "sizes whose product N·H·L·S fits in int64", "an overflowing product");
      n *= d;
    }
  }

  detail::AttentionParams p;
  if (fo.attn_mask.defined()) p.masks[p.num_masks++] = mask_operand(fo.attn_mask, "attn_mask", false, batched, N, H, L, S);
  if (fo.key_padding_mask.defined())
    p.masks[p.num_masks++] = mask_operand(fo.key_padding_mask, "key_padding_mask", true, batched, N, H, L, S);

  // Step 2, project: q [N, L, E]; k, v [N, St, Ekv] with bias_k/v and the zero key appended.
  // Inputs already fp32 and batch-first contiguous are read in place; self-attention (one tensor
  // given three times) is converted at most once.
  Tensor xq_copy, xk_copy, xv_copy;
  auto fp32_rows = [](const TensorView& t, Tensor& copy) -> const float* {
    if (t.dtype() == DType::f32 && t.is_contiguous()) return t.data_as<const float>();
    copy = Tensor::copy_of(t, DType::f32);
    return copy.data_as<const float>();
  };
  auto same_view = [](const TensorView& a, const TensorView& b) {
    return a.data() == b.data() && a.dtype() == b.dtype() && a.shape() == b.shape() && a.strides() == b.strides();
  };
  const float* xq = fp32_rows(q_in, xq_copy);
  const float* xk = same_view(k_in, q_in) ? xq : fp32_rows(k_in, xk_copy);
  const float* xv = same_view(v_in, q_in) ? xq : same_view(v_in, k_in) ? xk : fp32_rows(v_in, xv_copy);
  // Results written in full need no zero fill; with appended keys the zero key is the fill.
  Tensor qp = Tensor::uninitialized(DType::f32, Shape{N, L, E});
  Tensor kp = extra == 0 ? Tensor::uninitialized(DType::f32, Shape{N, St, Ekv}) : Tensor(DType::f32, Shape{N, St, Ekv});
  Tensor vp = extra == 0 ? Tensor::uninitialized(DType::f32, Shape{N, St, Ekv}) : Tensor(DType::f32, Shape{N, St, Ekv});
  const detail::PackedProjections& pk = *packed_;
  detail::project(xq, N * L, wq_, pk.bq, qp.data_as<float>(), E, pk.q);
  if (extra == 0) {  // all batches in one GEMM each
    detail::project(xk, N * S, wk_, pk.bk, kp.data_as<float>(), Ekv, pk.k);
    detail::project(xv, N * S, wv_, pk.bv, vp.data_as<float>(), Ekv, pk.v);
  } else {
    for (std::int64_t n = 0; n < N; ++n) {
      float* kn = kp.data_as<float>() + n * St * Ekv;
      float* vn = vp.data_as<float>() + n * St * Ekv;
      detail::project(xk + n * S * kdim(), S, wk_, pk.bk, kn, Ekv, pk.k);
      detail::project(xv + n * S * vdim(), S, wv_, pk.bv, vn, Ekv, pk.v);
      if (opt_.add_bias_kv) {
        std::copy_n(pk.bias_k.data(), Ekv, kn + S * Ekv);
        std::copy_n(pk.bias_v.data(), Ekv, vn + S * Ekv);
      }  // the zero key/value of add_zero_attn is the zero-initialized last row
    }
  }

  // Steps 3–5 in the core kernel. Heads are read and written in place through strides:
  // q [N, L, H·hd] is [N, H, L, hd] with strides (L·E, hd, E, 1), and the output lands
  // concatenated (step 5) in [N, L, E].
  Tensor causal_mask;
  if (fo.is_causal) {
    if (extra == 0) {
      p.causal = true;  // top-left: key j > query i removed
    } else {
      // torch pads the causal attn_mask with kept columns for the appended keys, so the rule
      // covers only the first S keys: spell it out as a [L, S] mask.
      causal_mask = Tensor(DType::boolean, Shape{L, S});
      for (std::int64_t i = 0; i < L; ++i)
        for (std::int64_t j = i + 1; j < S; ++j) causal_mask.data_as<std::uint8_t>()[i * S + j] = 1;
      p.masks[p.num_masks++] = mask_operand(Mask::drop(causal_mask), "is_causal", false, batched, N, H, L, S);
    }
  }
  Tensor heads = Tensor::uninitialized(DType::f32, Shape{N, L, E});  // every row written (masked: 0)
  Tensor probs;
  if (fo.need_weights) probs = Tensor::uninitialized(DType::f32, Shape{N, H, L, St});
  p.B = N;
  p.Hq = H;
  p.Hkv = Hkv;
  p.Sq = L;
  p.T = St;
  p.D = hd;
  p.Dv = hd;
  p.q = detail::Operand{qp.data(), DType::f32, {L * E, hd, E, 1}};
  p.k = detail::Operand{kp.data(), DType::f32, {St * Ekv, hd, Ekv, 1}};
  p.v = detail::Operand{vp.data(), DType::f32, {St * Ekv, hd, Ekv, 1}};
  p.scale = static_cast<float>(1.0 / std::sqrt(static_cast<double>(hd)));
  if (training_ && opt_.dropout > 0.0) {
    p.dropout_p = static_cast<float>(opt_.dropout);
    p.dropout_seed = fo.dropout_seed ? *fo.dropout_seed
                                     : detail::mix64(opt_.seed ^ detail::mix64(dropout_calls_.fetch_add(1) + 1));
  }
  p.y = detail::MutableOperand{heads.data(), DType::f32, {L * E, hd, E, 1}};
  if (fo.need_weights) {
    p.qk = detail::MutableOperand{probs.data(), DType::f32, {H * L * St, L * St, St, 1}};
    p.qk_mode = QkOutput::probabilities;
  }
  detail::run_attention(p);

  // Step 6, output projection, then back to the caller's layout and dtype.
  Tensor y = Tensor::uninitialized(DType::f32, Shape{N, L, E});
  detail::project(heads.data_as<float>(), N * L, wo_, pk.bo, y.data_as<float>(), E, pk.out);
  MultiHeadAttentionOutput r;
  const TensorView yv = batched ? (opt_.batch_first ? y.view() : y.view().permuted({1, 0, 2})) : y.view().reshaped(Shape{L, E});
  // Already the caller's layout and dtype (batch-first fp32): handed over without a copy.
  if (batched && opt_.batch_first && query.dtype() == DType::f32) r.output = std::move(y);
  else r.output = Tensor::copy_of(yv, query.dtype());
  if (fo.need_weights) {
    if (fo.average_attn_weights) {
      Tensor avg = Tensor::uninitialized(DType::f32, batched ? Shape{N, L, St} : Shape{L, St});
      const float* pr = probs.data_as<float>();
      float* a = avg.data_as<float>();
      const float inv_h = 1.0f / static_cast<float>(H);
      const std::int64_t plane = L * St;
#pragma omp parallel for schedule(static) num_threads(num_threads())
      for (std::int64_t n = 0; n < N; ++n) {
        float* dst = a + n * plane;  // uninitialized: head 0 sets it, the others add
        const float* src0 = pr + n * H * plane;
        for (std::int64_t ij = 0; ij < plane; ++ij) dst[ij] = src0[ij] * inv_h;
        for (std::int64_t h = 1; h < H; ++h) {
          const float* src = pr + (n * H + h) * plane;
          for (std::int64_t ij = 0; ij < plane; ++ij) dst[ij] += src[ij] * inv_h;
        }
      }
      r.weights = std::move(avg);
    } else {
      r.weights = batched ? std::move(probs) : Tensor::copy_of(probs.view().reshaped(Shape{H, L, St}));
    }
  }
  return r;
}

}  // namespace mha
