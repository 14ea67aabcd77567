// MultiHeadAttention::forward_packed: self-attention over sequences packed back to back, no
// padding. Steps 2 and 6 run as one GEMM each over all rows; steps 3–5 run per sequence.
#include <cmath>
#include <numeric>

#include "attention/params.hpp"
#include "core/thread_scope.hpp"
#include "mha/error.hpp"
#include "mha/module.hpp"
#include "mha/threads.hpp"
#include "module/linear.hpp"

namespace mha {
namespace {

constexpr const char* kWhere = "mha::MultiHeadAttention::forward_packed";

std::string num(std::int64_t v) { return std::to_string(v); }

}  // namespace

Tensor MultiHeadAttention::forward_packed(const TensorView& x,
                                          std::span<const std::int64_t> lengths,
                                          bool is_causal) const {
  const std::int64_t E = opt_.embed_dim, H = opt_.num_heads, hd = head_dim();
  const std::int64_t Hkv = num_kv_heads(), Ekv = kv_embed_dim();

  // Step 1, input: x [T, E], T = Σ lengths.
  if (!x.defined()) throw Error(kWhere, "x", "a tensor", "an absent view");
  if (!is_floating(x.dtype()))
    throw Error(kWhere, "x", "a floating dtype (f32, f64, f16, bf16)", dtype_name(x.dtype()));
  if (x.rank() != 2 || x.size(1) != E)
    throw Error(kWhere, "x", "shape [T, " + num(E) + "] (rows of all sequences, embed_dim columns)",
                "shape " + x.shape().str());
  if (kdim() != E || vdim() != E)
    throw Error(kWhere, "kdim/vdim", "embed_dim " + num(E) + " (self-attention)",
                "kdim " + num(kdim()) + ", vdim " + num(vdim()));
  if (opt_.add_bias_kv || opt_.add_zero_attn)
    throw Error(kWhere, opt_.add_bias_kv ? "add_bias_kv" : "add_zero_attn",
                "false (use forward with padding)", "true");
  if (training_ && opt_.dropout > 0.0)
    throw Error(kWhere, "dropout", "eval mode or dropout 0 (packed sequences are for inference)",
                "training with dropout " + std::to_string(opt_.dropout));
  const std::int64_t T = x.size(0);
  std::int64_t total = 0;
  for (std::size_t n = 0; n < lengths.size(); ++n) {
    if (lengths[n] < 0 || lengths[n] > T - total)
      throw Error(kWhere, "lengths",
                  "non-negative lengths summing to the rows of x (" + num(T) + ")",
                  "lengths[" + num(static_cast<std::int64_t>(n)) + "] = " + num(lengths[n]) +
                      " after " + num(total) + " rows");
    total += lengths[n];
  }
  if (total != T)
    throw Error(kWhere, "lengths", "a sum equal to the rows of x (" + num(T) + ")",
                "a sum of " + num(total));

  // Step 2, project: one GEMM per projection over every row.
  Tensor x_copy;
  const float* xr = nullptr;
  if (x.dtype() == DType::f32 && x.is_contiguous()) {
    xr = x.data_as<const float>();
  } else {
    x_copy = Tensor::copy_of(x, DType::f32);
    xr = x_copy.data_as<const float>();
  }
  const detail::PackedProjections& pk = *packed_;
  Tensor qp = Tensor::uninitialized(DType::f32, Shape{T, E});
  Tensor kp = Tensor::uninitialized(DType::f32, Shape{T, Ekv});
  Tensor vp = Tensor::uninitialized(DType::f32, Shape{T, Ekv});
  detail::project(xr, T, wq_, pk.bq, qp.data_as<float>(), E, pk.q);
  detail::project(xr, T, wk_, pk.bk, kp.data_as<float>(), Ekv, pk.k);
  detail::project(xr, T, wv_, pk.bv, vp.data_as<float>(), Ekv, pk.v);

  // Steps 3–5, one kernel call per sequence (B = 1, its rows read in place through strides,
  // heads written side by side into `heads`). Sequences run in parallel, each call on one
  // thread, when there are enough of them to share; otherwise one after another, each call
  // with all threads.
  std::vector<std::int64_t> first(lengths.size() + 1, 0);
  std::partial_sum(lengths.begin(), lengths.end(), first.begin() + 1);
  Tensor heads = Tensor::uninitialized(DType::f32, Shape{T, E});
  const float scale = static_cast<float>(1.0 / std::sqrt(static_cast<double>(hd)));
  auto attend = [&](std::size_t n) {
    const std::int64_t r0 = first[n], len = lengths[n];
    if (len == 0) return;
    detail::AttentionParams p;
    p.B = 1;
    p.Hq = H;
    p.Hkv = Hkv;
    p.Sq = len;
    p.T = len;
    p.D = hd;
    p.Dv = hd;
    p.causal = is_causal;
    p.scale = scale;
    p.q = detail::Operand{qp.data_as<float>() + r0 * E, DType::f32, {0, hd, E, 1}};
    p.k = detail::Operand{kp.data_as<float>() + r0 * Ekv, DType::f32, {0, hd, Ekv, 1}};
    p.v = detail::Operand{vp.data_as<float>() + r0 * Ekv, DType::f32, {0, hd, Ekv, 1}};
    p.y = detail::MutableOperand{heads.data_as<float>() + r0 * E, DType::f32, {0, hd, E, 1}};
    detail::run_attention(p);
  };
  const auto count = static_cast<std::int64_t>(lengths.size());
  const int threads = num_threads();
  if (threads > 1 && count >= 2 * threads) {
#pragma omp parallel for schedule(dynamic, 1) num_threads(threads)
    for (std::int64_t n = 0; n < count; ++n) {
      const detail::ThreadScope one(1);
      attend(static_cast<std::size_t>(n));
    }
  } else {
    for (std::int64_t n = 0; n < count; ++n) attend(static_cast<std::size_t>(n));
  }

  // Step 6, output projection.
  Tensor y = Tensor::uninitialized(DType::f32, Shape{T, E});
  detail::project(heads.data_as<float>(), T, wo_, pk.bo, y.data_as<float>(), E, pk.out);
  if (x.dtype() == DType::f32) return y;
  return Tensor::copy_of(y.view(), x.dtype());
}

}  // namespace mha
