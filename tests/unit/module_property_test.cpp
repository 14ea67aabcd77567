// Property test: MultiHeadAttention::forward against reference::multi_head_attention (torch's
// algorithm in double) over seeded random modules and calls exercising every option.
#include <gtest/gtest.h>

#include <cmath>
#include <cstdlib>
#include <random>
#include <sstream>

#include "common/isa.hpp"
#include "common/tolerance.hpp"
#include "mha/module.hpp"
#include "mha/reference.hpp"
#include "unit/random_inputs.hpp"

namespace {

using namespace mha;
namespace mt = mha::testing;

std::int64_t pick(std::mt19937_64& rng, std::int64_t lo, std::int64_t hi) {
  return std::uniform_int_distribution<std::int64_t>(lo, hi)(rng);
}

double max_rowsum_abs(const TensorView& w) {  // max_e Σ_i |w[e, i]|
  double m = 0.0;
  for (std::int64_t e = 0; e < w.size(0); ++e) {
    double s = 0.0;
    for (std::int64_t i = 0; i < w.size(1); ++i) s += std::abs(w.get({e, i}));
    m = std::max(m, s);
  }
  return m;
}

// Bound on |module − reference| for one call, derived stage by stage (see tolerance.hpp):
//   projections: |δq| <= (Ein + 2)·u·max(Σ|x||w| + |b|)   (+2: the bias add and the input's
//                rounding to fp32 when it arrives as f64)
//   scores:      |δs| <= scale·hd·(δq·|k|max + |q|max·δk + δq·δk) + (hd + 4)·u·scale·hd·|q|max·|k|max
//   heads:       |δh| <= (2·δs + (2T + 8)·u)·|v|max + δv
//   output:      |δy| <= (E + 1)·u·(|h|max·max_e Σ|Wo| + |bo|max) + δh·max_e Σ|Wo|
struct ModuleBound {
  double y, weights;
};

ModuleBound module_bound(const MultiHeadAttention& m, const TensorView& xq, const TensorView& xk, const TensorView& xv,
                         std::int64_t T) {
  const double u = unit_roundoff(DType::f32);
  auto sd = m.state_dict();
  for (auto& [name, t] : sd) t = Tensor::copy_of(t.view(), DType::f32);  // bf16 parameters: exact
  const std::int64_t E = m.options().embed_dim, Ekv = m.kv_embed_dim(), hd = m.head_dim();
  Tensor wq, wk, wv;
  if (sd.count("in_proj_weight")) {
    const Tensor& w = sd["in_proj_weight"];
    wq = Tensor::copy_of(TensorView(w.data_as<float>(), DType::f32, {E, E}));
    wk = Tensor::copy_of(TensorView(w.data_as<float>() + E * E, DType::f32, {Ekv, E}));
    wv = Tensor::copy_of(TensorView(w.data_as<float>() + (E + Ekv) * E, DType::f32, {Ekv, E}));
  } else {
    wq = sd["q_proj_weight"];
    wk = sd["k_proj_weight"];
    wv = sd["v_proj_weight"];
  }
  const double bmax = sd.count("in_proj_bias") ? mt::max_abs(sd["in_proj_bias"]) : 0.0;
  // x: [N, S, Ein] (batch first). max(Σ|x||w|) and max|projection| per stream.
  auto stream = [&](const TensorView& x, const Tensor& w, double extra_max) {
    const Tensor ax = mt::abs_of(x), aw = mt::abs_of(w);
    const double a = mt::max_abs(reference::project(ax, aw, TensorView(), 1)) + bmax;
    const double err = (static_cast<double>(x.size(2)) + 2.0) * u * a;
    return std::pair<double, double>{err, std::max(a, extra_max)};  // (δ, bound on |value|)
  };
  const double bias_kv = sd.count("bias_k") ? std::max(mt::max_abs(sd["bias_k"]), mt::max_abs(sd["bias_v"])) : 0.0;
  const auto [dq, qmax] = stream(xq, wq, 0.0);
  const auto [dk, kmax] = stream(xk, wk, bias_kv);
  const auto [dv, vmax] = stream(xv, wv, bias_kv);
  const double scale = 1.0 / std::sqrt(static_cast<double>(hd));
  const double hdd = static_cast<double>(hd);
  const double ds = scale * hdd * (dq * kmax + qmax * dk + dq * dk) + (hdd + 4.0) * u * scale * hdd * qmax * kmax;
  const double dh = (2.0 * ds + (2.0 * static_cast<double>(T) + 8.0) * u) * vmax + dv;
  const double wo_rows = max_rowsum_abs(sd["out_proj.weight"]);
  const double bo = sd.count("out_proj.bias") ? mt::max_abs(sd["out_proj.bias"]) : 0.0;
  ModuleBound b;
  b.y = (static_cast<double>(E) + 1.0) * u * (vmax * wo_rows + bo) + dh * wo_rows;
  b.weights = 2.0 * ds + (static_cast<double>(T) + 10.0) * u;
  return b;
}

struct Call {
  MultiHeadAttentionOptions opt;
  bool batched, self, training;
  std::int64_t N, L, S;
  DType dt;
  int attn_mask;  // 0 none, 2 = [L, S], 3 = [N·H, L, S]
  MaskKind attn_kind, kpm_kind;
  ForwardOptions fo;
  std::string str() const {
    std::ostringstream o;
    o << "E=" << opt.embed_dim << " H=" << opt.num_heads << " Hkv=" << opt.num_kv_heads << " kdim=" << opt.kdim
      << " vdim=" << opt.vdim << " bias=" << opt.bias << " bias_kv=" << opt.add_bias_kv << " zero_attn=" << opt.add_zero_attn
      << " batch_first=" << opt.batch_first << " dropout=" << opt.dropout << (training ? " training" : " eval")
      << (batched ? " N=" + std::to_string(N) : std::string(" unbatched")) << " L=" << L << " S=" << S
      << (self ? " self" : "") << " dtype=" << dtype_name(dt) << " attn_mask=rank" << attn_mask << "/"
      << static_cast<int>(attn_kind) << " kpm=" << static_cast<int>(kpm_kind) << " need_weights=" << fo.need_weights
      << " average=" << fo.average_attn_weights << " causal=" << fo.is_causal
      << " weights=" << dtype_name(opt.weight_dtype);
    return o.str();
  }
};

Call random_call(std::uint64_t seed) {
  std::mt19937_64 rng(seed);
  Call c{};
  c.opt.num_heads = pick(rng, 1, 8);
  c.opt.embed_dim = c.opt.num_heads * pick(rng, 1, 12);
  const std::int64_t divisors[] = {1, 2, 4, 8};
  c.opt.num_kv_heads = rng() % 3 == 0 ? divisors[rng() % 4] : 0;
  if (c.opt.num_kv_heads && c.opt.num_heads % c.opt.num_kv_heads) c.opt.num_kv_heads = 1;
  c.opt.bias = rng() % 4 != 0;
  c.opt.add_bias_kv = rng() % 4 == 0;
  c.opt.add_zero_attn = rng() % 4 == 0;
  c.opt.kdim = rng() % 4 == 0 ? pick(rng, 1, 40) : 0;
  c.opt.vdim = rng() % 4 == 0 ? pick(rng, 1, 40) : 0;
  c.opt.batch_first = rng() % 2;
  c.opt.dropout = rng() % 3 == 0 ? 0.25 : 0.0;
  c.opt.seed = seed;
  c.training = rng() % 2;
  c.batched = rng() % 5 != 0;
  c.N = c.batched ? pick(rng, 1, 3) : 1;
  c.L = pick(rng, 1, 20);
  c.self = c.opt.kdim == 0 && c.opt.vdim == 0 && rng() % 2;
  c.S = c.self ? c.L : pick(rng, 1, 24);
  c.dt = mt::random_float_dtype(rng);
  c.attn_mask = static_cast<int>(rng() % 3 == 0 ? 0 : pick(rng, 2, 3));
  const MaskKind kinds[] = {MaskKind::drop, MaskKind::keep, MaskKind::additive};
  c.attn_kind = c.attn_mask ? kinds[rng() % 3] : MaskKind::none;
  c.kpm_kind = rng() % 2 ? kinds[rng() % 3] : MaskKind::none;
  c.fo.need_weights = rng() % 4 != 0;
  c.fo.average_attn_weights = rng() % 2;
  c.fo.is_causal = rng() % 4 == 0;
  if (c.training && c.opt.dropout > 0.0) c.fo.dropout_seed = seed * 31 + 7;
  c.opt.weight_dtype = rng() % 4 == 0 ? DType::bf16 : DType::f32;  // drawn last: earlier draws as before
  return c;
}

Tensor random_mask(std::mt19937_64& rng, MaskKind kind, const Shape& shape) {
  if (kind == MaskKind::additive) {
    Tensor m = mt::random_tensor(rng, DType::f32, shape, 1.5);
    for (std::int64_t i = 0; i < m.numel(); ++i)
      if (rng() % 10 == 0) m.data_as<float>()[i] = -INFINITY;
    return m;
  }
  Tensor m(DType::boolean, shape);
  for (std::int64_t i = 0; i < m.numel(); ++i) m.data_as<std::uint8_t>()[i] = (rng() % 5 == 0) == (kind == MaskKind::drop);
  return m;
}

Mask as_mask(MaskKind kind, const Tensor& t) {
  return kind == MaskKind::keep ? Mask::keep(t) : kind == MaskKind::drop ? Mask::drop(t) : Mask::additive(t);
}

double g_worst = 0.0;

void check_call(std::uint64_t seed) {
  Call c = random_call(seed);
  SCOPED_TRACE("seed " + std::to_string(seed) + ": " + c.str());
  MultiHeadAttention m(c.opt);
  m.train(c.training);
  // Non-zero biases so that their handling is tested (torch initializes them to zero).
  std::mt19937_64 rng(seed + 1000);
  {
    auto sd = m.state_dict();
    std::map<std::string, Tensor> fresh;
    std::map<std::string, TensorView> views;
    for (auto& [name, t] : sd) {
      fresh[name] = name.find("bias") != std::string::npos ? mt::random_tensor(rng, DType::f32, t.shape(), 0.5) : t;
      views[name] = fresh[name];
    }
    m.load_state_dict(views);
  }
  const std::int64_t E = c.opt.embed_dim, H = c.opt.num_heads;
  auto shape3 = [&](std::int64_t seq, std::int64_t dim) {
    if (!c.batched) return Shape{seq, dim};
    return c.opt.batch_first ? Shape{c.N, seq, dim} : Shape{seq, c.N, dim};
  };
  Tensor q = mt::random_tensor(rng, c.dt, shape3(c.L, E));
  Tensor k = c.self ? q : mt::random_tensor(rng, c.dt, shape3(c.S, m.kdim()));
  Tensor v = c.self ? q : mt::random_tensor(rng, c.dt, shape3(c.S, m.vdim()));
  Tensor am, kpm;
  if (c.attn_mask) {
    am = random_mask(rng, c.attn_kind, c.attn_mask == 2 ? Shape{c.L, c.S} : Shape{c.N * H, c.L, c.S});
    c.fo.attn_mask = as_mask(c.attn_kind, am);
  }
  if (c.kpm_kind != MaskKind::none) {
    kpm = random_mask(rng, c.kpm_kind, c.batched ? Shape{c.N, c.S} : Shape{c.S});
    c.fo.key_padding_mask = as_mask(c.kpm_kind, kpm);
  }
  const MultiHeadAttentionOutput want = reference::multi_head_attention(m, q, k, v, c.fo);
  mt::for_each_isa([&](detail::Isa) {
  const MultiHeadAttentionOutput got = m.forward(q, k, v, c.fo);
  ASSERT_EQ(got.output.shape(), want.output.shape());
  ASSERT_EQ(got.output.dtype(), c.dt);
  ASSERT_EQ(got.weights.defined(), c.fo.need_weights);

  // Batch-first [N, S, dim] views for the bound.
  auto bf = [&](const Tensor& t) {
    if (!c.batched) return t.view().reshaped(Shape{1, t.size(0), t.size(1)});
    return c.opt.batch_first ? t.view() : t.view().permuted({1, 0, 2});
  };
  const std::int64_t T = c.S + c.opt.add_bias_kv + c.opt.add_zero_attn;
  const ModuleBound b = module_bound(m, bf(q), bf(k), bf(v), T);
  const double u_out = c.dt == DType::f64 ? 0.0 : unit_roundoff(c.dt);
  auto compare = [&](const Tensor& g, const Tensor& w, double bound, double u_round, DType dt, const char* what) {
    const Tensor gd = Tensor::copy_of(g, DType::f64);
    for (std::int64_t i = 0; i < gd.numel(); ++i) {
      const double a = gd.data_as<double>()[i], r = w.data_as<double>()[i];
      const double tol = bound + u_round * std::abs(r) + mt::rounding_floor(dt) + mt::kTiny;
      g_worst = std::max(g_worst, std::abs(a - r) / tol);
      ASSERT_LE(std::abs(a - r), tol) << what << "[" << i << "] got " << a << ", reference " << r;
    }
  };
  compare(got.output, want.output, b.y, u_out, c.dt, "output");
  if (c.fo.need_weights) {
    ASSERT_EQ(got.weights.shape(), want.weights.shape());
    const double wb = c.training && c.opt.dropout > 0.0 ? b.weights / (1.0 - c.opt.dropout) : b.weights;
    compare(got.weights, want.weights, wb, 0.0, DType::f32, "weights");
  }
  });
}

TEST(ModuleProperty, MatchesReferenceOnRandomModulesAndCalls) {
  const int n = std::getenv("MHA_PROPERTY_CASES") ? std::atoi(std::getenv("MHA_PROPERTY_CASES")) : 150;
  for (std::uint64_t seed = 1; seed <= static_cast<std::uint64_t>(n); ++seed) {
    check_call(seed);
    if (HasFatalFailure()) return;
  }
  std::printf("module property: %d calls, worst error/bound ratio %.3g\n", n, g_worst);
}

}  // namespace
