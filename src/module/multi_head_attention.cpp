// mha::MultiHeadAttention: steps 2, 5 and 6 around the attention core (steps 3 and 4).
#include "mha/module.hpp"

#include <cmath>
#include <cstring>
#include <initializer_list>
#include <vector>

#include "attention/dropout.hpp"
#include "mha/error.hpp"
#include "module/linear.hpp"

namespace mha {
namespace {

constexpr const char* kCtor = "mha::MultiHeadAttention";
constexpr const char* kLoad = "mha::MultiHeadAttention::load_state_dict";

std::string num(std::int64_t v) { return std::to_string(v); }

// Deterministic initial weights: uniform in [-bound, bound) or normal(0, std), from a
// counter-based stream so that every tensor's values depend only on (seed, tensor, index).
void fill_uniform(Tensor& t, std::uint64_t seed, std::uint64_t tensor_id, double bound) {
  float* p = t.data_as<float>();
  for (std::int64_t i = 0; i < t.numel(); ++i) {
    const double u = detail::dropout_uniform(seed, static_cast<std::int64_t>(tensor_id), 0, 0, i);
    p[i] = static_cast<float>((2.0 * u - 1.0) * bound);
  }
}

void fill_normal(Tensor& t, std::uint64_t seed, std::uint64_t tensor_id, double stddev) {
  float* p = t.data_as<float>();
  for (std::int64_t i = 0; i < t.numel(); ++i) {  // Box–Muller, one draw per element
    const double u1 = 1.0 - detail::dropout_uniform(seed, static_cast<std::int64_t>(tensor_id), 1, 0, i);
    const double u2 = detail::dropout_uniform(seed, static_cast<std::int64_t>(tensor_id), 2, 0, i);
    p[i] = static_cast<float>(stddev * std::sqrt(-2.0 * std::log(u1)) * std::cos(6.283185307179586 * u2));
  }
}

double xavier_bound(std::int64_t fan_out, std::int64_t fan_in) {
  return std::sqrt(6.0 / static_cast<double>(fan_in + fan_out));
}

// A contiguous f32 copy of `rows` rows of a 2-D tensor starting at row r0 into dst.
void copy_rows(const TensorView& src, std::int64_t r0, Tensor& dst) {
  const std::int64_t cols = dst.rank() == 1 ? 1 : dst.size(1);
  const std::int64_t n = dst.rank() == 1 ? dst.size(0) : dst.size(0);
  const auto* base = static_cast<const std::byte*>(src.data()) + r0 * src.stride(0) * static_cast<std::int64_t>(dtype_size(src.dtype()));
  TensorView part = src.rank() == 1 ? TensorView(base, src.dtype(), Shape{n}, Shape{src.stride(0)})
                                    : TensorView(base, src.dtype(), Shape{n, cols}, Shape{src.stride(0), src.stride(1)});
  copy_into(part, dst);
}

}  // namespace

MultiHeadAttention::MultiHeadAttention(const MultiHeadAttentionOptions& options) : opt_(options) {
  if (opt_.embed_dim <= 0) throw Error(kCtor, "embed_dim", "> 0", num(opt_.embed_dim));
  if (opt_.num_heads <= 0) throw Error(kCtor, "num_heads", "> 0", num(opt_.num_heads));
  if (opt_.embed_dim % opt_.num_heads != 0)
    throw Error(kCtor, "num_heads", "a divisor of embed_dim (" + num(opt_.embed_dim) + ")", num(opt_.num_heads));
  if (opt_.num_kv_heads < 0 || (opt_.num_kv_heads > 0 && opt_.num_heads % opt_.num_kv_heads != 0))
    throw Error(kCtor, "num_kv_heads", "0 (= num_heads) or a divisor of num_heads (" + num(opt_.num_heads) + ")",
                num(opt_.num_kv_heads));
  if (!(opt_.dropout >= 0.0 && opt_.dropout < 1.0))
    throw Error(kCtor, "dropout", "a probability in [0, 1)", std::to_string(opt_.dropout));
  if (opt_.kdim < 0) throw Error(kCtor, "kdim", ">= 0 (0 = embed_dim)", num(opt_.kdim));
  if (opt_.vdim < 0) throw Error(kCtor, "vdim", ">= 0 (0 = embed_dim)", num(opt_.vdim));
  if (opt_.weight_dtype != DType::f32 && opt_.weight_dtype != DType::bf16)
    throw Error(kCtor, "weight_dtype", "f32 or bf16", dtype_name(opt_.weight_dtype));

  const std::int64_t E = opt_.embed_dim, Ekv = kv_embed_dim();
  wq_ = Tensor(DType::f32, Shape{E, E});
  wk_ = Tensor(DType::f32, Shape{Ekv, kdim()});
  wv_ = Tensor(DType::f32, Shape{Ekv, vdim()});
  wo_ = Tensor(DType::f32, Shape{E, E});
  // torch: xavier_uniform_ on the packed [E + 2·Ekv, E] matrix, or on each separate one.
  if (packed_in_proj()) {
    const double bound = xavier_bound(E + 2 * Ekv, E);
    fill_uniform(wq_, opt_.seed, 1, bound);
    fill_uniform(wk_, opt_.seed, 2, bound);
    fill_uniform(wv_, opt_.seed, 3, bound);
  } else {
    fill_uniform(wq_, opt_.seed, 1, xavier_bound(E, E));
    fill_uniform(wk_, opt_.seed, 2, xavier_bound(Ekv, kdim()));
    fill_uniform(wv_, opt_.seed, 3, xavier_bound(Ekv, vdim()));
  }
  // torch: Linear's kaiming_uniform_(a = sqrt 5) = U(-1/sqrt(fan_in), 1/sqrt(fan_in)).
  fill_uniform(wo_, opt_.seed, 4, 1.0 / std::sqrt(static_cast<double>(E)));
  if (opt_.bias) {  // torch zeroes in_proj_bias and out_proj.bias
    bq_ = Tensor(DType::f32, Shape{E});
    bk_ = Tensor(DType::f32, Shape{Ekv});
    bv_ = Tensor(DType::f32, Shape{Ekv});
    bo_ = Tensor(DType::f32, Shape{E});
  }
  if (opt_.add_bias_kv) {  // torch: xavier_normal_ on [1, 1, Ekv]: std = sqrt(2 / (Ekv + Ekv))
    bias_k_ = Tensor(DType::f32, Shape{Ekv});
    bias_v_ = Tensor(DType::f32, Shape{Ekv});
    fill_normal(bias_k_, opt_.seed, 5, 1.0 / std::sqrt(static_cast<double>(Ekv)));
    fill_normal(bias_v_, opt_.seed, 6, 1.0 / std::sqrt(static_cast<double>(Ekv)));
  }
  if (opt_.weight_dtype != DType::f32)  // drawn in fp32, kept rounded
    for (Tensor* t : {&wq_, &wk_, &wv_, &wo_, &bq_, &bk_, &bv_, &bo_, &bias_k_, &bias_v_})
      if (t->defined()) *t = Tensor::copy_of(t->view(), opt_.weight_dtype);
  pack_projections();
}

void MultiHeadAttention::pack_projections() {
  auto p = std::make_shared<detail::PackedProjections>();
  auto pack = [](const Tensor& w) {
    return w.dtype() == DType::bf16 ? detail::pack_weights_bf16(w.data_as<std::uint16_t>(), w.size(0), w.size(1))
                                    : detail::pack_weights(w.data_as<float>(), w.size(0), w.size(1));
  };
  p->q = pack(wq_);
  p->k = pack(wk_);
  p->v = pack(wv_);
  p->out = pack(wo_);
  auto fp32 = [](const Tensor& t) {
    std::vector<float> v(static_cast<std::size_t>(t.defined() ? t.numel() : 0));
    for (std::size_t i = 0; i < v.size(); ++i) v[i] = load_as_float(t.data(), t.dtype(), static_cast<std::int64_t>(i));
    return v;
  };
  p->bq = fp32(bq_);
  p->bk = fp32(bk_);
  p->bv = fp32(bv_);
  p->bo = fp32(bo_);
  p->bias_k = fp32(bias_k_);
  p->bias_v = fp32(bias_v_);
  packed_ = std::move(p);
}

bool MultiHeadAttention::packed_in_proj() const noexcept {
  return kdim() == opt_.embed_dim && vdim() == opt_.embed_dim && num_kv_heads() == opt_.num_heads;
}

std::map<std::string, Tensor> MultiHeadAttention::state_dict() const {
  std::map<std::string, Tensor> sd;
  const std::int64_t E = opt_.embed_dim, Ekv = kv_embed_dim();
  const DType dt = opt_.weight_dtype;
  auto concat = [dt](std::initializer_list<const Tensor*> parts, const Shape& shape) {
    Tensor t(dt, shape);
    auto* out = static_cast<std::byte*>(t.data());
    for (const Tensor* part : parts) {
      std::memcpy(out, part->data(), part->nbytes());
      out += part->nbytes();
    }
    return t;
  };
  if (packed_in_proj()) {
    sd["in_proj_weight"] = concat({&wq_, &wk_, &wv_}, Shape{E + 2 * Ekv, E});
  } else {
    sd["q_proj_weight"] = wq_;
    sd["k_proj_weight"] = wk_;
    sd["v_proj_weight"] = wv_;
  }
  if (opt_.bias) {
    sd["in_proj_bias"] = concat({&bq_, &bk_, &bv_}, Shape{E + 2 * Ekv});
    sd["out_proj.bias"] = bo_;
  }
  sd["out_proj.weight"] = wo_;
  if (opt_.add_bias_kv) {
    sd["bias_k"] = Tensor::copy_of(bias_k_.view().reshaped(Shape{1, 1, Ekv}));
    sd["bias_v"] = Tensor::copy_of(bias_v_.view().reshaped(Shape{1, 1, Ekv}));
  }
  return sd;
}

void MultiHeadAttention::load_state_dict(const std::map<std::string, TensorView>& tensors, bool allow_partial) {
  const std::int64_t E = opt_.embed_dim, Ekv = kv_embed_dim();
  std::map<std::string, Shape> expected = {{"out_proj.weight", Shape{E, E}}};
  const bool packed = tensors.count("in_proj_weight") > 0;
  if (packed) {
    if (kdim() != E || vdim() != E)
      throw Error(kLoad, "in_proj_weight", "q/k/v_proj_weight (kdim = " + num(kdim()) + ", vdim = " + num(vdim()) +
                  " differ from embed_dim " + num(E) + ")", "the packed in_proj_weight");
    expected["in_proj_weight"] = Shape{E + 2 * Ekv, E};
  } else {
    expected["q_proj_weight"] = Shape{E, E};
    expected["k_proj_weight"] = Shape{Ekv, kdim()};
    expected["v_proj_weight"] = Shape{Ekv, vdim()};
  }
  if (opt_.bias) {
    expected["in_proj_bias"] = Shape{E + 2 * Ekv};
    expected["out_proj.bias"] = Shape{E};
  }
  if (opt_.add_bias_kv) {
    expected["bias_k"] = Shape{1, 1, Ekv};
    expected["bias_v"] = Shape{1, 1, Ekv};
  }
  // Check everything before changing anything.
  for (const auto& [name, t] : tensors) {
    auto it = expected.find(name);
    if (it == expected.end()) {
      std::string known;
      for (const auto& [n, s] : expected) known += (known.empty() ? "" : ", ") + n;
      throw Error(kLoad, name, "one of: " + known, "an unexpected name");
    }
    if (!t.defined()) throw Error(kLoad, name, "a tensor", "an absent view");
    if (!is_floating(t.dtype())) throw Error(kLoad, name, "a floating dtype", dtype_name(t.dtype()));
    if (!(t.shape() == it->second)) throw Error(kLoad, name, "shape " + it->second.str(), "shape " + t.shape().str());
  }
  if (!allow_partial)
    for (const auto& [name, s] : expected)
      if (!tensors.count(name)) throw Error(kLoad, name, "a tensor of shape " + s.str(), "nothing (missing)");

  auto get = [&](const char* name) -> const TensorView* {
    auto it = tensors.find(name);
    return it == tensors.end() ? nullptr : &it->second;
  };
  if (auto* t = get("in_proj_weight")) {
    copy_rows(*t, 0, wq_);
    copy_rows(*t, E, wk_);
    copy_rows(*t, E + Ekv, wv_);
  }
  if (auto* t = get("q_proj_weight")) copy_into(*t, wq_);
  if (auto* t = get("k_proj_weight")) copy_into(*t, wk_);
  if (auto* t = get("v_proj_weight")) copy_into(*t, wv_);
  if (auto* t = get("in_proj_bias")) {
    copy_rows(*t, 0, bq_);
    copy_rows(*t, E, bk_);
    copy_rows(*t, E + Ekv, bv_);
  }
  if (auto* t = get("out_proj.weight")) copy_into(*t, wo_);
  if (auto* t = get("out_proj.bias")) copy_into(*t, bo_);
  if (auto* t = get("bias_k")) copy_into(TensorView(t->data(), t->dtype(), Shape{Ekv}, Shape{t->stride(2)}), bias_k_);
  if (auto* t = get("bias_v")) copy_into(TensorView(t->data(), t->dtype(), Shape{Ekv}, Shape{t->stride(2)}), bias_v_);
  pack_projections();
}

}  // namespace mha
