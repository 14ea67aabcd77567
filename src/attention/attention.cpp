// mha::attention: validate, assemble the KV cache, hand a plain parameter block to the backend.
#include "mha/attention.hpp"

#include "attention/params.hpp"
#include "attention/validate.hpp"
#include "mha/error.hpp"

namespace mha {
namespace {

// Writes concat(past, cur) along dimension 2 into dst [B, H, P + S, D].
void concat_sequence(const TensorView& past, const TensorView& cur, const TensorView& dst) {
  const std::int64_t P = past.defined() ? past.size(2) : 0;
  if (P > 0) {
    TensorView head(dst.data(), dst.dtype(), Shape{dst.size(0), dst.size(1), P, dst.size(3)}, dst.strides());
    copy_into(past, head);
  }
  if (cur.size(2) > 0) {
    auto* base = static_cast<std::byte*>(dst.data()) +
                 P * dst.stride(2) * static_cast<std::int64_t>(dtype_size(dst.dtype()));
    TensorView tail(base, dst.dtype(), cur.shape(), dst.strides());
    copy_into(cur, tail);
  }
}

}  // namespace

AttentionShapes attention_shapes(const AttentionInputs& in, const AttentionOptions& opt) {
  return detail::plan_attention(in, opt).shapes;
}

void attention(const AttentionInputs& in, const AttentionOptions& opt, const AttentionOutputs& out) {
  const detail::AttentionPlan plan = detail::plan_attention(in, opt);
  detail::check_outputs(plan, out);

  // Keys and values the kernel reads: the inputs themselves without a cache, else
  // concat(past, new) — written to present_* when asked for, to a scratch tensor otherwise.
  const bool cache = plan.past_key.defined();
  auto kernel_source = [&](const TensorView& past, const TensorView& cur, const TensorView& present,
                           const Shape& shape, Tensor& scratch) -> TensorView {
    if (present.defined()) {
      concat_sequence(past, cur, present);
      return cache ? present : cur;
    }
    if (!cache) return cur;
    scratch = Tensor::uninitialized(cur.dtype(), shape);  // concat_sequence writes all of it
    concat_sequence(past, cur, scratch);
    return scratch;
  };
  Tensor k_scratch, v_scratch;
  const TensorView k = kernel_source(plan.past_key, plan.k, out.present_key, plan.shapes.present_key, k_scratch);
  const TensorView v = kernel_source(plan.past_value, plan.v, out.present_value, plan.shapes.present_value, v_scratch);

  detail::AttentionParams p;
  p.B = plan.B;
  p.Hq = plan.Hq;
  p.Hkv = plan.Hkv;
  p.Sq = plan.Sq;
  p.T = plan.T;
  p.D = plan.D;
  p.Dv = plan.Dv;
  p.q = detail::operand_of(plan.q);
  p.k = detail::operand_of(k);
  p.v = detail::operand_of(v);
  if (plan.mask.kind != MaskKind::none) p.masks[p.num_masks++] = plan.mask;
  p.nonpad = plan.nonpad;
  p.past = plan.P;
  p.causal = opt.is_causal;
  p.left_window = opt.left_window;
  p.right_window = opt.right_window;
  p.scale = plan.scale;
  p.softcap = opt.softcap;
  p.y = detail::mutable_operand_of(plan.three_d ? detail::split_heads(out.y, plan.Hq) : out.y);
  if (out.qk_output.defined()) p.qk = detail::mutable_operand_of(out.qk_output);
  p.qk_mode = opt.qk_output_mode;
  detail::run_attention(p);
}

AttentionResult attention(const AttentionInputs& in, const AttentionOptions& opt, AttentionRequest request) {
  const detail::AttentionPlan plan = detail::plan_attention(in, opt);
  AttentionResult r;
  // Every output is written in full (the kernels write each row, fully masked ones as zeros).
  r.y = Tensor::uninitialized(in.query.dtype(), plan.shapes.y);
  if (request.present) {
    r.present_key = Tensor::uninitialized(in.key.dtype(), plan.shapes.present_key);
    r.present_value = Tensor::uninitialized(in.value.dtype(), plan.shapes.present_value);
  }
  if (request.qk_output) r.qk_output = Tensor::uninitialized(in.query.dtype(), plan.shapes.qk_output);
  attention(in, opt, AttentionOutputs{r.y, r.present_key, r.present_value, r.qk_output});
  return r;
}

}  // namespace mha
