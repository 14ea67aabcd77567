// The AVX-512 kernel's rows-in-lanes path (src/attention/cpu/flash_lanes.inc) gives the bits of
// the row-block path on the problems it takes: row counts and key counts around its vector and
// tile edges, GQA and MQA, [B, S, H, D] views, 16-bit outputs, both thread splits and the
// next-group fetch. The row-block path is tested against the reference everywhere; the lanes
// path is on by default, so the other tests run through it too where it applies.
#include <gtest/gtest.h>

#include <cstring>
#include <random>
#include <string>

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

TEST(AttentionLanes, GiveTheBitsOfTheRowBlockPath) {
  const LanesCase cases[] = {
      {1, 12, 12, 128, 128, 32, 32},  // MiniLM's shape
      {4, 12, 12, 128, 128, 32, 32},  // 2.3 MiB of inputs: the next group fetched ahead
      {2, 4, 2, 17, 9, 16, 32},       // GQA; one partial row vector, a tail tile of 1 key
      {1, 3, 1, 48, 128, 64, 64},     // MQA: 144 rows per group, three whole blocks
      {3, 2, 2, 100, 100, 128, 128},  // partial blocks of rows and keys
      {1, 2, 2, 49, 1, 16, 16},       // one key
      {1, 1, 1, 16, 127, 32, 16},     // Dv < D, a tail tile of 7 keys
      {2, 2, 2, 33, 64, 48, 48},      // D = 48
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
          mt::for_each_isa([&](detail::Isa) {
            const auto run = [&](bool lanes) {
              Tensor y(yt, {c.B, c.Hq, c.Sq, c.Dv});
              detail::set_rows_in_lanes(lanes);
              attention({o.qv, o.kv, o.vv}, opt, AttentionOutputs{y});
              detail::set_rows_in_lanes(true);
              return y;
            };
            const Tensor lanes = run(true), rows = run(false);
            EXPECT_EQ(std::memcmp(lanes.data(), rows.data(), lanes.nbytes()), 0);
          });
          set_num_threads(saved);
          if (HasFailure()) return;
        }
}

}  // namespace
