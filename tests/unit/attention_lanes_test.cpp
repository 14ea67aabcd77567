// The AVX-512 kernel's rows-in-lanes path (src/attention/cpu/flash_lanes.inc) gives the bits of
// the row-block path on the problems it takes: row counts and key counts around its vector and
// tile edges, several key blocks taken whole or in chunks, GQA and MQA, [B, S, H, D] views, 16-bit
// outputs, both thread splits and the next-group fetch. The row-block path is tested against the
// reference everywhere; the lanes path is on by default, so the other tests run through it too
// where it applies.
#include <gtest/gtest.h>

#include <algorithm>
#include <cstring>
#include <random>
#include <string>
#include <vector>

#include "attention/cpu/isa.hpp"
#include "common/isa.hpp"
#include "mha/attention.hpp"
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

// Key ranges (causal, windows, lengths, a past cache): blocks every row sees whole, blocks some
// rows see in part, blocks skipped, rows that see nothing (y = 0), across chunks and threads.
struct RangesCase {
  LanesCase shape;
  bool causal;
  std::int64_t left, right, past;
  std::vector<std::int64_t> nonpad;  // per batch; empty: none
};

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
      Tensor nonpad, k_new, v_new;
      if (!rc.nonpad.empty()) {
        nonpad = Tensor(DType::i64, {c.B});
        for (std::int64_t b = 0; b < c.B; ++b)
          static_cast<std::int64_t*>(nonpad.data())[b] = rc.nonpad[static_cast<std::size_t>(b)];
        in.nonpad_kv_seqlen = nonpad;
      }
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

// Masks that keep every key add nothing, and the two paths agree where a problem can take either:
// a bool mask of trues and an additive mask of zeros (the row-block path: masks) give the bits of
// no mask (rows in lanes), and a padded batch (keys past each sentence's length removed by a [B,
// 1, 1, T] mask) gives each sentence's rows the bits of that sentence alone.
TEST(AttentionLanes, KeepAllMasksAndPaddingGiveTheBitsWithoutThem) {
  SKIP_WITHOUT_AVX512();
  detail::force_isa(detail::Isa::avx512);
  std::mt19937_64 rng(72);
  const std::int64_t H = 4, S = 150, D = 32;
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
  // A batch of two sentences of 120 and 40 tokens, padded to 120: one partial key block. (A full
  // block of 128 keys with removed keys takes the row-block path's one-pass softmax, whose
  // maximum counts the removed keys' scores too: the same values to rounding, other bits.)
  const std::int64_t P = 120, len = 40;
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

}  // namespace
