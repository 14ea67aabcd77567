// Edge cases of mha::attention that random configurations rarely hit exactly: fully masked rows,
// NaN behind masks, mask polarity, layouts, short masks, cache alignment, thread invariance.
#include <gtest/gtest.h>

#include <bit>
#include <cmath>
#include <cstring>
#include <limits>
#include <random>

#include "attention/cpu/compact_mask.hpp"
#include "common/isa.hpp"
#include "common/tolerance.hpp"
#include "mha/attention.hpp"
#include "mha/reference.hpp"
#include "mha/threads.hpp"
#include "unit/random_inputs.hpp"

namespace {

using namespace mha;
namespace mt = mha::testing;

Tensor bools(const Shape& shape, std::initializer_list<int> values) {
  Tensor t(DType::boolean, shape);
  int i = 0;
  for (int v : values) t.data_as<std::uint8_t>()[i++] = static_cast<std::uint8_t>(v);
  return t;
}

void expect_all_finite(const Tensor& t) {
  const Tensor d = Tensor::copy_of(t, DType::f64);
  for (std::int64_t i = 0; i < d.numel(); ++i) ASSERT_TRUE(std::isfinite(d.data_as<double>()[i])) << "element " << i;
}

double max_diff(const TensorView& a, const TensorView& b) {
  const Tensor x = Tensor::copy_of(a, DType::f64), y = Tensor::copy_of(b, DType::f64);
  double m = 0.0;
  for (std::int64_t i = 0; i < x.numel(); ++i) m = std::max(m, std::abs(x.data_as<double>()[i] - y.data_as<double>()[i]));
  return m;
}

TEST(AttentionEdge, FullyMaskedRowsGiveZerosNotNaN) {
  mt::for_each_isa([&](detail::Isa) {
  std::mt19937_64 rng(1);
  Tensor q = mt::random_tensor(rng, DType::f32, {1, 2, 3, 4}), k = mt::random_tensor(rng, DType::f32, {1, 2, 5, 4}),
         v = mt::random_tensor(rng, DType::f32, {1, 2, 5, 4});
  // Row 1 keeps nothing (bool), row 2 is all -inf (additive): both must give y = 0, p = 0.
  Tensor keep = bools({3, 5}, {1, 1, 0, 1, 0, 0, 0, 0, 0, 0, 1, 1, 1, 1, 1});
  Tensor add(DType::f32, {3, 5});
  for (int j = 0; j < 5; ++j) add.data_as<float>()[10 + j] = -INFINITY;
  for (const Mask& m : {Mask::keep(keep), Mask::additive(add)}) {
    AttentionOptions opt;
    opt.qk_output_mode = QkOutput::probabilities;
    auto r = attention({q, k, v, m}, opt, {.qk_output = true});
    expect_all_finite(r.y);
    expect_all_finite(r.qk_output);
    const int masked_row = m.kind() == MaskKind::keep ? 1 : 2;
    for (int h = 0; h < 2; ++h) {
      for (int d = 0; d < 4; ++d) EXPECT_EQ(r.y.view().get({0, h, masked_row, d}), 0.0);
      for (int j = 0; j < 5; ++j) EXPECT_EQ(r.qk_output.view().get({0, h, masked_row, j}), 0.0);
    }
  }
  });
}

TEST(AttentionEdge, NegativeCausalOffsetMasksLeadingRows) {
  mt::for_each_isa([&](detail::Isa) {
  // nonpad = 2 with Sq = 4: offset -2, so queries 0 and 1 see no key (ONNX: zero rows).
  std::mt19937_64 rng(2);
  Tensor q = mt::random_tensor(rng, DType::f32, {1, 1, 4, 8}), k = mt::random_tensor(rng, DType::f32, {1, 1, 4, 8}),
         v = mt::random_tensor(rng, DType::f32, {1, 1, 4, 8});
  Tensor nonpad(DType::i64, {1});
  nonpad.data_as<std::int64_t>()[0] = 2;
  AttentionInputs in{q, k, v};
  in.nonpad_kv_seqlen = nonpad;
  AttentionOptions opt;
  opt.is_causal = true;
  auto r = attention(in, opt);
  for (int d = 0; d < 8; ++d) {
    EXPECT_EQ(r.y.view().get({0, 0, 0, d}), 0.0);
    EXPECT_EQ(r.y.view().get({0, 0, 1, d}), 0.0);
  }
  // Query 3 sits at position 1: it sees keys 0 and 1.
  EXPECT_LT(max_diff(r.y, reference::attention(in, opt).y), 1e-5);
  EXPECT_NE(r.y.view().get({0, 0, 3, 0}), 0.0);
  });
}

TEST(AttentionEdge, NaNBehindEveryKindOfMaskNeverLeaks) {
  mt::for_each_isa([&](detail::Isa) {
  std::mt19937_64 rng(3);
  const std::int64_t Sq = 4, T = 10;
  Tensor q = mt::random_tensor(rng, DType::f32, {1, 1, Sq, 8});
  Tensor k = mt::random_tensor(rng, DType::f32, {1, 1, T, 8}), v = mt::random_tensor(rng, DType::f32, {1, 1, T, 8});
  Tensor k_clean = k, v_clean = v;
  // Key 9: beyond nonpad. Key 8: beyond the (short) mask. Key 0: removed by the bool mask.
  // Keys > p: causal. Keys < p - 2: window. Poison them all.
  Tensor nonpad(DType::i64, {1});
  nonpad.data_as<std::int64_t>()[0] = 9;
  Tensor keep(DType::boolean, {Sq, 8});
  for (int i = 0; i < Sq * 8; ++i) keep.data_as<std::uint8_t>()[i] = (i % 8) != 0;
  AttentionInputs in{q, k, v, Mask::keep(keep)};
  in.nonpad_kv_seqlen = nonpad;
  AttentionOptions opt;
  opt.is_causal = true;
  opt.left_window = 2;
  // Which keys does any query keep? offset = 9 - 4 = 5, positions 5..8, window [p-2, p].
  std::vector<bool> used(T, false);
  for (std::int64_t i = 0; i < Sq; ++i)
    for (std::int64_t j = std::max<std::int64_t>(0, i + 5 - 2); j <= i + 5 && j < 8; ++j) used[j] = j != 0;
  for (std::int64_t j = 0; j < T; ++j)
    if (!used[j])
      for (int d = 0; d < 8; ++d) {
        k.view().set({0, 0, j, d}, NAN);
        v.view().set({0, 0, j, d}, NAN);
      }
  auto r = attention(in, opt);
  expect_all_finite(r.y);
  AttentionInputs clean = in;
  clean.key = k_clean;
  clean.value = v_clean;
  EXPECT_LT(max_diff(r.y, reference::attention(clean, opt).y), 1e-5);
  });
}

TEST(AttentionEdge, KeepAndDropAreComplementsAndAdditiveMatches) {
  mt::for_each_isa([&](detail::Isa) {
  std::mt19937_64 rng(4);
  Tensor q = mt::random_tensor(rng, DType::f32, {2, 3, 5, 8}), k = mt::random_tensor(rng, DType::f32, {2, 3, 7, 8}),
         v = mt::random_tensor(rng, DType::f32, {2, 3, 7, 8});
  Tensor keep(DType::boolean, {2, 1, 5, 7}), drop(DType::boolean, {2, 1, 5, 7}), add(DType::f32, {2, 1, 5, 7});
  for (std::int64_t i = 0; i < keep.numel(); ++i) {
    const bool kept = (rng() % 4) != 0;
    keep.data_as<std::uint8_t>()[i] = kept;
    drop.data_as<std::uint8_t>()[i] = !kept;
    add.data_as<float>()[i] = kept ? 0.0f : -INFINITY;
  }
  const Tensor a = attention({q, k, v, Mask::keep(keep)}).y;
  const Tensor b = attention({q, k, v, Mask::drop(drop)}).y;
  const Tensor c = attention({q, k, v, Mask::additive(add)}).y;
  EXPECT_EQ(max_diff(a, b), 0.0);
  EXPECT_EQ(max_diff(a, c), 0.0);
  });
}

// No mask, a bool mask that keeps every key and an additive mask of zeros take different paths
// through the kernel (whole key blocks with the row maxima found by Q·Kᵀ; ranges only; masks
// read per key) but must give the same bits: a padded batch and its sentences alone agree.
TEST(AttentionEdge, NoMaskAndMasksThatKeepEverythingAgree) {
  mt::for_each_isa([&](detail::Isa) {
    std::mt19937_64 rng(6);
    const std::int64_t Sq = 100, T = 300;
    Tensor q = mt::random_tensor(rng, DType::f32, {1, 2, Sq, 24}, 3.0), k = mt::random_tensor(rng, DType::f32, {1, 2, T, 24}, 3.0),
           v = mt::random_tensor(rng, DType::f32, {1, 2, T, 24});
    Tensor keep(DType::boolean, {Sq, T}), zeros(DType::f32, {Sq, T});
    for (std::int64_t i = 0; i < keep.numel(); ++i) {
      keep.data_as<std::uint8_t>()[i] = 1;
      zeros.data_as<float>()[i] = 0.0f;
    }
    for (bool causal : {false, true}) {
      SCOPED_TRACE(causal ? "causal" : "full");
      AttentionOptions opt;
      opt.is_causal = causal;
      opt.qk_output_mode = QkOutput::probabilities;
      const AttentionResult a = attention({q, k, v}, opt, {.qk_output = true});
      for (const Mask& m : {Mask::keep(keep), Mask::additive(zeros)}) {
        const AttentionResult b = attention({q, k, v, m}, opt, {.qk_output = true});
        EXPECT_EQ(max_diff(a.y, b.y), 0.0);
        EXPECT_EQ(max_diff(a.qk_output, b.qk_output), 0.0);
      }
    }
  });
}

// Bit for bit: the kernels read the same numbers. With a whole key block (Skv = 300), the 3-D
// layout's value rows, Hkv·Dv apart, are packed contiguous for each group (flash.inc,
// values_apart_): a packing that loses or misplaces a row shows here.
TEST(AttentionEdge, ThreeAndFourDimensionalLayoutsAgree) {
  mt::for_each_isa([&](detail::Isa) {
  for (const auto [Sq, Skv] : {std::pair<std::int64_t, std::int64_t>{3, 6}, {70, 300}}) {
  SCOPED_TRACE("Sq=" + std::to_string(Sq) + " Skv=" + std::to_string(Skv));
  std::mt19937_64 rng(5);
  const std::int64_t B = 2, Hq = 4, Hkv = 2, D = 5, Dv = 7;
  Tensor q3 = mt::random_tensor(rng, DType::f32, {B, Sq, Hq * D}), k3 = mt::random_tensor(rng, DType::f32, {B, Skv, Hkv * D}),
         v3 = mt::random_tensor(rng, DType::f32, {B, Skv, Hkv * Dv});
  // The same numbers as [B, H, S, D]: transpose copies.
  auto to4 = [](const Tensor& t, std::int64_t H) {
    const std::int64_t d = t.size(2) / H;
    return Tensor::copy_of(t.view().reshaped({t.size(0), t.size(1), H, d}).permuted({0, 2, 1, 3}));
  };
  AttentionOptions o3;
  o3.q_num_heads = Hq;
  o3.kv_num_heads = Hkv;
  o3.is_causal = true;
  const Tensor y3 = attention({q3, k3, v3}, o3).y;  // [B, Sq, Hq·Dv]
  AttentionOptions o4;
  o4.is_causal = true;
  const Tensor y4 = attention({to4(q3, Hq), to4(k3, Hkv), to4(v3, Hkv)}, o4).y;  // [B, Hq, Sq, Dv]
  ASSERT_EQ(y3.shape(), (Shape{B, Sq, Hq * Dv}));
  EXPECT_EQ(max_diff(to4(y3, Hq), y4), 0.0);
  }
  });
}

TEST(AttentionEdge, ShortMaskIsPaddedWithMaskedOut) {
  mt::for_each_isa([&](detail::Isa) {
  std::mt19937_64 rng(6);
  Tensor q = mt::random_tensor(rng, DType::f32, {1, 2, 3, 4}), k = mt::random_tensor(rng, DType::f32, {1, 2, 6, 4}),
         v = mt::random_tensor(rng, DType::f32, {1, 2, 6, 4});
  Tensor short_mask = mt::random_tensor(rng, DType::f32, {3, 4});
  Tensor full(DType::f32, {3, 6});
  for (int i = 0; i < 3; ++i)
    for (int j = 0; j < 6; ++j) full.view().set({i, j}, j < 4 ? short_mask.view().get({i, j}) : -INFINITY);
  EXPECT_EQ(max_diff(attention({q, k, v, Mask::additive(short_mask)}).y, attention({q, k, v, Mask::additive(full)}).y), 0.0);
  });
}

TEST(AttentionEdge, PastCacheAlignsCausalBottomRightAndFillsPresent) {
  mt::for_each_isa([&](detail::Isa) {
  std::mt19937_64 rng(7);
  Tensor q = mt::random_tensor(rng, DType::f32, {1, 2, 1, 8});  // decode: one new token
  Tensor k = mt::random_tensor(rng, DType::f32, {1, 2, 1, 8}), v = mt::random_tensor(rng, DType::f32, {1, 2, 1, 8});
  Tensor pk = mt::random_tensor(rng, DType::f32, {1, 2, 5, 8}), pv = mt::random_tensor(rng, DType::f32, {1, 2, 5, 8});
  AttentionInputs in{q, k, v};
  in.past_key = pk;
  in.past_value = pv;
  AttentionOptions causal;
  causal.is_causal = true;
  auto r = attention(in, causal, {.present = true});
  // Bottom-right: the single query sits at position 5 and sees all 6 keys, so causal changes nothing.
  EXPECT_EQ(max_diff(r.y, attention(in, {}).y), 0.0);
  ASSERT_EQ(r.present_key.shape(), (Shape{1, 2, 6, 8}));
  for (int h = 0; h < 2; ++h)
    for (int d = 0; d < 8; ++d) {
      EXPECT_EQ(r.present_key.view().get({0, h, 2, d}), pk.view().get({0, h, 2, d}));
      EXPECT_EQ(r.present_key.view().get({0, h, 5, d}), k.view().get({0, h, 0, d}));
      EXPECT_EQ(r.present_value.view().get({0, h, 5, d}), v.view().get({0, h, 0, d}));
    }
  });
}

TEST(AttentionEdge, ResultsDoNotDependOnThreadCount) {
  mt::for_each_isa([&](detail::Isa) {
  std::mt19937_64 rng(8);
  Tensor q = mt::random_tensor(rng, DType::f32, {2, 4, 33, 16}), k = mt::random_tensor(rng, DType::f32, {2, 4, 40, 16}),
         v = mt::random_tensor(rng, DType::f32, {2, 4, 40, 16});
  const int saved = num_threads();
  set_num_threads(1);
  const Tensor one = attention({q, k, v}).y;
  set_num_threads(2);
  const Tensor two = attention({q, k, v}).y;
  set_num_threads(saved);
  EXPECT_EQ(max_diff(one, two), 0.0);
  });
}

// Few rows and long key sets: the threads split the keys and merge their partial results by
// log-sum-exp (driver.inc), in base 2 like the softmax. Prefill with one row block, decode, and
// an additive mask; 2 threads against the reference (with e^ for 2^, errors of 0.8–1.3), y and
// the probabilities of the second pass.
TEST(AttentionEdge, KeysSplitAmongThreadsMergeInBase2) {
  struct Split {
    std::int64_t Sq, T, D;
    bool mask;
  };
  for (const Split c : {Split{40, 2048, 32, false}, Split{1, 4096, 64, false}, Split{40, 1500, 16, true}}) {
    SCOPED_TRACE("Sq=" + std::to_string(c.Sq) + " T=" + std::to_string(c.T) + " D=" + std::to_string(c.D) +
                 (c.mask ? " additive mask" : ""));
    std::mt19937_64 rng(static_cast<std::uint64_t>(c.T));
    const Tensor q = mt::random_tensor(rng, DType::f32, {1, 1, c.Sq, c.D}, 2.0),
                 k = mt::random_tensor(rng, DType::f32, {1, 1, c.T, c.D}, 2.0),
                 v = mt::random_tensor(rng, DType::f32, {1, 1, c.T, c.D});
    Tensor m(DType::f32, {c.Sq, c.T});
    std::uniform_real_distribution<float> bias(-2.0f, 2.0f);
    for (std::int64_t i = 0; i < m.numel(); ++i) m.data_as<float>()[i] = rng() % 8 ? bias(rng) : -INFINITY;
    AttentionInputs in{q, k, v};
    if (c.mask) in.mask = Mask::additive(m);
    AttentionOptions opt;  // the probabilities too: the second pass reads the merged log-sum-exp
    opt.qk_output_mode = QkOutput::probabilities;
    const AttentionResult ref = reference::attention(in, opt);
    // |scores| <= scale·D·max|q|·max|k|; biases <= 2.
    const double s_abs = static_cast<double>(c.D) / std::sqrt(static_cast<double>(c.D)) * mt::max_abs(q) * mt::max_abs(k);
    const auto bound = mt::attention_bound(std::ldexp(1.0, -24), c.D, c.T, s_abs, 2.0, mt::max_abs(v));
    mt::for_each_isa([&](detail::Isa) {
      const int saved = num_threads();
      set_num_threads(2);
      const AttentionResult got = attention(in, opt, {.qk_output = true});
      set_num_threads(saved);
      for (std::int64_t i = 0; i < got.y.numel(); ++i)
        ASSERT_LE(std::abs(got.y.data_as<float>()[i] - ref.y.data_as<double>()[i]), bound.y + mt::kTiny) << "y[" << i << "]";
      for (std::int64_t i = 0; i < got.qk_output.numel(); ++i)
        ASSERT_LE(std::abs(got.qk_output.data_as<float>()[i] - ref.qk_output.data_as<double>()[i]), bound.prob + mt::kTiny)
            << "probability [" << i << "]";
    });
  }
}

// Scores hundreds of powers of 2 apart, where subtracting a wrong row maximum overflows or
// underflows every exponential. The fast paths take the maximum of the raw scores and scale it:
// a negative scale turns it into the minimum (it must not be used then), and a small one shows
// a maximum left unscaled. Full blocks of keys without masks (the fused path), and causal (the
// range-only path).
TEST(AttentionEdge, WideScoresWithSmallAndNegativeScales) {
  mt::for_each_isa([&](detail::Isa) {
    std::mt19937_64 rng(31);
    const std::int64_t S = 300, D = 16;
    Tensor q = mt::random_tensor(rng, DType::f32, {1, 2, S, D}), k = mt::random_tensor(rng, DType::f32, {1, 2, S, D}),
           v = mt::random_tensor(rng, DType::f32, {1, 2, S, D});
    for (Tensor* t : {&q, &k})
      for (std::int64_t i = 0; i < t->numel(); ++i) t->data_as<float>()[i] *= 8.0f;
    for (const float scale : {-1.0f, 0.1f})
    for (bool causal : {false, true}) {
      SCOPED_TRACE(std::string(causal ? "causal" : "full") + " scale " + std::to_string(scale));
      AttentionOptions opt;
      opt.scale = scale;
      opt.is_causal = causal;
      const Tensor y = attention({q, k, v}, opt).y;
      expect_all_finite(y);
      // Bound: the reference on |q|, |k| gives S_abs = |scale|·max Σ|q k| (error_bound.hpp).
      AttentionOptions ab;
      ab.scale = std::abs(scale);
      ab.qk_output_mode = QkOutput::raw;
      const Tensor aq = mt::abs_of(q), ak = mt::abs_of(k);
      const double s_abs = mt::max_abs(reference::attention({aq, ak, v}, ab).qk_output);
      const auto bound = mt::attention_bound(unit_roundoff(DType::f32), D, S, s_abs, 0.0, mt::max_abs(v));
      EXPECT_LE(max_diff(y, reference::attention({q, k, v}, opt).y), bound.y);
    }
  });
}

// Bool masks take their exponentials against the maximum of all of a block's raw scores, kept
// or removed (one softmax pass). Removed keys that score far above the kept ones — here 20 and
// about 1,000 (base 2) above them, below and above kMaskedMaxSlack — must still give the softmax
// of the kept keys: the far case redoes the row's scores on the exact two-pass path (with the
// one-pass result, every kept probability would underflow to 0). Every row sees every block
// whole (no causal cut), on every target, with 1 and 2 query heads per key head; as a bool mask
// and as a float mask (−inf removes; kept keys get biases in [−2, 0], [−2, 1] or [0, 100]: a
// positive bias puts kept scores above the reference, which the one pass allows up to
// kMaskedMaxRaise — 100 would overflow its exponentials, and those rows take the two-pass path).
TEST(AttentionEdge, RemovedKeysScoringFarAboveKeptOnes) {
  mt::for_each_isa([&](detail::Isa) {
    std::mt19937_64 rng(41);
    const std::int64_t Sq = 70, T = 300, D = 16;
    for (const float boost : {2.0f, 60.0f})
      for (std::int64_t Hq : {2, 4}) {
        SCOPED_TRACE("boost " + std::to_string(boost) + ", Hq " + std::to_string(Hq));
        Tensor q = mt::random_tensor(rng, DType::f32, {1, Hq, Sq, D}), k = mt::random_tensor(rng, DType::f32, {1, 2, T, D}),
               v = mt::random_tensor(rng, DType::f32, {1, 2, T, D});
        // A direction u shared by every query; removed keys (every 5th) point along it, boosted.
        std::vector<float> u(static_cast<std::size_t>(D));
        for (auto& x : u) x = static_cast<float>(std::normal_distribution<double>(0.0, 1.0)(rng));
        for (std::int64_t i = 0; i < Hq * Sq; ++i)
          for (std::int64_t d = 0; d < D; ++d) q.data_as<float>()[i * D + d] += u[static_cast<std::size_t>(d)];
        Tensor keep(DType::boolean, {1, 1, Sq, T});
        for (std::int64_t i = 0; i < Sq; ++i)
          for (std::int64_t j = 0; j < T; ++j) keep.data_as<std::uint8_t>()[i * T + j] = j % 5 != 0;
        for (std::int64_t h = 0; h < 2; ++h)
          for (std::int64_t j = 0; j < T; j += 5)
            for (std::int64_t d = 0; d < D; ++d)
              k.data_as<float>()[(h * T + j) * D + d] = boost * u[static_cast<std::size_t>(d)];
        for (int kind = 0; kind < 4; ++kind) {  // bool; float with biases in [-2, 0], [-2, 1], [0, 100]
          SCOPED_TRACE("mask kind " + std::to_string(kind));
          Tensor bias(DType::f32, {1, 1, Sq, T});
          std::uniform_real_distribution<float> ub(kind == 3 ? 0.0f : -2.0f, kind == 3 ? 100.0f : kind == 2 ? 1.0f : 0.0f);
          for (std::int64_t i = 0; i < bias.numel(); ++i)
            bias.data_as<float>()[i] =
                keep.data_as<std::uint8_t>()[i] ? ub(rng) : -std::numeric_limits<float>::infinity();
          const Mask mask = kind == 0 ? Mask::keep(keep) : Mask::additive(bias);
          const AttentionInputs in{q, k, v, mask};
          const Tensor y = attention(in).y;
          expect_all_finite(y);
          AttentionOptions ab;
          ab.qk_output_mode = QkOutput::raw;
          const double s_abs =
              mt::max_abs(reference::attention({mt::abs_of(q), mt::abs_of(k), v, Mask::keep(keep)}, ab).qk_output);
          const double b_abs = kind == 0 ? 0.0 : kind == 3 ? 100.0 : 2.0;
          const auto bound = mt::attention_bound(unit_roundoff(DType::f32), D, T, s_abs, b_abs, mt::max_abs(v));
          EXPECT_LE(max_diff(y, reference::attention(in).y), bound.y);
        }
      }
  });
}

// NaN value rows behind every kind of mask, in whole key blocks: the one-pass softmax of masked
// blocks (masked_row, a loop per mask kind) records the removed keys for P·V, which then never
// multiplies their values (0·NaN would be NaN). Bool keep and drop masks, an fp32 additive mask
// and a bf16 one (read through the general path); 1 and 2 query heads per key head; every row
// sees every block whole.
TEST(AttentionEdge, NaNValuesBehindMasksInWholeBlocksNeverLeak) {
  std::mt19937_64 rng(43);
  const std::int64_t Sq = 70, T = 300, D = 16;
  for (std::int64_t Hq : {2, 4}) {
    Tensor q = mt::random_tensor(rng, DType::f32, {1, Hq, Sq, D}), k = mt::random_tensor(rng, DType::f32, {1, 2, T, D}),
           v = mt::random_tensor(rng, DType::f32, {1, 2, T, D});
    Tensor poisoned = Tensor::copy_of(v, DType::f32);
    Tensor keep(DType::boolean, {1, 1, Sq, T}), drop(DType::boolean, {1, 1, Sq, T});
    Tensor bias(DType::f32, {1, 1, Sq, T}), bias16(DType::bf16, {1, 1, Sq, T});
    std::uniform_real_distribution<float> ub(-2.0f, 0.0f);
    for (std::int64_t i = 0; i < Sq; ++i)
      for (std::int64_t j = 0; j < T; ++j) {
        const bool kept = j % 5 != 0 && rng() % 4 != 0;  // every 5th key removed for every row
        const std::int64_t at = i * T + j;
        keep.data_as<std::uint8_t>()[at] = kept;
        drop.data_as<std::uint8_t>()[at] = !kept;
        const float b = kept ? bf16_to_f32(f32_to_bf16(ub(rng))) : -INFINITY;
        bias.data_as<float>()[at] = b;
        bias16.data_as<std::uint16_t>()[at] = f32_to_bf16(b);
      }
    for (std::int64_t h = 0; h < 2; ++h)
      for (std::int64_t j = 0; j < T; j += 5)
        for (std::int64_t d = 0; d < D; ++d) poisoned.data_as<float>()[(h * T + j) * D + d] = NAN;
    AttentionOptions ab;
    ab.qk_output_mode = QkOutput::raw;
    const double s_abs = mt::max_abs(reference::attention({mt::abs_of(q), mt::abs_of(k), v, Mask::keep(keep)}, ab).qk_output);
    const auto bound = mt::attention_bound(unit_roundoff(DType::f32), D, T, s_abs, 2.0, mt::max_abs(v));
    const std::pair<const char*, Mask> masks[] = {{"keep", Mask::keep(keep)},
                                                  {"drop", Mask::drop(drop)},
                                                  {"fp32 additive", Mask::additive(bias)},
                                                  {"bf16 additive", Mask::additive(bias16)}};
    for (const auto& named : masks) {
      const Mask& mask = named.second;  // not a structured binding: clang before 16 cannot capture one
      SCOPED_TRACE(std::string(named.first) + ", Hq " + std::to_string(Hq));
      const Tensor want = reference::attention({q, k, v, mask}).y;  // clean values
      mt::for_each_isa([&](detail::Isa) {
        const Tensor y = attention({q, k, poisoned, mask}).y;
        expect_all_finite(y);
        EXPECT_LE(max_diff(y, want), bound.y);
      });
    }
  }
}

// NaN value rows behind key ranges (causal, a window, lengths) in blocks that other rows see:
// P·V never multiplies a value row that a query row does not keep (0·NaN would be NaN), so every
// row that keeps no poisoned key matches the reference on clean values. GQA, 300 keys (three key
// blocks), enough rows for the rows-in-lanes path as well as the row blocks.
TEST(AttentionEdge, NaNValuesBehindKeyRangesNeverLeak) {
  std::mt19937_64 rng(44);
  const std::int64_t Hq = 4, S = 300, D = 16;
  Tensor q = mt::random_tensor(rng, DType::f32, {1, Hq, S, D}), k = mt::random_tensor(rng, DType::f32, {1, 2, S, D}),
         v = mt::random_tensor(rng, DType::f32, {1, 2, S, D});
  Tensor nonpad(DType::i64, {1});
  nonpad.data_as<std::int64_t>()[0] = 250;
  struct Variant {
    const char* name;
    bool causal, lengths;
    std::int64_t left, right, poison_from, poison_to;  // keys [from, to) poisoned
  };
  const Variant variants[] = {{"causal", true, false, -1, -1, 150, 151},
                              {"window", false, false, 30, 0, 20, 21},
                              {"lengths", false, true, -1, -1, 250, 300},
                              {"causal, lengths", true, true, -1, -1, 250, 300}};
  // The error bound of a row against the reference (tolerance.hpp): fp32 roundoff over D and T
  // with the largest |score| any row could have.
  AttentionOptions raw;
  raw.qk_output_mode = QkOutput::raw;
  const double s_abs = mt::max_abs(reference::attention({mt::abs_of(q), mt::abs_of(k), v}, raw).qk_output);
  const double bound = mt::attention_bound(unit_roundoff(DType::f32), D, S, s_abs, 2.0, mt::max_abs(v)).y;
  for (const Variant& w : variants) {
    SCOPED_TRACE(w.name);
    AttentionInputs in{q, k, v};
    if (w.lengths) in.nonpad_kv_seqlen = nonpad;
    AttentionOptions opt;
    opt.is_causal = w.causal;
    opt.left_window = w.left;
    opt.right_window = w.right;
    const Tensor want = reference::attention(in, opt).y;
    Tensor poisoned = Tensor::copy_of(v, DType::f32);
    for (std::int64_t h = 0; h < 2; ++h)
      for (std::int64_t j = w.poison_from; j < w.poison_to; ++j)
        for (std::int64_t d = 0; d < D; ++d) poisoned.data_as<float>()[(h * S + j) * D + d] = NAN;
    // Row i keeps key j: the rules of include/mha/attention.hpp (offset nonpad − Sq or 0).
    const std::int64_t offset = w.lengths ? 250 - S : 0;
    const auto keeps = [&](std::int64_t i, std::int64_t j) {
      const std::int64_t pos = i + offset;
      return !(w.lengths && j >= 250) && !(w.causal && j > pos) && !(w.right >= 0 && j > pos + w.right) &&
             !(w.left >= 0 && j < pos - w.left);
    };
    mt::for_each_isa([&](detail::Isa) {
      AttentionInputs bad = in;
      bad.value = poisoned;
      const Tensor y = attention(bad, opt).y;
      for (std::int64_t h = 0; h < Hq; ++h)
        for (std::int64_t i = 0; i < S; ++i) {
          bool sees = false;
          for (std::int64_t j = w.poison_from; j < w.poison_to; ++j) sees = sees || keeps(i, j);
          if (sees) continue;
          for (std::int64_t d = 0; d < D; ++d) {
            const double got = y.view().get({0, h, i, d}), ref = want.view().get({0, h, i, d});
            ASSERT_TRUE(std::abs(got - ref) <= bound) << "head " << h << " row " << i << " column " << d << ": " << got
                                                     << " against " << ref;
          }
        }
    });
  }
}

TEST(AttentionEdge, EmptyKeysGiveZeroOutput) {
  mt::for_each_isa([&](detail::Isa) {
  Tensor q(DType::f32, {1, 1, 2, 4}), k(DType::f32, {1, 1, 0, 4}), v(DType::f32, {1, 1, 0, 3});
  q.data_as<float>()[0] = 1.0f;
  auto r = attention({q, k, v});
  ASSERT_EQ(r.y.shape(), (Shape{1, 1, 2, 3}));
  for (int i = 0; i < 6; ++i) EXPECT_EQ(r.y.data_as<float>()[i], 0.0f);
  });
}

// Decode (few rows per group) with bf16/f16 values: rows of whole vectors are read in place and
// converted in registers, others (and blocks with removed keys) go through fp32 scratch. Either
// way the arithmetic is the one of fp32 values holding the same numbers: results must be equal
// to the last bit.
TEST(AttentionEdge, DecodeWith16BitValuesEqualsTheirFp32Copy) {
  mt::for_each_isa([&](detail::Isa) {
    std::mt19937_64 rng(21);
    for (DType dt : {DType::bf16, DType::f16})
      for (std::int64_t Dv : {32, 48, 20})
        for (int variant = 0; variant < 3; ++variant) {  // plain, a bool mask, causal (top-left: key 0 only)
          SCOPED_TRACE(std::string(dtype_name(dt)) + " Dv=" + std::to_string(Dv) + " variant " + std::to_string(variant));
          Tensor q = mt::random_tensor(rng, dt, {2, 8, 1, 24}), k = mt::random_tensor(rng, dt, {2, 2, 300, 24});
          Tensor v = mt::random_tensor(rng, dt, {2, 2, 300, Dv});
          const Tensor v32 = Tensor::copy_of(v, DType::f32);
          Tensor keep(DType::boolean, Shape{2, 1, 1, 300});
          for (std::int64_t i = 0; i < keep.numel(); ++i) keep.data_as<std::uint8_t>()[i] = rng() % 5 != 0;
          AttentionInputs a{q, k, v}, b{q, k, v32};
          AttentionOptions opt;
          if (variant == 1) a.mask = b.mask = Mask::keep(keep);
          if (variant == 2) opt.is_causal = true;
          const Tensor ya = attention(a, opt).y, yb = attention(b, opt).y;
          EXPECT_EQ(max_diff(Tensor::copy_of(ya, DType::f32), Tensor::copy_of(yb, DType::f32)), 0.0);
        }
  });
}

}  // namespace

// f16, bf16 and float64 inputs run the fp32 kernel on the same numbers (converted exactly, or
// float64 rounded once), and the outputs are converted N at a time: each must be f32_to_f16,
// f32_to_bf16 or the exact double of the fp32 call's result, to the bit — the output and the
// probabilities, head sizes with and without a partial vector, values small enough to give f16
// subnormals, ties, and a NaN with a payload (f16: sign | 0x7e00; bf16: upper half | 0x40). (bf16 on
// the avx512_bf16 target runs the vdpbf16ps kernel: other arithmetic, tested elsewhere.)
std::uint64_t bits_of(const Tensor& t, std::int64_t i) {
  if (t.dtype() == DType::f64) return std::bit_cast<std::uint64_t>(t.data_as<double>()[i]);
  return t.data_as<std::uint16_t>()[i];
}

std::uint64_t rounded_bits(float x, DType dt) {
  if (dt == DType::f64) return std::bit_cast<std::uint64_t>(static_cast<double>(x));
  return dt == DType::f16 ? f32_to_f16(x) : f32_to_bf16(x);
}

TEST(AttentionEdge, OtherDtypesOutputTheFp32ResultsRounded) {
  mt::for_each_isa([&](detail::Isa isa) {
    std::mt19937_64 rng(22);
    for (DType dt : {DType::f16, DType::bf16, DType::f64})
      for (std::int64_t D : {32, 40, 7}) {
        if (dt == DType::bf16 && isa == detail::Isa::avx512_bf16) continue;
        SCOPED_TRACE(std::string(dtype_name(dt)) + " D=" + std::to_string(D));
        Tensor q = mt::random_tensor(rng, dt, {1, 2, 70, D}), k = mt::random_tensor(rng, dt, {1, 2, 150, D});
        Tensor v = mt::random_tensor(rng, dt, {1, 2, 150, D});
        for (std::int64_t j = 0; j < 150; j += 3)  // every third value row tiny: f16 outputs near its subnormals
          for (std::int64_t d = 0; d < D; ++d) store_from_double(v.data(), dt, j * D + d, load_as_double(v.data(), dt, j * D + d) * 0x1p-20);
        // Head 0, row 1 (causal: keys 0 and 1) with equal scores: y = (v0 + v1) / 2 exactly, the
        // midpoint of two neighbours of dt — ties, which round to the even one: in column 0
        // between 1 and 1 + ulp (down), in column 1 between 1 + ulp and 1 + 2 ulp (up).
        const double ulp = dt == DType::f16 ? 0x1p-10 : 0x1p-7;
        for (std::int64_t d = 0; d < D; ++d) store_from_double(q.data(), dt, D + d, 0.0);
        for (std::int64_t c = 0; c < 2; ++c) {
          store_from_double(v.data(), dt, c, 1.0 + c * ulp);
          store_from_double(v.data(), dt, D + c, 1.0 + (c + 1) * ulp);
        }
        const std::int64_t nan_at = (150 + 60) * D + 1;  // head 1, key 60: a NaN for the causal rows 60 and on
        if (dt == DType::f64) v.data_as<double>()[nan_at] = std::bit_cast<double>(std::uint64_t{0x7ffaa00000000000});
        else v.data_as<std::uint16_t>()[nan_at] = dt == DType::f16 ? 0x7e55 : 0x7fd5;
        AttentionOptions opt;
        opt.is_causal = true;
        opt.qk_output_mode = QkOutput::probabilities;
        const Tensor q32 = Tensor::copy_of(q, DType::f32), k32 = Tensor::copy_of(k, DType::f32), v32 = Tensor::copy_of(v, DType::f32);
        const AttentionResult ra = attention(AttentionInputs{q, k, v}, opt, {.qk_output = true});
        const AttentionResult rb = attention(AttentionInputs{q32, k32, v32}, opt, {.qk_output = true});
        for (const auto& [out, full] : {std::pair{&ra.y, &rb.y}, std::pair{&ra.qk_output, &rb.qk_output}}) {
          ASSERT_EQ(out->dtype(), dt);
          std::int64_t differ = 0, nan = 0;
          for (std::int64_t i = 0; i < out->numel(); ++i) {
            const float x = full->data_as<float>()[i];
            nan += std::isnan(x);
            differ += bits_of(*out, i) != rounded_bits(x, dt);
          }
          EXPECT_EQ(differ, 0);
          if (out == &ra.y) EXPECT_GT(nan, 0);  // the NaN row was reached
        }
      }
  });
}

// An additive mask (fp32, bf16 or f16) of only 0 and −∞, shared by 4 or more heads and 1 MiB or
// larger, is read as bytes (attention/cpu/compact_mask.hpp); one with any other value is left as
// it is. Either way the results must be the bits of the same mask read as it is — here the same
// values through a strided view, which is never converted.
TEST(AttentionEdge, RemovalOnlyFloatMasksReadAsBytesGiveTheSameBits) {
  std::mt19937_64 rng(11);
  const std::int64_t H = 4, S = 768, D = 16;  // a 16-bit [S, S] mask of 1.1 MiB
  Tensor q = mt::random_tensor(rng, DType::f32, {1, H, S, D}, 2.0), k = mt::random_tensor(rng, DType::f32, {1, H, S, D}, 2.0),
         v = mt::random_tensor(rng, DType::f32, {1, H, S, D});
  for (DType dt : {DType::f32, DType::bf16, DType::f16}) {
    Tensor dense(dt, {1, 1, S, S}), wide(dt, {1, 1, S, 2 * S});
    for (bool other_value : {false, true}) {
      SCOPED_TRACE(std::string(dtype_name(dt)) +
                   (other_value ? ", one bias of 0.5 (left as it is)" : ", 0, -0 and -inf only (read as bytes)"));
      for (std::int64_t i = 0; i < S * S; ++i) {
        const std::uint64_t u = rng() % 8;
        const double x = u < 2 ? -INFINITY : u == 2 ? -0.0 : 0.0;
        store_from_double(dense.data(), dt, i, x);
        store_from_double(wide.data(), dt, (i / S) * 2 * S + 2 * (i % S), x);
      }
      if (other_value) {
        store_from_double(dense.data(), dt, S * S - 1, 0.5);
        store_from_double(wide.data(), dt, (S - 1) * 2 * S + 2 * (S - 1), 0.5);
      }
      const TensorView strided(wide.data(), dt, Shape{1, 1, S, S}, Shape{2 * S * S, 2 * S * S, 2 * S, 2});

      // Whether the mask is converted: the plan's view of it, as run_attention sees it.
      detail::AttentionParams p;
      p.B = 1, p.Hq = H, p.Sq = S, p.T = S;
      detail::MaskOperand mo;
      mo.kind = MaskKind::additive;
      mo.op = {dense.data(), dt, {0, 0, S, 1}};
      mo.len = S;
      Tensor bytes;
      EXPECT_EQ(detail::compact_removal_mask(p, mo, bytes), !other_value);

      mt::for_each_isa([&](detail::Isa) {
        AttentionOptions opt;
        opt.qk_output_mode = QkOutput::biased;
        const AttentionResult a = attention({q, k, v, Mask::additive(dense)}, opt, {.qk_output = true});
        const AttentionResult b = attention({q, k, v, Mask::additive(strided)}, opt, {.qk_output = true});
        EXPECT_EQ(std::memcmp(a.y.data(), b.y.data(), a.y.nbytes()), 0) << "y";
        EXPECT_EQ(std::memcmp(a.qk_output.data(), b.qk_output.data(), a.qk_output.nbytes()), 0) << "qk_output";
      });
    }
  }
}
