// PyTorch parity: mha::MultiHeadAttention against torch.nn.MultiheadAttention and mha::attention
// against torch.nn.functional.scaled_dot_product_attention, on the golden files that
// scripts/gen_torch_golden.py wrote (tests/golden/torch). One test per configuration.
//
// Every case makes three comparisons:
//   mha   vs torch      — the parity this file exists for;
//   mha   vs reference  — mha::reference (double) on the same inputs and parameters;
//   torch vs reference  — checks the tolerance itself: torch's own rounding error must fit in
//                         the bound of one computation, or the bound is too tight (or torch
//                         and the reference disagree on semantics).
//
// Tolerances. A bound is the worst-case error of ONE computation against the exact result, to
// first order in the unit roundoff u; mha and torch are two computations, so they may differ by
// the sum of their bounds. The rules (Higham, "Accuracy and Stability of Numerical Algorithms",
// §3.1): a length-n dot product accumulated in precision u is off by at most γ_n·Σ|a_i·b_i|,
// γ_n = n·u/(1 − n·u) ≈ n·u; the errors of chained steps add.
//   Scores. Smag = max(1, max over queries i and keys j of scale·Σ_d |q_id|·|k_jd|), computed
//          from the data in f64: a score is off by at most (its reduction length)·u·Smag, and
//          the softmax turns an absolute score error δ into a relative probability error of at
//          most 2δ (the score's own and the normaliser's) plus (keys + 2)·u (exp, sum, divide).
//   sdpa, fp32: score (D products and the scale), softmax over Skv keys, weighted sum of Skv
//          values; y is a convex combination of rows of v, so everything scales with max|v|:
//                           bound = u·(2·(D + 1)·Smag + 2·Skv + 2)·max(1, max|v|)
//   sdpa, bf16 and f16 (in and out), u_low the low type's unit roundoff. mha computes in fp32
//          and rounds once, when it stores y (≤ u_low·|y_i|):
//                           bound_i = u_low·|y_i| + the fp32 bound
//          torch's CPU kernel also rounds the probabilities to the low type before multiplying
//          by V (≤ u_low·Σ_j p_j|v_j| ≤ u_low·max|v|; measured: without this term torch's error
//          at outputs near 0 exceeds u_low·|y_i| by up to 0.1·u_low·max|v|):
//                           bound_i = u_low·(|y_i| + max|v|) + the fp32 bound
//   module, fp32: q and k come from projections of length Kin = max(E, kdim, vdim) + 1 (bias),
//          and each one's error meets the other's magnitude in the score, so a score is off by
//          (hd + 1 + 2·Kin)·u·Smag. The heads add the softmax and the weighted sum over St keys
//          (appended ones included) and v's projection (Kin); the output projection adds E + 1.
//          For the terms after the softmax the output's own magnitude stands in for Σ|a_i·b_i|
//          (random O(1) data: the sums do not cancel much), giving
//                           bound = u·(2·(hd + 1 + 2·Kin)·Smag + 2·St + 2 + Kin + E + 1)
//                                   ·max(1, max|y|)
//          Weights are probabilities (≤ 1), plus H for the mean over heads:
//                           bound = u·(2·(hd + 1 + 2·Kin)·Smag + St + 2 + H)
// These are worst cases over every rounding and use the largest magnitudes: measured fp32
// errors are 0.02–2% of them (printed as "[errors]" lines on every run). In absolute terms they
// come to 1e-5 … 7e-4 against outputs of order 1 — small enough that a semantic slip (a mask, a
// scale, a head mapping: errors of 1e-2 and more) or an intermediate kept in 16 bits fails
// (checked: rounding the query, or the module's output, to f16 fails every fp32 case). In
// bf16/f16 mha's single rounding is its whole bound, so mha vs reference sits just under 1.0 of
// it there by construction.

#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <iostream>
#include <map>
#include <string>

#include "attention/error_bound.hpp"
#include "common/isa.hpp"
#include "golden/golden_data.hpp"
#include "mha/attention.hpp"
#include "mha/error.hpp"
#include "mha/module.hpp"
#include "mha/reference.hpp"

namespace mha {
namespace {

using detail::kBf16KernelProbabilityError;

using nlohmann::json;

// The torch-side polarity of a mask, as the generator wrote it in the index.
Mask make_mask(const json& entry, const TensorView& t) {
  const std::string kind = entry.at("kind").get<std::string>();
  if (kind == "drop") return Mask::drop(t);
  if (kind == "keep") return Mask::keep(t);
  if (kind == "additive") return Mask::additive(t);
  throw Error("golden index: unknown mask kind '" + kind + "'");
}

// The error bound of one computation (see the file comment).
struct Bound {
  double abs = 0.0, rel = 0.0;  // tol_i = abs + rel · |expected_i|
};

// The three comparisons; mha and torch each have their own bound, and may differ by the sum.
void check_three(const char* what, const TensorView& mha_out, const TensorView& torch_out,
                 const TensorView& ref_out, const Bound& mb, const Bound& tb) {
  const golden::Diff mt = golden::compare(mha_out, torch_out, mb.abs + tb.abs, mb.rel + tb.rel);
  const golden::Diff mr = golden::compare(mha_out, ref_out, mb.abs, mb.rel);
  const golden::Diff tr = golden::compare(torch_out, ref_out, tb.abs, tb.rel);
  EXPECT_TRUE(mt.ok()) << golden::describe(mt, (std::string(what) + " mha vs torch").c_str());
  EXPECT_TRUE(mr.ok()) << golden::describe(mr, (std::string(what) + " mha vs reference").c_str());
  EXPECT_TRUE(tr.ok()) << golden::describe(
      tr, (std::string(what) + " torch vs reference (the bound itself)").c_str());
  // One greppable line per output, for the error summary of the report.
  const ::testing::TestInfo* t = ::testing::UnitTest::GetInstance()->current_test_info();
  std::cout << "[errors] " << t->test_suite_name() << "." << t->name() << " " << what
            << "  mha-torch " << mt.max_abs << " (" << mt.worst_ratio << " of tol)  mha-ref "
            << mr.max_abs << " (" << mr.worst_ratio << ")  torch-ref " << tr.max_abs << " ("
            << tr.worst_ratio << ")\n";
}

std::string param_name(const ::testing::TestParamInfo<std::string>& info) { return info.param; }

// ---- torch.nn.MultiheadAttention ---------------------------------------------------------------

// Smag of the file comment: max(1, max_ij scale·Σ_d |q_id|·|k_jd|), q [B, Hq, Sq, D] and
// k [B, Hkv, T, D] (query head h reads key head h / (Hq / Hkv), as reference::score does).
double score_magnitude(const TensorView& q, const TensorView& k, double scale) {
  return std::max(1.0,
                  golden::max_abs(reference::score(golden::abs_f64(q), golden::abs_f64(k), scale)));
}

// A module input as [N, S, dim] (batched batch-first or sequence-first, or unbatched).
TensorView batch_first_view(const TensorView& t, bool batch_first) {
  if (t.rank() == 2) return t.reshaped(Shape{1, t.size(0), t.size(1)});
  return batch_first ? t : t.permuted({1, 0, 2});
}

struct ModuleBounds {
  double output = 0.0, weights = 0.0;  // absolute, for one computation
};

// The module bounds of the file comment; Smag from torch's parameters and the inputs through the
// reference's projection (f64), ymax = max|y| of the reference output.
ModuleBounds module_bounds(const MultiHeadAttention& m, const std::map<std::string, Tensor>& p,
                           const TensorView& query, const TensorView& key, double ymax) {
  const MultiHeadAttentionOptions& o = m.options();
  const std::int64_t E = o.embed_dim, H = o.num_heads, hd = m.head_dim();
  // Rows [r0, r0 + E) of the packed in_proj_weight [3E, E] (cols = E), or elements of
  // in_proj_bias [3E] (cols = 0); absent when torch has no such tensor.
  auto packed = [&](const char* name, std::int64_t r0, std::int64_t cols) {
    if (!p.count(name)) return TensorView();
    const float* base = p.at(name).data_as<float>() + r0 * std::max<std::int64_t>(cols, 1);
    return cols ? TensorView(base, DType::f32, Shape{E, cols})
                : TensorView(base, DType::f32, Shape{E});
  };
  const bool pk = p.count("in_proj_weight") > 0;
  const TensorView wq = pk ? packed("in_proj_weight", 0, E) : p.at("q_proj_weight").view();
  const TensorView wk = pk ? packed("in_proj_weight", E, E) : p.at("k_proj_weight").view();
  const Tensor q = reference::project(batch_first_view(query, o.batch_first), wq,
                                      packed("in_proj_bias", 0, 0), H);
  const Tensor k =
      reference::project(batch_first_view(key, o.batch_first), wk, packed("in_proj_bias", E, 0), H);
  const double scale = 1.0 / std::sqrt(static_cast<double>(hd));
  double smag = score_magnitude(q, k, scale);
  if (o.add_bias_kv) {  // one more key for every batch entry (the zero key adds nothing)
    const TensorView bk(p.at("bias_k").data(), DType::f32, Shape{q.size(0), H, 1, hd},
                        Shape{0, hd, 0, 1});
    smag = std::max(smag, score_magnitude(q, bk, scale));
  }
  const double u = unit_roundoff(DType::f32);
  const double kin = static_cast<double>(std::max({E, m.kdim(), m.vdim()}) + 1);
  const double st =
      static_cast<double>(k.size(2) + (o.add_bias_kv ? 1 : 0) + (o.add_zero_attn ? 1 : 0));
  const double score_err =
      2.0 * (static_cast<double>(hd) + 1.0 + 2.0 * kin) * smag;  // in units of u
  ModuleBounds b;
  b.output =
      u * (score_err + 2.0 * st + 2.0 + kin + static_cast<double>(E + 1)) * std::max(1.0, ymax);
  b.weights = u * (score_err + st + 2.0 + static_cast<double>(H));
  return b;
}

class TorchModule : public ::testing::TestWithParam<std::string> {};

TEST_P(TorchModule, MatchesTorch) {
  const json& c = golden::find_case("module", GetParam());
  const json& o = c.at("options");
  const json& fw = c.at("forward");
  const json& in = c.at("inputs");

  MultiHeadAttentionOptions opt;
  opt.embed_dim = o.at("embed_dim").get<std::int64_t>();
  opt.num_heads = o.at("num_heads").get<std::int64_t>();
  opt.dropout =
      o.at("dropout").get<double>();  // > 0 in some cases: eval mode must ignore it, as torch does
  opt.bias = o.at("bias").get<bool>();
  opt.add_bias_kv = o.at("add_bias_kv").get<bool>();
  opt.add_zero_attn = o.at("add_zero_attn").get<bool>();
  opt.kdim = o.at("kdim").get<std::int64_t>();
  opt.vdim = o.at("vdim").get<std::int64_t>();
  opt.batch_first = o.at("batch_first").get<bool>();
  MultiHeadAttention module(opt);
  module.eval();

  // torch's state_dict, every tensor under its torch name.
  std::map<std::string, Tensor> params;
  std::map<std::string, TensorView> views;
  for (const auto& [name, entry] : c.at("state_dict").items()) {
    params[name] = golden::load(entry);
    views[name] = params[name];
  }
  module.load_state_dict(views);

  // Self-attention passes one tensor three times, as torch's `query is key is value` does.
  const Tensor query = golden::load(in.at("query"));
  const bool self = c.at("self_attention").get<bool>();
  const Tensor key = self ? query : golden::load(in.at("key"));
  const Tensor value = self ? query : golden::load(in.at("value"));

  ForwardOptions fo;
  fo.need_weights = fw.at("need_weights").get<bool>();
  fo.average_attn_weights = fw.at("average_attn_weights").get<bool>();
  fo.is_causal =
      fw.at("is_causal").get<bool>();  // with torch's causal attn_mask, as torch requires
  Tensor kpm, attn;
  if (in.contains("key_padding_mask")) {
    kpm = golden::load(in.at("key_padding_mask"));
    fo.key_padding_mask = make_mask(in.at("key_padding_mask"), kpm);
  }
  if (in.contains("attn_mask")) {
    attn = golden::load(in.at("attn_mask"));
    fo.attn_mask = make_mask(in.at("attn_mask"), attn);
  }

  const MultiHeadAttentionOutput ref =
      reference::multi_head_attention(module, query, key, value, fo);
  mha::testing::for_each_isa([&](detail::Isa) {
  const MultiHeadAttentionOutput got = module.forward(query, key, value, fo);
  const Tensor want = golden::load(c.at("outputs").at("output"));
  ASSERT_EQ(got.output.shape(), want.shape());
  ASSERT_EQ(got.output.dtype(), DType::f32);

  const ModuleBounds b = module_bounds(module, params, query, key, golden::max_abs(ref.output));
  check_three("output", got.output, want, ref.output, {b.output, 0.0}, {b.output, 0.0});

  const json& outs = c.at("outputs");
  ASSERT_EQ(got.weights.defined(), outs.contains("weights"));
  if (outs.contains("weights")) {
    const Tensor w = golden::load(outs.at("weights"));
    ASSERT_EQ(got.weights.shape(), w.shape());
    check_three("weights", got.weights, w, ref.weights, {b.weights, 0.0}, {b.weights, 0.0});
  }
  });
}

INSTANTIATE_TEST_SUITE_P(Torch, TorchModule, ::testing::ValuesIn(golden::case_names("module")),
                         param_name);

// ---- torch.nn.functional.scaled_dot_product_attention -------------------------------------------

class TorchSdpa : public ::testing::TestWithParam<std::string> {};

TEST_P(TorchSdpa, MatchesTorch) {
  const json& c = golden::find_case("sdpa", GetParam());
  const json& in = c.at("inputs");
  const Tensor q = golden::load(in.at("query")), k = golden::load(in.at("key")),
               v = golden::load(in.at("value"));

  AttentionInputs inputs{q, k, v};
  Tensor mask;
  if (in.contains("attn_mask")) {
    mask = golden::load(in.at("attn_mask"));
    inputs.mask = make_mask(in.at("attn_mask"), mask);  // SDPA's bool True = attend: keep
  }
  AttentionOptions opt;
  opt.is_causal = c.at("is_causal").get<bool>();  // top-left without a cache, as SDPA's
  if (!c.at("scale").is_null()) opt.scale = c.at("scale").get<float>();
  // enable_gqa needs nothing: mha reads query head h from KV head h / (Hq / Hkv), which is
  // torch's repeat_interleave of the KV heads.
  ASSERT_EQ(c.at("enable_gqa").get<bool>(), q.size(1) != k.size(1));

  const AttentionResult ref = reference::attention(inputs, opt);
  mha::testing::for_each_isa([&](detail::Isa) {
  const AttentionResult got = attention(inputs, opt);
  const Tensor want = golden::load(c.at("outputs").at("y"));
  ASSERT_EQ(got.y.shape(), want.shape());
  ASSERT_EQ(got.y.dtype(), want.dtype());

  const std::int64_t D = q.size(3), Skv = k.size(2);
  const double scale = opt.scale ? *opt.scale : 1.0 / std::sqrt(static_cast<double>(D));
  const double smag = score_magnitude(q, k, scale);
  const double vmag = std::max(1.0, golden::max_abs(v));
  const double fp32 =
      unit_roundoff(DType::f32) *
      (2.0 * static_cast<double>(D + 1) * smag + 2.0 * static_cast<double>(Skv) + 2.0) * vmag;
  if (q.dtype() == DType::f32) {
    check_three("y", got.y, want, ref.y, {fp32, 0.0}, {fp32, 0.0});
  } else {
    const double ul = unit_roundoff(q.dtype());
    // mha's bf16 kernel also rounds the probabilities to bf16 (src/attention/error_bound.hpp).
    const double mha_abs = fp32 + (q.dtype() == DType::bf16 ? kBf16KernelProbabilityError * golden::max_abs(v) : 0.0);
    check_three("y", got.y, want, ref.y, {mha_abs, ul}, {ul * golden::max_abs(v) + fp32, ul});
  }
  });
}

INSTANTIATE_TEST_SUITE_P(Torch, TorchSdpa, ::testing::ValuesIn(golden::case_names("sdpa")),
                         param_name);

// ---- the data itself ----------------------------------------------------------------------------

// Fails with the reason when the index is missing or short (the suites above would then be empty).
TEST(TorchGolden, IndexIsComplete) {
  const json& idx = golden::torch_index();
  EXPECT_EQ(idx.at("format_version").get<int>(), 1);
  EXPECT_GE(idx.at("module").size(), 30u);
  EXPECT_GE(idx.at("sdpa").size(), 12u);
}

}  // namespace
}  // namespace mha
