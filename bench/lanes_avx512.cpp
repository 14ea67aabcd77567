// Kernel lab v6, a prototype that is not in the library: "rows in lanes". Each vector holds one
// key's scores for 16 query rows, so the softmax's maxima and sums are per lane (no horizontal
// reductions, no per-row bookkeeping), Q·Kᵀ broadcasts key elements read in place against
// transposed query vectors (no key packing), and P·V broadcasts value elements read in place
// against probability vectors. It measures whether that layout would pay where the library's
// kernel spends the most outside its FMAs: short sequences at D = 32 (MiniLM), where per-row work
// and key packing are about a third of the time (bench/RESULTS.md, "What limits").
//
// Scope (lanes_supported): fp32 q, k, v, y with unit stride along D, Hq = Hkv, no mask, no
// causal rule, no softcap, a positive scale, D a multiple of 16, T a multiple of 8. Each block
// of 48 rows keeps all T of its scores (T·48 floats), so there is no online rescaling: the
// prototype is for short T.
#include <immintrin.h>

#include <algorithm>
#include <cmath>
#include <cstdint>
#include <limits>
#include <vector>

#include "attention/cpu/tuning.hpp"
#include "lanes.hpp"
#include "mha/threads.hpp"

#define MHA_CPU_TARGET "avx512f,avx512bw,avx512vl,avx512dq,avx2,fma,f16c"
#include "attention/cpu/target_begin.inc"

namespace mha::lab::lanes_avx512 {
using detail::AttentionParams;
#include "attention/cpu/math.inc"
#include "attention/cpu/vec_avx512.inc"

constexpr int N = Vec::N;
constexpr int RV = 3;       // row vectors per block: 48 rows
constexpr int RB = RV * N;  // rows per block
constexpr int NK = 8;       // keys per Q·Kᵀ tile: 8 × 3 = 24 accumulators
constexpr int ND = 8;       // head dimensions per P·V tile: 8 × 3 = 24 accumulators
constexpr float kLog2e = 1.44269504088896341f;

struct Buffers {
  std::vector<float> qt, st, ot;
};

// In place: r[i] holds row i of a 16 × 16 block; afterwards r[i] holds column i.
inline void transpose16(__m512 (&r)[16]) {
  __m512 t[16];
  for (int i = 0; i < 16; i += 2) {  // 2 × 2 blocks of single floats
    t[i] = _mm512_unpacklo_ps(r[i], r[i + 1]);
    t[i + 1] = _mm512_unpackhi_ps(r[i], r[i + 1]);
  }
  for (int i = 0; i < 16;
       i += 4)  // 4 × 4 blocks: pairs of floats; r[i + c]: column c of each 128-bit lane
    for (int k = 0; k < 2; ++k) {
      r[i + 2 * k] = _mm512_castpd_ps(
          _mm512_unpacklo_pd(_mm512_castps_pd(t[i + k]), _mm512_castps_pd(t[i + k + 2])));
      r[i + 2 * k + 1] = _mm512_castpd_ps(
          _mm512_unpackhi_pd(_mm512_castps_pd(t[i + k]), _mm512_castps_pd(t[i + k + 2])));
    }
  for (int i = 0; i < 16; i += 8)  // 128-bit lanes, within 8 rows
    for (int k = 0; k < 4; ++k) {
      t[i + k] = _mm512_shuffle_f32x4(r[i + k], r[i + k + 4], 0x88);
      t[i + k + 4] = _mm512_shuffle_f32x4(r[i + k], r[i + k + 4], 0xdd);
    }
  for (int k = 0; k < 8; ++k) {  // 128-bit lanes, across the two halves
    r[k] = _mm512_shuffle_f32x4(t[k], t[k + 8], 0x88);
    r[k + 8] = _mm512_shuffle_f32x4(t[k], t[k + 8], 0xdd);
  }
}

// Scores of NK keys (rows kr, kr + ldk, ...) for the block's RB rows (Qᵀ at qt): st[kk·RB + row];
// mx (RB floats) takes their maxima. A function of its own, as the library's microkernels: inside
// row_block GCC spilled the query vectors in the loop.
__attribute__((noinline)) void qk_tile(const float* qt, const float* kr, std::int64_t ldk,
                                       std::int64_t D, float* st, float* mx) {
  Vec::reg acc[NK][RV];
  for (int kk = 0; kk < NK; ++kk)
    for (int rv = 0; rv < RV; ++rv) acc[kk][rv] = Vec::zero();
  // D >= 16 (lanes_supported): a loop that might not run made GCC keep the accumulators on the
  // stack, as in the library's microkernels.
  std::int64_t d = 0;
  do {
    Vec::reg qv[RV];
    for (int rv = 0; rv < RV; ++rv) qv[rv] = Vec::loadu(qt + d * RB + rv * N);
    for (int kk = 0; kk < NK; ++kk) {
      const Vec::reg kb = Vec::set1(kr[kk * ldk + d]);
      for (int rv = 0; rv < RV; ++rv) acc[kk][rv] = Vec::fma(qv[rv], kb, acc[kk][rv]);
    }
  } while (++d < D);
  Vec::reg x[RV];
  for (int rv = 0; rv < RV; ++rv) x[rv] = Vec::loadu(mx + rv * N);
  for (int kk = 0; kk < NK; ++kk)
    for (int rv = 0; rv < RV; ++rv) {
      Vec::storeu(st + kk * RB + rv * N, acc[kk][rv]);
      x[rv] = Vec::max(x[rv], acc[kk][rv]);
    }
  for (int rv = 0; rv < RV; ++rv) Vec::storeu(mx + rv * N, x[rv]);
}

// ot[dd·RB + row] = Σ_j P[j][row] · V[j][dd] / l[row] for ND head dimensions (vr: V at the first).
__attribute__((noinline)) void pv_tile(const float* st, const float* vr, std::int64_t ldv,
                                       std::int64_t T, const Vec::reg (&inv)[RV], float* ot) {
  Vec::reg acc[ND][RV];
  for (int dd = 0; dd < ND; ++dd)
    for (int rv = 0; rv < RV; ++rv) acc[dd][rv] = Vec::zero();
  std::int64_t j = 0;  // T >= 8
  do {
    Vec::reg pv[RV];
    for (int rv = 0; rv < RV; ++rv) pv[rv] = Vec::loadu(st + j * RB + rv * N);
    for (int dd = 0; dd < ND; ++dd) {
      const Vec::reg vb = Vec::set1(vr[dd]);
      for (int rv = 0; rv < RV; ++rv) acc[dd][rv] = Vec::fma(pv[rv], vb, acc[dd][rv]);
    }
    vr += ldv;
  } while (++j < T);
  for (int dd = 0; dd < ND; ++dd)
    for (int rv = 0; rv < RV; ++rv)
      Vec::storeu(ot + dd * RB + rv * N, Vec::mul(acc[dd][rv], inv[rv]));
}

// Rows [r0, r0 + nr) of group (b, h): y = softmax(c·q·Kᵀ)·V.
void row_block(const AttentionParams& p, std::int64_t b, std::int64_t h, std::int64_t r0, int nr,
               Buffers& buf) {
  const std::int64_t D = p.D, T = p.T;
  const float* q = static_cast<const float*>(p.q.data) + b * p.q.stride[0] + h * p.q.stride[1] +
                   r0 * p.q.stride[2];
  const float* k = static_cast<const float*>(p.k.data) + b * p.k.stride[0] + h * p.k.stride[1];
  const float* v = static_cast<const float*>(p.v.data) + b * p.v.stride[0] + h * p.v.stride[1];
  float* y =
      static_cast<float*>(p.y.data) + b * p.y.stride[0] + h * p.y.stride[1] + r0 * p.y.stride[2];
  const std::int64_t ldq = p.q.stride[2], ldk = p.k.stride[2], ldv = p.v.stride[2],
                     ldy = p.y.stride[2];
  float* qt = buf.qt.data();
  float* st = buf.st.data();
  float* ot = buf.ot.data();

  // Qᵀ: qt[d·RB + row] (rows past nr are 0), by 16 × 16 transposes.
  for (int rv = 0; rv < RV; ++rv)
    for (std::int64_t d0 = 0; d0 < D; d0 += N) {
      __m512 r[16];
      for (int i = 0; i < N; ++i)
        r[i] = rv * N + i < nr ? Vec::loadu(q + (rv * N + i) * ldq + d0) : Vec::zero();
      transpose16(r);
      for (int i = 0; i < N; ++i) Vec::storeu(qt + (d0 + i) * RB + rv * N, r[i]);
    }

  // Scores, transposed: st[j·RB + row], and the rows' maxima (per lane; in memory between tiles,
  // as three more registers made GCC spill the query vectors inside the loop).
  alignas(64) float mx[RB];
  std::fill(mx, mx + RB, -std::numeric_limits<float>::infinity());
  for (std::int64_t j0 = 0; j0 < T; j0 += NK) qk_tile(qt, k + j0 * ldk, ldk, D, st + j0 * RB, mx);

  // Softmax in base 2, per lane: P = 2^(c2·s − c2·max), l = Σ P.
  const float c2 = p.scale * kLog2e;
  const Vec::reg c2v = Vec::set1(c2);
  Vec::reg m[RV], l[RV];
  for (int rv = 0; rv < RV; ++rv) {
    m[rv] = Vec::mul(Vec::loadu(mx + rv * N), c2v);
    l[rv] = Vec::zero();
  }
  for (std::int64_t j = 0; j < T; ++j)
    for (int rv = 0; rv < RV; ++rv) {
      float* s = st + j * RB + rv * N;
      const Vec::reg e = math::vexp2(Vec::sub(Vec::mul(Vec::loadu(s), c2v), m[rv]));
      Vec::storeu(s, e);
      l[rv] = Vec::add(l[rv], e);
    }
  Vec::reg inv[RV];
  for (int rv = 0; rv < RV; ++rv) inv[rv] = Vec::div(Vec::set1(1.0f), l[rv]);

  // Oᵀ = Vᵀ·Pᵀ, ND head dimensions at a time: ot[d·RB + row], divided by l.
  for (std::int64_t d0 = 0; d0 < D; d0 += ND) pv_tile(st, v + d0, ldv, T, inv, ot + d0 * RB);

  // y rows from Oᵀ, by 16 × 16 transposes.
  for (int rv = 0; rv < RV && rv * N < nr; ++rv)
    for (std::int64_t d0 = 0; d0 < D; d0 += N) {
      __m512 r[16];
      for (int i = 0; i < N; ++i) r[i] = Vec::loadu(ot + (d0 + i) * RB + rv * N);
      transpose16(r);
      for (int i = 0; i < N && rv * N + i < nr; ++i) Vec::storeu(y + (rv * N + i) * ldy + d0, r[i]);
    }
}

void run(const AttentionParams& p) {
  const std::int64_t blocks = (p.Sq + RB - 1) / RB, groups = p.B * p.Hq;
#pragma omp parallel num_threads(num_threads())
  {
    Buffers buf;
    buf.qt.resize(static_cast<std::size_t>(p.D * RB));
    buf.st.resize(static_cast<std::size_t>(p.T * RB));
    buf.ot.resize(static_cast<std::size_t>(p.D * RB));
#pragma omp for schedule(dynamic, 1)
    for (std::int64_t item = 0; item < groups * blocks; ++item) {
      const std::int64_t g = item / blocks, rb = item % blocks;
      row_block(p, g / p.Hq, g % p.Hq, rb * RB,
                static_cast<int>(std::min<std::int64_t>(RB, p.Sq - rb * RB)), buf);
    }
  }
}

}  // namespace mha::lab::lanes_avx512

#include "attention/cpu/target_end.inc"

namespace mha::lab {

bool lanes_supported(const detail::AttentionParams& p) {
  const bool f32 = p.q.dtype == DType::f32 && p.k.dtype == DType::f32 && p.v.dtype == DType::f32 &&
                   p.y.dtype == DType::f32;
  const bool unit =
      p.q.stride[3] == 1 && p.k.stride[3] == 1 && p.v.stride[3] == 1 && p.y.stride[3] == 1;
  return f32 && unit && p.Hq == p.Hkv && p.num_masks == 0 && !p.causal && p.left_window < 0 &&
         p.right_window < 0 && p.softcap == 0.0f && p.scale > 0.0f && p.D == p.Dv &&
         p.D % 16 == 0 && p.T % 8 == 0 && p.T > 0 && p.nonpad == nullptr && p.past == 0 &&
         p.dropout_p == 0.0f && p.qk.data == nullptr;
}

void run_lanes_avx512(const detail::AttentionParams& p) { lanes_avx512::run(p); }

}  // namespace mha::lab
