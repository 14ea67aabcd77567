#include "attention/validate.hpp"

#include <cmath>
#include <limits>

#include "mha/error.hpp"

namespace mha::detail {
namespace {

constexpr const char* kWhere = "mha::attention";

std::string num(std::int64_t v) { return std::to_string(v); }

void require_float(const TensorView& t, const char* arg) {
  if (!is_floating(t.dtype()))
    throw Error(kWhere, arg, "a floating dtype (f32, f64, f16, bf16)", dtype_name(t.dtype()));
}

// Product that must fit in int64 (B·H·S·S-sized index spaces).
std::int64_t checked_product(std::initializer_list<std::int64_t> dims, const char* arg) {
  std::int64_t n = 1;
  for (auto d : dims) {
    if (d != 0 && n > std::numeric_limits<std::int64_t>::max() / d)
      throw Error(kWhere, arg, "sizes whose product fits in int64", "an overflowing product");
    n *= d;
  }
  return n;
}

void require_shape(const TensorView& t, const char* arg, const Shape& expected) {
  if (!(t.shape() == expected))
    throw Error(kWhere, arg, "shape " + expected.str(), "shape " + t.shape().str());
}

}  // namespace

std::string shape_of(const TensorView& t) {
  return t.defined() ? "shape " + t.shape().str() : std::string("an absent tensor");
}

TensorView split_heads(const TensorView& t3, std::int64_t heads) {
  const std::int64_t hd = t3.size(2) / heads;
  return TensorView(t3.data(), t3.dtype(), Shape{t3.size(0), heads, t3.size(1), hd},
                    Shape{t3.stride(0), hd * t3.stride(2), t3.stride(1), t3.stride(2)});
}

Operand operand_of(const TensorView& v) {
  Operand o;
  o.data = v.data();
  o.dtype = v.dtype();
  for (int i = 0; i < 4; ++i) o.stride[i] = v.size(i) == 1 ? 0 : v.stride(i);
  return o;
}

MutableOperand mutable_operand_of(const TensorView& v) {
  MutableOperand o;
  o.data = v.data();
  o.dtype = v.dtype();
  for (int i = 0; i < 4; ++i) o.stride[i] = v.stride(i);
  return o;
}

AttentionPlan plan_attention(const AttentionInputs& in, const AttentionOptions& opt) {
  AttentionPlan p;
  const TensorView* qkv[3] = {&in.query, &in.key, &in.value};
  const char* names[3] = {"query", "key", "value"};
  for (int i = 0; i < 3; ++i) {
    if (!qkv[i]->defined()) throw Error(kWhere, names[i], "a tensor", "an absent view");
    require_float(*qkv[i], names[i]);
    if (qkv[i]->rank() != 3 && qkv[i]->rank() != 4)
      throw Error(kWhere, names[i], "rank 3 [B, S, H*D] or 4 [B, H, S, D]",
                  "rank " + num(qkv[i]->rank()) + " (" + shape_of(*qkv[i]) + ")");
  }
  if (in.key.rank() != in.query.rank() || in.value.rank() != in.query.rank())
    throw Error(kWhere, in.key.rank() != in.query.rank() ? "key" : "value",
                "the rank of query (" + num(in.query.rank()) + ")",
                "rank " + num(in.key.rank() != in.query.rank() ? in.key.rank() : in.value.rank()));
  if (opt.q_num_heads < 0) throw Error(kWhere, "q_num_heads", ">= 0", num(opt.q_num_heads));
  if (opt.kv_num_heads < 0) throw Error(kWhere, "kv_num_heads", ">= 0", num(opt.kv_num_heads));

  p.three_d = in.query.rank() == 3;
  if (p.three_d) {
    if (opt.q_num_heads == 0) throw Error(kWhere, "q_num_heads", "> 0 for 3-D inputs", "0 (not set)");
    if (opt.kv_num_heads == 0) throw Error(kWhere, "kv_num_heads", "> 0 for 3-D inputs", "0 (not set)");
    if (in.query.size(2) % opt.q_num_heads != 0)
      throw Error(kWhere, "query", "hidden size divisible by q_num_heads (" + num(opt.q_num_heads) + ")",
                  shape_of(in.query));
    if (in.key.size(2) % opt.kv_num_heads != 0)
      throw Error(kWhere, "key", "hidden size divisible by kv_num_heads (" + num(opt.kv_num_heads) + ")",
                  shape_of(in.key));
    if (in.value.size(2) % opt.kv_num_heads != 0)
      throw Error(kWhere, "value", "hidden size divisible by kv_num_heads (" + num(opt.kv_num_heads) + ")",
                  shape_of(in.value));
    p.q = split_heads(in.query, opt.q_num_heads);
    p.k = split_heads(in.key, opt.kv_num_heads);
    p.v = split_heads(in.value, opt.kv_num_heads);
  } else {
    if (opt.q_num_heads != 0 && opt.q_num_heads != in.query.size(1))
      throw Error(kWhere, "q_num_heads", "0 or the head dimension of 4-D query (" + num(in.query.size(1)) + ")",
                  num(opt.q_num_heads));
    if (opt.kv_num_heads != 0 && opt.kv_num_heads != in.key.size(1))
      throw Error(kWhere, "kv_num_heads", "0 or the head dimension of 4-D key (" + num(in.key.size(1)) + ")",
                  num(opt.kv_num_heads));
    p.q = in.query;
    p.k = in.key;
    p.v = in.value;
  }
  p.B = p.q.size(0);
  p.Hq = p.q.size(1);
  p.Sq = p.q.size(2);
  p.D = p.q.size(3);
  p.Hkv = p.k.size(1);
  p.Skv = p.k.size(2);
  p.Dv = p.v.size(3);
  if (p.k.size(0) != p.B) throw Error(kWhere, "key", "batch " + num(p.B) + " (as query)", shape_of(in.key));
  if (p.v.size(0) != p.B) throw Error(kWhere, "value", "batch " + num(p.B) + " (as query)", shape_of(in.value));
  if (p.k.size(3) != p.D)
    throw Error(kWhere, "key", "head size " + num(p.D) + " (as query)",
                "head size " + num(p.k.size(3)) + " (" + shape_of(in.key) + ")");
  if (p.v.size(1) != p.Hkv)
    throw Error(kWhere, "value", num(p.Hkv) + " heads (as key)", num(p.v.size(1)) + " (" + shape_of(in.value) + ")");
  if (p.v.size(2) != p.Skv)
    throw Error(kWhere, "value", "sequence length " + num(p.Skv) + " (as key)", shape_of(in.value));
  if (p.Hq < 1) throw Error(kWhere, "query", "at least one head", shape_of(in.query));
  if (p.Hkv < 1) throw Error(kWhere, "key", "at least one head", shape_of(in.key));
  if (p.Hq % p.Hkv != 0)
    throw Error(kWhere, "key", "a number of heads that divides the query heads (" + num(p.Hq) + ")",
                num(p.Hkv) + " heads");
  if (p.D < 1) throw Error(kWhere, "query", "head size >= 1", shape_of(in.query));
  if (p.Dv < 1) throw Error(kWhere, "value", "head size >= 1", shape_of(in.value));

  // KV cache.
  if (in.past_key.defined() != in.past_value.defined())
    throw Error(kWhere, in.past_key.defined() ? "past_value" : "past_key",
                "past_key and past_value given together", "only one of them");
  if (in.past_key.defined()) {
    if (in.nonpad_kv_seqlen.defined())
      throw Error(kWhere, "nonpad_kv_seqlen", "absent when past_key/past_value are given (ONNX)", "a tensor");
    require_float(in.past_key, "past_key");
    require_float(in.past_value, "past_value");
    if (in.past_key.rank() != 4)
      throw Error(kWhere, "past_key", "rank 4 [B, Hkv, P, D]", shape_of(in.past_key));
    if (in.past_value.rank() != 4)
      throw Error(kWhere, "past_value", "rank 4 [B, Hkv, P, Dv]", shape_of(in.past_value));
    p.P = in.past_key.size(2);
    require_shape(in.past_key, "past_key", Shape{p.B, p.Hkv, p.P, p.D});
    require_shape(in.past_value, "past_value", Shape{p.B, p.Hkv, p.P, p.Dv});
    p.past_key = in.past_key;
    p.past_value = in.past_value;
  }
  p.T = p.P + p.Skv;

  // Every index space the kernels walk must fit in int64.
  checked_product({p.B, p.Hq, p.Sq, p.T}, "query");
  checked_product({p.B, p.Hq, p.Sq, std::max(p.D, p.Dv)}, "query");
  checked_product({p.B, p.Hkv, p.T, std::max(p.D, p.Dv)}, "key");

  if (in.nonpad_kv_seqlen.defined()) {
    const TensorView& n = in.nonpad_kv_seqlen;
    if (n.dtype() != DType::i64) throw Error(kWhere, "nonpad_kv_seqlen", "dtype i64", dtype_name(n.dtype()));
    require_shape(n, "nonpad_kv_seqlen", Shape{p.B});
    if (!n.is_contiguous())
      throw Error(kWhere, "nonpad_kv_seqlen", "a contiguous tensor", "strides " + n.strides().str());
    for (std::int64_t b = 0; b < p.B; ++b) {
      const std::int64_t len = n.data_as<const std::int64_t>()[b];
      if (len < 0 || len > p.T)
        throw Error(kWhere, "nonpad_kv_seqlen", "values in [0, " + num(p.T) + "]",
                    num(len) + " at batch " + num(b));
    }
    p.nonpad = n.data_as<const std::int64_t>();
  }

  // The mask broadcasts (right-aligned) to [B, Hq, Sq, T]; a short last dimension is allowed.
  if (in.mask.defined()) {
    const TensorView& m = in.mask.tensor();
    if (m.rank() < 1 || m.rank() > 4)
      throw Error(kWhere, "mask", "rank 1 to 4", "rank " + num(m.rank()));
    const std::int64_t target[4] = {p.B, p.Hq, p.Sq, p.T};
    const char* dim_names[4] = {"batch", "heads", "query length", "key length"};
    MaskOperand mo;
    mo.kind = in.mask.kind();
    mo.op.data = m.data();
    mo.op.dtype = m.dtype();
    for (int i = 0; i < m.rank(); ++i) {
      const int d = 4 - m.rank() + i;
      const std::int64_t s = m.size(i);
      if (d == 3) {
        if (s > p.T)
          throw Error(kWhere, "mask",
                      "a key length <= total key length " + num(p.T) + " (shorter is padded as masked out)",
                      shape_of(m));
        mo.len = s;
        mo.op.stride[3] = m.stride(i);
      } else if (s != 1 && s != target[d]) {
        throw Error(kWhere, "mask",
                    "a shape broadcastable to [B, Hq, Sq, T] = " + Shape{p.B, p.Hq, p.Sq, p.T}.str() + " (" +
                        dim_names[d] + " must be 1 or " + num(target[d]) + ")",
                    shape_of(m));
      } else {
        mo.op.stride[d] = s == 1 ? 0 : m.stride(i);
      }
    }
    mo.beyond_kept = false;
    p.mask = mo;
  }

  // Options.
  if (opt.scale && !std::isfinite(*opt.scale))
    throw Error(kWhere, "scale", "a finite value", std::to_string(*opt.scale));
  if (!std::isfinite(opt.softcap) || opt.softcap < 0.0f)
    throw Error(kWhere, "softcap", "a finite value >= 0 (0 = off)", std::to_string(opt.softcap));
  if (opt.left_window < -1) throw Error(kWhere, "left_window", "-1 (unbounded) or >= 0", num(opt.left_window));
  if (opt.right_window < -1) throw Error(kWhere, "right_window", "-1 (unbounded) or >= 0", num(opt.right_window));
  const int mode = static_cast<int>(opt.qk_output_mode);
  if (mode < 0 || mode > 3) throw Error(kWhere, "qk_output_mode", "0, 1, 2 or 3", num(mode));
  p.scale = opt.scale ? *opt.scale : static_cast<float>(1.0 / std::sqrt(static_cast<double>(p.D)));

  p.shapes.y = p.three_d ? Shape{p.B, p.Sq, p.Hq * p.Dv} : Shape{p.B, p.Hq, p.Sq, p.Dv};
  p.shapes.present_key = Shape{p.B, p.Hkv, p.T, p.D};
  p.shapes.present_value = Shape{p.B, p.Hkv, p.T, p.Dv};
  p.shapes.qk_output = Shape{p.B, p.Hq, p.Sq, p.T};
  return p;
}

void check_outputs(const AttentionPlan& p, const AttentionOutputs& out) {
  if (!out.y.defined()) throw Error(kWhere, "y", "an output tensor", "an absent view");
  const struct {
    const TensorView* t;
    const char* name;
    const Shape* shape;
  } outs[4] = {{&out.y, "y", &p.shapes.y},
               {&out.present_key, "present_key", &p.shapes.present_key},
               {&out.present_value, "present_value", &p.shapes.present_value},
               {&out.qk_output, "qk_output", &p.shapes.qk_output}};
  for (const auto& o : outs) {
    if (!o.t->defined()) continue;
    if (!is_floating(o.t->dtype()))
      throw Error(kWhere, o.name, "a floating dtype (f32, f64, f16, bf16)", dtype_name(o.t->dtype()));
    require_shape(*o.t, o.name, *o.shape);
  }
}

}  // namespace mha::detail
