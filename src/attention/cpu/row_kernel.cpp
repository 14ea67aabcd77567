// The portable CPU backend: one query row at a time, fp32 arithmetic, O(T + D) scratch per
// thread (no [Sq, T] matrix). The fused, tiled SIMD kernels replace it for speed; this one stays
// as the fallback for every configuration they do not cover.
#include <algorithm>
#include <cmath>
#include <limits>
#include <vector>

#include "attention/dropout.hpp"
#include "attention/cpu/flash.hpp"
#include "attention/params.hpp"
#include "mha/threads.hpp"

namespace mha::detail {
namespace {

constexpr float kNegInf = -std::numeric_limits<float>::infinity();

inline const void* at(const Operand& o, std::int64_t b, std::int64_t h, std::int64_t s) {
  return static_cast<const std::byte*>(o.data) +
         (b * o.stride[0] + h * o.stride[1] + s * o.stride[2]) * static_cast<std::int64_t>(dtype_size(o.dtype));
}

// Loads n elements spaced `stride` apart as fp32.
inline void load_row(const void* base, DType t, std::int64_t stride, std::int64_t n, float* dst) {
  if (t == DType::f32 && stride == 1) {
    std::copy_n(static_cast<const float*>(base), n, dst);
    return;
  }
  for (std::int64_t d = 0; d < n; ++d) dst[d] = load_as_float(base, t, d * stride);
}

inline float softcap_of(float x, float c) { return c > 0.0f ? c * std::tanh(x / c) : x; }

struct RowScratch {
  std::vector<float> q, kv, score, qk_row, acc;
  std::vector<unsigned char> kept;
  explicit RowScratch(const AttentionParams& p)
      : q(static_cast<std::size_t>(p.D)),
        kv(static_cast<std::size_t>(std::max(p.D, p.Dv))),
        score(static_cast<std::size_t>(p.T)),
        qk_row(p.qk.data ? static_cast<std::size_t>(p.T) : 0),
        acc(static_cast<std::size_t>(p.Dv)),
        kept(static_cast<std::size_t>(p.T)) {}
};

// Applies the masks to key j of row (b, h, i): returns false when removed, else adds the
// additive parts to *bias.
inline bool apply_masks(const AttentionParams& p, std::int64_t b, std::int64_t h, std::int64_t i, std::int64_t j,
                        float* bias) {
  for (int m = 0; m < p.num_masks; ++m) {
    const MaskOperand& mk = p.masks[m];
    if (j >= mk.len) {
      if (!mk.beyond_kept) return false;
      continue;
    }
    const std::int64_t off = b * mk.op.stride[0] + h * mk.op.stride[1] + i * mk.op.stride[2] + j * mk.op.stride[3];
    switch (mk.kind) {
      case MaskKind::keep:
        if (static_cast<const unsigned char*>(mk.op.data)[off] == 0) return false;
        break;
      case MaskKind::drop:
        if (static_cast<const unsigned char*>(mk.op.data)[off] != 0) return false;
        break;
      case MaskKind::additive: {
        const float v = load_as_float(mk.op.data, mk.op.dtype, off);
        if (v == kNegInf) return false;
        *bias += v;
        break;
      }
      case MaskKind::none: break;
    }
  }
  return true;
}

void store_row(const MutableOperand& o, std::int64_t b, std::int64_t h, std::int64_t i, std::int64_t n,
               const float* src) {
  const std::int64_t base = b * o.stride[0] + h * o.stride[1] + i * o.stride[2];
  for (std::int64_t d = 0; d < n; ++d) store_from_float(o.data, o.dtype, base + d * o.stride[3], src[d]);
}

void attend_row(const AttentionParams& p, std::int64_t b, std::int64_t h, std::int64_t i, RowScratch& s) {
  const std::int64_t hk = h / (p.Hq / p.Hkv);  // GQA: consecutive query heads share a KV head
  const std::int64_t offset = p.nonpad ? p.nonpad[b] - p.Sq : p.past;
  const std::int64_t pos = i + offset;  // absolute position of this query

  // The keys that the causal, sliding-window and padding rules leave: [lo, hi).
  std::int64_t lo = 0, hi = p.T;
  if (p.nonpad) hi = std::min(hi, p.nonpad[b]);
  if (p.causal) hi = std::min(hi, pos + 1);
  if (p.right_window >= 0) hi = std::min(hi, pos + p.right_window + 1);
  if (p.left_window >= 0) lo = std::max(lo, pos - p.left_window);
  hi = std::max(hi, lo);

  load_row(at(p.q, b, h, i), p.q.dtype, p.q.stride[3], p.D, s.q.data());

  // raw / soft-capped qk output wants the score of every key, removed ones included.
  const bool qk_all = p.qk.data && (p.qk_mode == QkOutput::raw || p.qk_mode == QkOutput::softcapped);
  float row_max = kNegInf;
  std::int64_t n_kept = 0;
  for (std::int64_t j = 0; j < p.T; ++j) {
    const auto ju = static_cast<std::size_t>(j);
    s.kept[ju] = 0;
    float bias = 0.0f;
    const bool keep = j >= lo && j < hi && apply_masks(p, b, h, i, j, &bias);
    if (!keep && !qk_all) continue;  // selection: a removed key is never read
    load_row(at(p.k, b, hk, j), p.k.dtype, p.k.stride[3], p.D, s.kv.data());
    float dot = 0.0f;
    for (std::int64_t d = 0; d < p.D; ++d) dot += s.q[static_cast<std::size_t>(d)] * s.kv[static_cast<std::size_t>(d)];
    const float raw = dot * p.scale;
    const float capped = softcap_of(raw, p.softcap);
    if (qk_all) s.qk_row[ju] = p.qk_mode == QkOutput::raw ? raw : capped;
    if (!keep) continue;
    s.kept[ju] = 1;
    s.score[ju] = capped + bias;
    row_max = std::max(row_max, s.score[ju]);
    ++n_kept;
  }
  if (p.qk.data && p.qk_mode == QkOutput::biased)
    for (std::int64_t j = 0; j < p.T; ++j) {
      const auto ju = static_cast<std::size_t>(j);
      s.qk_row[ju] = s.kept[ju] ? s.score[ju] : kNegInf;
    }

  std::fill(s.acc.begin(), s.acc.end(), 0.0f);
  if (n_kept > 0) {
    float sum = 0.0f;
    for (std::int64_t j = 0; j < p.T; ++j) {
      const auto ju = static_cast<std::size_t>(j);
      if (!s.kept[ju]) continue;
      s.score[ju] = std::exp(s.score[ju] - row_max);
      sum += s.score[ju];
    }
    const float inv = 1.0f / sum;
    const float keep_scale = 1.0f / (1.0f - p.dropout_p);
    for (std::int64_t j = 0; j < p.T; ++j) {
      const auto ju = static_cast<std::size_t>(j);
      if (!s.kept[ju]) {
        s.score[ju] = 0.0f;
        continue;
      }
      float pj = s.score[ju] * inv;
      if (p.dropout_p > 0.0f)
        pj = dropout_keep(p.dropout_seed, p.dropout_p, b, h, i, j) ? pj * keep_scale : 0.0f;
      s.score[ju] = pj;
      if (pj == 0.0f) continue;
      load_row(at(p.v, b, hk, j), p.v.dtype, p.v.stride[3], p.Dv, s.kv.data());
      for (std::int64_t d = 0; d < p.Dv; ++d) s.acc[static_cast<std::size_t>(d)] += pj * s.kv[static_cast<std::size_t>(d)];
    }
  } else {
    std::fill(s.score.begin(), s.score.end(), 0.0f);  // fully masked: an all-zero probability row
  }
  store_row(p.y, b, h, i, p.Dv, s.acc.data());
  if (p.qk.data) store_row(p.qk, b, h, i, p.T, p.qk_mode == QkOutput::probabilities ? s.score.data() : s.qk_row.data());
}

}  // namespace

void run_row_kernel(const AttentionParams& p) {
  const std::int64_t rows = p.B * p.Hq * p.Sq;
  if (rows == 0) return;
  const int nt = static_cast<int>(std::min<std::int64_t>(num_threads(), rows));
#pragma omp parallel num_threads(nt)
  {
    RowScratch s(p);
#pragma omp for schedule(static)
    for (std::int64_t r = 0; r < rows; ++r) {
      const std::int64_t i = r % p.Sq;
      const std::int64_t h = (r / p.Sq) % p.Hq;
      const std::int64_t b = r / (p.Sq * p.Hq);
      attend_row(p, b, h, i, s);
    }
  }
}

}  // namespace mha::detail
