// The AVX-512 kernel's rows-in-lanes path (src/attention/cpu/flash_lanes.inc) gives the bits of
// the row-block path on the problems it takes: row counts and key counts around its vector and
// tile edges, several key blocks taken whole or in chunks, GQA and MQA, [B, S, H, D] views, 16-bit
// outputs, both thread splits and the next-group fetch. The row-block path is tested against the
// reference everywhere; the lanes path is on by default, so the other tests run through it too
// where it applies.
#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <cstring>
#include <random>
#include <string>
#include <vector>

#include "attention/cpu/isa.hpp"
#include "common/isa.hpp"
#include "common/tolerance.hpp"
#include "mha/attention.hpp"
#include "mha/reference.hpp"
#include "mha/threads.hpp"
#include "unit/random_inputs.hpp"

namespace {

using namespace mha;
namespace mt = mha::testing;

struct LanesCase {
  std::int64_t B, Hq, Hkv, Sq, T, D, Dv;
};

// q, k, v as [B, H, S, D] tensors, or as [B, S, H, D] storage seen through permuted views.
struct Operands {
  Tensor q, k, v;
  TensorView qv, kv, vv;
};

Operands make(const LanesCase& c, bool bshd, std::uint64_t seed) {
  std::mt19937_64 rng(seed);
  Operands o;
  const auto one = [&](std::int64_t H, std::int64_t S, std::int64_t D, double sigma, Tensor& t,
                       TensorView& view) {
    if (bshd) {
      t = mt::random_tensor(rng, DType::f32, {c.B, S, H, D}, sigma);
      view = t.view().permuted({0, 2, 1, 3});
    } else {
      t = mt::random_tensor(rng, DType::f32, {c.B, H, S, D}, sigma);
      view = t.view();
    }
  };
  // Queries and keys of spread 2: peaked rows, where a wrong maximum or sum order shows.
  one(c.Hq, c.Sq, c.D, 2.0, o.q, o.qv);
  one(c.Hkv, c.T, c.D, 2.0, o.k, o.kv);
  one(c.Hkv, c.T, c.Dv, 1.0, o.v, o.vv);
  return o;
}

// The lanes path's y (into y) against the row-block path's, bit for bit; with more than one key
// block also in key chunks of one block, each row block a span of its own or all in one span.
void expect_rows_bits(const AttentionInputs& in, const AttentionOptions& opt, const Tensor& y,
                      std::int64_t T) {
  // The path's only target (avx512_bf16 runs the same fp32 kernel).
  detail::force_isa(detail::Isa::avx512);
  const auto run = [&](bool lanes) {
    detail::set_rows_in_lanes(lanes);
    attention(in, opt, AttentionOutputs{y});
    detail::set_rows_in_lanes(true);
    return Tensor::copy_of(y);
  };
  const Tensor rows = run(false);
  for (const detail::ChunkBytes budget :
       {detail::ChunkBytes{}, detail::ChunkBytes{1, 1}, detail::ChunkBytes{1, 1 << 30}}) {
    if (budget.keys > 0 && T <= 128) continue;  // one key block: nothing to chunk
    SCOPED_TRACE("chunk budget " + std::to_string(budget.keys) + ", state budget " +
                 std::to_string(budget.state));
    detail::set_chunk_bytes(budget);
    const Tensor lanes = run(true);
    detail::set_chunk_bytes({});
    EXPECT_EQ(std::memcmp(lanes.data(), rows.data(), lanes.nbytes()), 0);
  }
  detail::reset_isa();
}

// Skips a test where the tests may not use the avx512 target (the CPU lacks it, or MHA_ISA).
#define SKIP_WITHOUT_AVX512()                                                   \
  do {                                                                          \
    const std::vector<detail::Isa> isas = mt::test_isas();                      \
    if (std::find(isas.begin(), isas.end(), detail::Isa::avx512) == isas.end()) \
      GTEST_SKIP() << "the rows-in-lanes path runs on the avx512 target only";  \
  } while (false)

TEST(AttentionLanes, GiveTheBitsOfTheRowBlockPath) {
  SKIP_WITHOUT_AVX512();
  const LanesCase cases[] = {
      {1, 12, 12, 128, 128, 32, 32},  // MiniLM's shape
      {4, 12, 12, 128, 128, 32, 32},  // 2.3 MiB of inputs: the next group fetched ahead
      {2, 4, 2, 17, 9, 16, 32},       // GQA; one partial row vector, a tail tile of 1 key
      {1, 3, 1, 48, 128, 64, 64},     // MQA: 144 rows per group, three whole blocks
      {3, 2, 2, 100, 100, 128, 128},  // partial blocks of rows and keys
      {1, 2, 2, 49, 1, 16, 16},       // one key
      {1, 1, 1, 16, 127, 32, 16},     // Dv < D, a tail tile of 7 keys
      {2, 2, 2, 33, 64, 48, 48},      // D = 48
      {1, 2, 2, 64, 129, 64, 64},     // two key blocks, the second of one key
      {2, 4, 2, 40, 300, 32, 48},     // GQA, three key blocks, the last a partial tile
      {2, 4, 4, 64, 1024, 64, 64},    // eight key blocks
      {0, 2, 2, 32, 32, 32, 32},      // an empty batch: nothing to write, no team of 0 threads
  };
  const int saved = num_threads();
  for (const LanesCase& c : cases)
    for (const bool bshd : {false, true})
      for (const DType yt : {DType::f32, DType::bf16})
        for (const int threads : {1, 2}) {
          SCOPED_TRACE("B=" + std::to_string(c.B) + " Hq=" + std::to_string(c.Hq) +
                       " Hkv=" + std::to_string(c.Hkv) + " Sq=" + std::to_string(c.Sq) +
                       " T=" + std::to_string(c.T) + " D=" + std::to_string(c.D) +
                       " Dv=" + std::to_string(c.Dv) + (bshd ? " [B,S,H,D]" : " [B,H,S,D]") +
                       " y " + std::string(dtype_name(yt)) + " threads " + std::to_string(threads));
          const Operands o = make(c, bshd, static_cast<std::uint64_t>(c.Sq * 1000 + c.T));
          AttentionOptions opt;
          if (c.D == 48) opt.scale = 0.3f;  // a given scale as well as the default
          set_num_threads(threads);
          expect_rows_bits({o.qv, o.kv, o.vv}, opt, Tensor(yt, {c.B, c.Hq, c.Sq, c.Dv}), c.T);
          set_num_threads(saved);
          if (HasFailure()) return;
        }
}

// bf16 and f16 inputs: keys and values converted into a copy per whole group, queries as they
// are transposed — exact conversions, so the bits are the row blocks' (which convert them the
// same way). The lanes path must have run (it falls back to the row blocks where it does not
// apply, and they would compare equal to themselves).
TEST(AttentionLanes, SixteenBitInputsGiveTheBitsOfTheRowBlockPath) {
  SKIP_WITHOUT_AVX512();
  struct Case {
    LanesCase c;
    bool causal;
  };
  const Case cases[] = {
      {{1, 8, 8, 128, 128, 32, 32}, false},  // one key block, 8 groups: whole groups
      {{2, 4, 4, 64, 300, 64, 64}, false},   // three key blocks, the last partial
      {{2, 8, 2, 40, 200, 32, 48}, true},    // GQA, causal, Dv != D
      {{1, 4, 4, 100, 1024, 64, 64}, true},  // eight key blocks, causal
  };
  const int saved = num_threads();
  for (const Case& k : cases)
    for (const DType dt : {DType::bf16, DType::f16})
      for (const bool bshd : {false, true})
        for (const int threads : {1, 2}) {
          const LanesCase& c = k.c;
          SCOPED_TRACE("B=" + std::to_string(c.B) + " Hq=" + std::to_string(c.Hq) +
                       " Hkv=" + std::to_string(c.Hkv) + " Sq=" + std::to_string(c.Sq) +
                       " T=" + std::to_string(c.T) + " D=" + std::to_string(c.D) +
                       " Dv=" + std::to_string(c.Dv) + " causal " + std::to_string(k.causal) + " " +
                       std::string(dtype_name(dt)) + (bshd ? " [B,S,H,D]" : " [B,H,S,D]") +
                       " threads " + std::to_string(threads));
          Operands o = make(c, bshd, static_cast<std::uint64_t>(c.Sq * 1000 + c.T));
          // The same storage layout in 16 bits, seen through the same views.
          const auto narrow = [&](Tensor& t, TensorView& view) {
            t = Tensor::copy_of(t.view(), dt);
            view = bshd ? t.view().permuted({0, 2, 1, 3}) : t.view();
          };
          narrow(o.q, o.qv);
          narrow(o.k, o.kv);
          narrow(o.v, o.vv);
          AttentionOptions opt;
          opt.is_causal = k.causal;
          set_num_threads(threads);
          const long long runs = detail::rows_in_lanes_runs();
          expect_rows_bits({o.qv, o.kv, o.vv}, opt, Tensor(DType::f32, {c.B, c.Hq, c.Sq, c.Dv}),
                           c.T);
          EXPECT_GT(detail::rows_in_lanes_runs(), runs) << "the lanes path did not run";
          set_num_threads(saved);
          if (HasFailure()) return;
        }
}

// Key ranges (causal, windows, lengths, a past cache): blocks every row sees whole, blocks some
// rows see in part, blocks skipped, rows that see nothing (y = 0), across chunks and threads.
struct RangesCase {
  LanesCase shape;
  bool causal;
  std::int64_t left, right, past;
  std::vector<std::int64_t> nonpad;  // per batch; empty: none
};

// Per-batch key lengths as the i64 tensor nonpad_kv_seqlen takes; an undefined tensor (no
// lengths) for none.
Tensor lengths(const std::vector<std::int64_t>& n) {
  if (n.empty()) return Tensor();
  Tensor t(DType::i64, {static_cast<std::int64_t>(n.size())});
  std::copy(n.begin(), n.end(), static_cast<std::int64_t*>(t.data()));
  return t;
}

// Positions [s0, s1) of a contiguous fp32 [B, H, S, D] tensor, as a view.
TensorView positions(const Tensor& t, std::int64_t s0, std::int64_t s1) {
  const Shape& sh = t.shape();
  return TensorView(static_cast<float*>(t.data()) + s0 * sh[3], DType::f32,
                    {sh[0], sh[1], s1 - s0, sh[3]}, contiguous_strides(sh));
}

TEST(AttentionLanes, GiveTheBitsOfTheRowBlockPathWithKeyRanges) {
  SKIP_WITHOUT_AVX512();
  const RangesCase cases[] = {
      {{1, 2, 2, 300, 300, 64, 64}, true, -1, -1, 0, {}},  // causal: diagonal blocks in part
      {{2, 4, 2, 64, 64, 32, 32}, true, -1, -1, 0, {}},    // GQA: rows of two positions a lane pair
      {{1, 2, 2, 40, 200, 32, 32}, true, -1, -1, 160, {}},   // past cache: bottom-right causal
      {{1, 2, 2, 260, 260, 32, 48}, false, 100, 20, 0, {}},  // window past one block: row blocks
      {{2, 8, 2, 80, 80, 32, 32}, false, 5, 0, 0, {}},       // GQA window in one block
      {{3, 2, 2, 70, 200, 16, 32}, false, -1, -1, 0, {0, 129, 200}},  // lengths, one of 0
      {{2, 2, 2, 50, 300, 32, 32}, true, -1, -1, 0, {250, 60}},       // lengths and causal
  };
  const int saved = num_threads();
  for (const RangesCase& rc : cases)
    for (const int threads : {1, 2}) {
      const LanesCase& c = rc.shape;
      SCOPED_TRACE("B=" + std::to_string(c.B) + " Hq=" + std::to_string(c.Hq) +
                   " Hkv=" + std::to_string(c.Hkv) + " Sq=" + std::to_string(c.Sq) +
                   " T=" + std::to_string(c.T) + " D=" + std::to_string(c.D) + " causal " +
                   std::to_string(rc.causal) + " window " + std::to_string(rc.left) + "," +
                   std::to_string(rc.right) + " past " + std::to_string(rc.past) + " lengths " +
                   std::to_string(rc.nonpad.size()) + " threads " + std::to_string(threads));
      const Operands o = make(c, false, static_cast<std::uint64_t>(c.Sq * 1000 + c.T + 7));
      AttentionInputs in{o.qv, o.kv, o.vv};
      const Tensor nonpad = lengths(rc.nonpad);
      in.nonpad_kv_seqlen = nonpad;
      if (rc.past > 0) {  // the first `past` keys and values as the cache, the rest as new
        in.past_key = positions(o.k, 0, rc.past);
        in.past_value = positions(o.v, 0, rc.past);
        in.key = positions(o.k, rc.past, c.T);
        in.value = positions(o.v, rc.past, c.T);
      }
      AttentionOptions opt;
      opt.is_causal = rc.causal;
      opt.left_window = rc.left;
      opt.right_window = rc.right;
      set_num_threads(threads);
      expect_rows_bits(in, opt, Tensor(DType::f32, {c.B, c.Hq, c.Sq, c.Dv}), c.T);
      set_num_threads(saved);
      if (HasFailure()) return;
    }
}

// Softcap (without explicit masks) on the lanes path: the scores capped as the row-block path
// caps them, the maximum capped from the raw one (softcap is monotone) — the row-block path's
// bits, in one key block and several, with causal, GQA, and in key chunks.
TEST(AttentionLanes, SoftcapGivesTheBitsOfTheRowBlockPath) {
  SKIP_WITHOUT_AVX512();
  const RangesCase cases[] = {
      {{1, 12, 12, 128, 128, 32, 32}, false, -1, -1, 0, {}},
      {{2, 4, 2, 100, 300, 64, 64}, false, -1, -1, 0, {}},
      {{1, 2, 2, 300, 300, 64, 64}, true, -1, -1, 0, {}},
      {{2, 2, 2, 50, 300, 32, 32}, true, -1, -1, 0, {250, 60}},
  };
  const int saved = num_threads();
  for (const RangesCase& rc : cases)
    for (const float cap : {5.0f, 30.0f})
      for (const int threads : {1, 2}) {
        const LanesCase& c = rc.shape;
        SCOPED_TRACE("B=" + std::to_string(c.B) + " Hq=" + std::to_string(c.Hq) +
                     " Sq=" + std::to_string(c.Sq) + " T=" + std::to_string(c.T) + " causal " +
                     std::to_string(rc.causal) + " softcap " + std::to_string(cap) + " threads " +
                     std::to_string(threads));
        const Operands o = make(c, false, static_cast<std::uint64_t>(c.Sq * 1000 + c.T + 3));
        AttentionInputs in{o.qv, o.kv, o.vv};
        const Tensor nonpad = lengths(rc.nonpad);
        in.nonpad_kv_seqlen = nonpad;
        AttentionOptions opt;
        opt.is_causal = rc.causal;
        opt.softcap = cap;
        set_num_threads(threads);
        expect_rows_bits(in, opt, Tensor(DType::f32, {c.B, c.Hq, c.Sq, c.Dv}), c.T);
        set_num_threads(saved);
        if (HasFailure()) return;
      }
}

// Masks that keep every key add nothing, and a padded batch gives each sentence the bits of that
// sentence alone: a bool mask of trues shared by the heads (rows in lanes, through the masks'
// copy) and an additive mask of zeros per head (the row-block path) give the bits of no mask
// (rows in lanes); a batch padded to 260 keys (three key blocks, keys past each sentence's
// length removed by a [B, 1, 1, T] mask: exact zeros in the sums, alpha = 1 in the blocks a
// sentence does not reach) gives each sentence's rows the bits of that sentence alone.
TEST(AttentionLanes, KeepAllMasksAndPaddingGiveTheBitsWithoutThem) {
  SKIP_WITHOUT_AVX512();
  detail::force_isa(detail::Isa::avx512);
  std::mt19937_64 rng(72);
  const std::int64_t H = 4, S = 300, D = 32;
  const Tensor q = mt::random_tensor(rng, DType::f32, {2, H, S, D}, 2.0),
               k = mt::random_tensor(rng, DType::f32, {2, H, S, D}, 2.0),
               v = mt::random_tensor(rng, DType::f32, {2, H, S, D});
  Tensor trues(DType::boolean, {2, 1, S, S}), zeros(DType::f32, {1, H, S, S});
  std::fill_n(static_cast<std::uint8_t*>(trues.data()), trues.numel(), 1);
  std::fill_n(zeros.data_as<float>(), zeros.numel(), 0.0f);
  const Tensor plain = attention({q, k, v}).y;
  for (const Mask& m : {Mask::keep(trues), Mask::additive(zeros)}) {
    const Tensor y = attention({q, k, v, m}).y;
    EXPECT_EQ(std::memcmp(y.data(), plain.data(), y.nbytes()), 0);
  }
  // A batch of two sentences of 260 and 40 tokens, padded to 260.
  const std::int64_t P = 260, len = 40;
  const auto first = [&](const Tensor& t, std::int64_t b,
                         std::int64_t n) {  // batch b, positions [0, n)
    Tensor c(DType::f32, {1, H, n, D});
    for (std::int64_t h = 0; h < H; ++h)
      std::memcpy(c.data_as<float>() + h * n * D, t.data_as<float>() + ((b * H + h) * S) * D,
                  static_cast<std::size_t>(n * D) * 4);
    return c;
  };
  const auto batch_of = [&](const Tensor& t) {  // both sentences' first P positions
    Tensor c(DType::f32, {2, H, P, D});
    for (std::int64_t b = 0; b < 2; ++b) {
      const Tensor one = first(t, b, P);
      std::memcpy(c.data_as<float>() + b * H * P * D, one.data(), one.nbytes());
    }
    return c;
  };
  Tensor padding(DType::boolean, {2, 1, 1, P});
  for (std::int64_t j = 0; j < P; ++j) static_cast<std::uint8_t*>(padding.data())[P + j] = j >= len;
  const Tensor batch = attention({batch_of(q), batch_of(k), batch_of(v), Mask::drop(padding)}).y;
  for (std::int64_t b = 0; b < 2; ++b) {
    const std::int64_t n = b == 0 ? P : len;
    const Tensor alone = attention({first(q, b, n), first(k, b, n), first(v, b, n)}).y;
    const Tensor rows = [&] {  // the batch's rows of sentence b
      Tensor c(DType::f32, {1, H, n, D});
      for (std::int64_t h = 0; h < H; ++h)
        std::memcpy(c.data_as<float>() + h * n * D, batch.data_as<float>() + (b * H + h) * P * D,
                    static_cast<std::size_t>(n * D) * 4);
      return c;
    }();
    EXPECT_EQ(std::memcmp(rows.data(), alone.data(), alone.nbytes()), 0) << "sentence " << b;
  }
  detail::reset_isa();
}

// Explicit masks shared by the heads take the lanes path through a copy in its layout
// (flash_lanes_bias.inc: bool masks as bits, additive ones as floats, masks the same for every
// query row as one float per key); masks with a head stride
// stay on the row blocks. Not the row-block path's bits (its one-pass masked softmax takes
// another maximum), so both paths are held to the reference within the derived bound: kinds,
// broadcast shapes ([B, 1, Sq, T], [Sq, T], [B, 1, 1, T], per head), f16 biases, one and several
// key blocks, in chunks, with causal and lengths, GQA; with rows that keep no key (y = 0) and
// non-finite value rows behind keys that every row removes (which must not leak).
struct MaskCase {
  LanesCase shape;
  Shape mask;  // the mask's shape (broadcast to [B, Hq, Sq, T])
  MaskKind kind;
  DType dtype;  // additive masks
  bool causal;
  std::vector<std::int64_t> nonpad;
  DType input = DType::f32;  // of q, k and v
};

TEST(AttentionLanes, MasksMatchTheReferenceOnBothPaths) {
  SKIP_WITHOUT_AVX512();
  using MK = MaskKind;
  const MaskCase cases[] = {
      {{1, 4, 4, 100, 100, 32, 32}, {1, 1, 100, 100}, MK::keep, DType::f32, false, {}},
      {{2, 4, 4, 64, 64, 64, 64}, {2, 1, 64, 64}, MK::additive, DType::f32, false, {}},
      {{2, 4, 2, 64, 300, 32, 48}, {64, 300}, MK::drop, DType::f32, false, {}},  // GQA, 3 blocks
      {{1, 2, 2, 200, 1024, 32, 32}, {200, 1024}, MK::additive, DType::f32, false, {}},  // chunks
      {{2, 3, 3, 50, 200, 16, 16}, {2, 1, 1, 200}, MK::keep, DType::f32, false, {}},  // key padding
      {{2, 8, 2, 40, 300, 32, 32}, {2, 1, 1, 300}, MK::additive, DType::f32, true, {}},  // key bias
      {{1, 2, 2, 150, 150, 32, 32}, {1, 1, 150, 150}, MK::additive, DType::f16, true, {}},
      {{2, 2, 2, 70, 260, 32, 32}, {70, 260}, MK::keep, DType::f32, false, {100, 260}},
      // A mask per head (the row blocks):
      {{1, 4, 4, 64, 200, 32, 32}, {1, 4, 64, 200}, MK::additive, DType::f32, false, {}},
      {{1, 8, 2, 40, 130, 64, 64}, {40, 130}, MK::additive, DType::bf16, true, {}},  // GQA causal
      // 16-bit inputs (the lanes path converts them; the values' check reads them in place):
      {{2, 4, 4, 64, 300, 32, 32}, {64, 300}, MK::additive, DType::f32, true, {}, DType::bf16},
      {{2, 3, 3, 50, 200, 16, 16}, {2, 1, 1, 200}, MK::keep, DType::f32, false, {}, DType::f16},
  };
  const int saved = num_threads();
  detail::force_isa(detail::Isa::avx512);
  for (const MaskCase& mc : cases) {
    const LanesCase& c = mc.shape;
    SCOPED_TRACE("B=" + std::to_string(c.B) + " Hq=" + std::to_string(c.Hq) +
                 " Hkv=" + std::to_string(c.Hkv) + " Sq=" + std::to_string(c.Sq) +
                 " T=" + std::to_string(c.T) + " mask " + mc.mask.str() + " kind " +
                 std::to_string(static_cast<int>(mc.kind)) + " causal " +
                 std::to_string(mc.causal) + " inputs " + std::string(dtype_name(mc.input)));
    std::mt19937_64 rng(static_cast<std::uint64_t>(c.Sq * 1000 + c.T + 11));
    Operands o = make(c, false, rng());
    // The mask: 1 in 8 (row, key) removed, plus the last row kept nothing and key 5 removed for
    // every row (its value row made NaN and ∞).
    const std::int64_t mT = mc.mask[mc.mask.rank() - 1], mS = mc.mask[mc.mask.rank() - 2];
    const bool additive = mc.kind == MK::additive;
    Tensor m(additive ? mc.dtype : DType::boolean, mc.mask);
    std::uniform_real_distribution<double> bias(-3.0, 3.0);
    for (std::int64_t i = 0; i < m.numel(); ++i) {
      const std::int64_t key = i % mT, row = i / mT % mS;
      const bool gone = rng() % 8 == 0 || key == 5 || (row == mS - 1 && mS > 1);
      if (additive)
        store_from_double(m.data(), m.dtype(), i, gone ? -INFINITY : bias(rng));
      else
        static_cast<std::uint8_t*>(m.data())[i] = (mc.kind == MK::keep) != gone;
    }
    for (std::int64_t bh = 0; bh < c.B * c.Hkv; ++bh)
      for (std::int64_t d = 0; d < c.Dv; ++d)
        o.v.data_as<float>()[(bh * c.T + 5) * c.Dv + d] = d % 2 ? NAN : INFINITY;
    if (mc.input != DType::f32)
      for (auto* t : {&o.q, &o.k, &o.v}) *t = Tensor::copy_of(t->view(), mc.input);
    AttentionInputs in{o.q, o.k, o.v};
    in.mask = additive ? Mask::additive(m) : mc.kind == MK::keep ? Mask::keep(m) : Mask::drop(m);
    const Tensor nonpad = lengths(mc.nonpad);
    in.nonpad_kv_seqlen = nonpad;
    AttentionOptions opt;
    opt.is_causal = mc.causal;
    const Tensor ref = reference::attention(in, opt).y;
    // Bound: |scores| <= scale·D·max|q|·max|k|, biases <= 3 (in the bound's units), |v| <= max |v|
    // over the finite values.
    const double scale = 1.0 / std::sqrt(static_cast<double>(c.D));
    double v_abs = 0.0;
    const Tensor v64 = Tensor::copy_of(o.v.view(), DType::f64);
    for (std::int64_t i = 0; i < v64.numel(); ++i)
      if (std::isfinite(v64.data_as<double>()[i]))
        v_abs = std::max(v_abs, std::abs(v64.data_as<double>()[i]));
    const double s_abs = scale * static_cast<double>(c.D) * mt::max_abs(o.q) * mt::max_abs(o.k);
    const auto bound = mt::attention_bound(std::ldexp(1.0, -24), c.D, c.T, s_abs, 3.0, v_abs);
    for (const bool lanes : {true, false})
      for (const int threads : {1, 2})
        for (const detail::ChunkBytes budget : {detail::ChunkBytes{}, detail::ChunkBytes{1, 1}}) {
          if (budget.keys > 0 && (!lanes || c.T <= 128)) continue;
          SCOPED_TRACE(std::string(lanes ? "lanes" : "row blocks") + ", threads " +
                       std::to_string(threads) + ", chunk budget " + std::to_string(budget.keys));
          detail::set_rows_in_lanes(lanes);
          detail::set_chunk_bytes(budget);
          set_num_threads(threads);
          Tensor y(DType::f32, {c.B, c.Hq, c.Sq, c.Dv});  // (16-bit inputs: f32 out, exactly)
          const long long runs = detail::rows_in_lanes_runs();
          attention(in, opt, AttentionOutputs{y});
          if (lanes && mc.input != DType::f32)  // (shared masks: the lanes path must take them)
            EXPECT_GT(detail::rows_in_lanes_runs(), runs) << "the lanes path did not run";
          set_num_threads(saved);
          detail::set_chunk_bytes({});
          detail::set_rows_in_lanes(true);
          for (std::int64_t i = 0; i < y.numel(); ++i) {
            const double got = y.data_as<float>()[i], want = ref.data_as<double>()[i];
            ASSERT_TRUE(std::isfinite(got)) << "y[" << i << "] = " << got;
            ASSERT_LE(std::abs(got - want), bound.y + mt::kTiny) << "y[" << i << "]";
          }
        }
  }
  detail::reset_isa();
}

}  // namespace
