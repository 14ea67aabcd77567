#pragma once
// Every tuning constant of the CPU attention kernels, per target, with the reason for its value.
// The kernel lab (bench/) measures alternatives; change a value here only with a measurement.
#include <cstdint>

#include "attention/cpu/isa.hpp"

namespace mha::detail {

template <Isa>
struct Tuning;

template <>
struct Tuning<Isa::avx512> {
  // Q·Kᵀ microkernel: 6 query rows × 4 zmm (64 keys) = 24 accumulators, + 4 key vectors = 28 of
  // the 32 zmm registers; per head-dim step 4 loads and 6 broadcasts feed 24 FMAs.
  static constexpr int qk_rows = 6, qk_vecs = 4;
  // P·V microkernel: 6 rows × 4 zmm (64 output columns) = 24 accumulators + 4 value vectors.
  static constexpr int pv_rows = 6, pv_vecs = 4;
  // Query rows per block: 8 microkernel tiles; 48 rows × D=128 floats of Q = 24 KiB.
  static constexpr int block_rows = 48;
  // Keys per block: 2 microkernel tiles. The score block (48 × 128 floats = 24 KiB) and the
  // packed keys it reads stay in L1/L2 while the softmax and P·V pass over them.
  static constexpr int block_keys = 128;
  // GEMM: weight panels that run together, as one group, fill at most this many floats
  // (256K floats = 1 MiB, half of a 2 MiB L2), so each panel is read from L3 once per group.
  static constexpr std::int64_t gemm_l2_floats = 1 << 18;
  // Whole groups: the keys are taken in chunks of at most this many bytes of packed keys and
  // values (half of a 2 MiB L2), every row block of the group attending to a chunk before the
  // next, so each row block reads the chunk from L2, not the whole group's from L3. 2 threads,
  // B=1 H=8: S=4096 D=64 263–266 → 269–278 GFLOP/s, S=2048 D=128 277–278 → 284–293; 768 KiB
  // measured the same, 512 KiB about 1% lower (a group that fits, S=2048 D=64, lost 1.5% split).
  static constexpr std::int64_t chunk_bytes = 1 << 20;
  // Decode Q·Kᵀ (keys read in place): keys per step. 4 keys × up to 6 rows = 24 accumulators
  // + 4 key vectors + 1 query vector; each query load feeds 4 FMAs and the 4 sums of a row take
  // one Vec::hsum4.
  static constexpr int direct_keys = 4;
  // Rows in lanes (flash_lanes.inc): query rows per block (whole vectors), keys per Q·Kᵀ tile and
  // output columns per P·V tile. 48 rows × 8 keys = 24 accumulators; per head-dim step 3 query
  // vector loads and 8 key broadcasts feed 24 FMAs.
  static constexpr int lanes_rows = 48, lanes_keys = 8, lanes_cols = 8;
  // Rows in lanes, one key block: y's rows straight from P·V (pv_rows_to_y), 12 rows × 2 column
  // vectors = 24 accumulators; per key 2 value loads and 12 probability broadcasts feed 24 FMAs.
  static constexpr int lanes_y_rows = 12;
};

template <>
struct Tuning<Isa::avx2> {
  // 16 ymm registers: 4 rows × 3 vectors = 12 accumulators + 3 key vectors + 1 broadcast.
  static constexpr int qk_rows = 4, qk_vecs = 3;
  static constexpr int pv_rows = 4, pv_vecs = 3;
  static constexpr int block_rows = 48;  // 12 microkernel tiles
  static constexpr int block_keys = 96;  // 4 microkernel tiles (24 keys each)
  static constexpr std::int64_t gemm_l2_floats = 1 << 17;  // 512 KiB: AVX2 machines' smaller L2
  static constexpr std::int64_t chunk_bytes = 1 << 18;     // half of a 512 KiB L2 (not measured)
  static constexpr int direct_keys = 2;  // 2 keys × 4 rows = 8 accumulators of the 16 ymm
};

template <>
struct Tuning<Isa::scalar> {
  // Plain C++ 4-lane "vectors": small tiles the compiler can keep in registers.
  static constexpr int qk_rows = 4, qk_vecs = 2;
  static constexpr int pv_rows = 4, pv_vecs = 2;
  static constexpr int block_rows = 32;
  static constexpr int block_keys = 64;
  static constexpr std::int64_t gemm_l2_floats = 1 << 17;
  static constexpr std::int64_t chunk_bytes = 1 << 18;
  static constexpr int direct_keys = 1;
};

// A group with at most this many query rows (decode: G query heads × 1 position) reads fp32 keys
// in place instead of packing them: packing reads and writes every key once more, and with few
// rows the scores cannot repay it (decode is bound by reading K and V once).
inline constexpr std::int64_t kDirectKeyRows = 8;
// Decode reads each key and value row once, from memory; the hardware prefetcher alone left the
// bandwidth underused (fp32 65–70%, bf16 53–56% of the triad with 2 threads). The keys are
// prefetched this many rows ahead of the Q·Kᵀ kernel (16 rows = 8 KiB fp32 at D = 128, ~1 µs
// of memory time), each key's value row with it (kernels::RowPrefetch): fp32 74–97%, bf16
// 71–86% over four grid runs. 32 rows ahead, or into L2 only, measured the same; none, 15%
// less bf16 bandwidth.
inline constexpr std::int64_t kDecodePrefetchKeys = 16;

// Whole groups: each thread fetches its next group's query, key and value rows into L2 while a
// group runs (a few cache lines after each Q·Kᵀ tile), when they take at most kAheadMaxBytes
// and the inputs as a whole at least kAheadMinInputBytes. A small group's rows span a few 4 KiB
// pages, each of which the hardware prefetcher starts on anew: MiniLM's shape (B=32 H=12 S=128
// D=32, 48 KiB a group, 18 MiB of inputs from L3), 1 thread, best of 40, interleaved pairs:
// [B, H, S, D] inputs 80–81.5 → 92.5–95 GFLOP/s, [B, S, H, D] views 65 → 73–74; D=64 88–91 →
// 100–101. (Without fetching, each of Q, K, V read from L3 alone cost about 4%, all together
// 20%: B=1 of the same shape, all in L2, runs at 102.) Inputs that fit half of L2 are likely
// there already, and fetching them again cost 3% (B=1: 102.5 → 99.7 GFLOP/s). Larger groups
// stream through the prefetcher well enough and would evict the current group's keys from L2.
inline constexpr std::int64_t kAheadMaxBytes = std::int64_t{256} << 10;
inline constexpr std::int64_t kAheadMinInputBytes = std::int64_t{1} << 20;

// bf16 inputs take the vdpbf16ps kernel only where vdpbf16ps does at least this many times the
// flops of an fp32 FMA (isa.hpp, bf16_dot_pays). Each vdpbf16ps multiplies pairs, so at equal
// instruction rates it does twice the flops; the fp32 kernel on bf16 inputs (converted when
// packed) is also the more accurate (no rounding of P to bf16). Measured here (the project's
// Xeon): vdpbf16ps at half the FMA's flops, and bf16 inputs 1.9–2.0× faster through the fp32
// kernel (1 thread, B=1 H=8 S=1024 D=64: 31.4 → 15.8 ms; B=32 H=12 S=128 D=32: 19.0 → 9.4 ms).
inline constexpr double kBf16DotMinRatio = 1.5;

// An additive mask of only 0 and −∞ shared by the heads is converted to bytes (compact_mask.hpp)
// when at least this many heads read it and it has at least this many bytes: the pass reads the
// mask once and writes a quarter (fp32) or half of it, each head then reads that much. B=1,
// S=2048, D=64, 2 threads, best of 3–10 calls: 8 heads: unmasked 31.0 ms, the float mask 36.3,
// converted 35.2 (the same removals as a bool mask: 33.5); 32 heads: 127.7, 159.9, 139.9 (136.2).
// S=1024 with 8 heads (4 MiB): 8.7–8.8 ms either way.
inline constexpr std::int64_t kCompactMinHeads = 4;
inline constexpr std::int64_t kCompactMinBytes = std::int64_t{1} << 20;
// ...and at most this many: the byte copy stays a modest temporary.
inline constexpr std::int64_t kCompactMaxBytes = std::int64_t{1} << 30;

// Explicit masks shared by the heads, on the rows-in-lanes path (flash_lanes_bias.inc), are copied
// once per call into the lanes' layout, 4 bytes per (row, key) of one batch (or of each batch
// where the masks vary along it): at most this many bytes (a [1, 1, 8192, 8192] mask); larger
// ones stay on the row-block path, which reads the masks in place. The calling thread keeps a
// copy of up to kLanesBiasKeepBytes for its next call (a new one faulted in 1,024 pages per
// 4 MiB every call) and frees a larger one after the call.
inline constexpr std::int64_t kLanesBiasMaxBytes = std::int64_t{256} << 20;
inline constexpr std::int64_t kLanesBiasKeepBytes = std::int64_t{64} << 20;

// Threads get at least this many multiply-adds each (about 5 µs of work at the FMA peak): an
// OpenMP fork and join costs microseconds, and far more when another process holds a core, so a
// 10-token sentence runs on one thread.
inline constexpr double kMinMultiplyAddsPerThread = 1 << 20;

inline int threads_for(double multiply_adds, int threads) {
  const double useful = multiply_adds / kMinMultiplyAddsPerThread;
  return useful >= threads ? threads : useful < 1.0 ? 1 : static_cast<int>(useful);
}

// Work split. A (batch, KV head) group is handed to one thread whole when there are at least
// this many groups per thread (enough parallel work, no synchronisation inside a group)...
inline constexpr int kGroupsPerThreadForWholeGroups = 2;
// ...and its packed keys and values fit this budget per thread.
inline constexpr std::int64_t kWholeGroupPackBytes = std::int64_t{8} << 20;
// Otherwise groups run one after another, all threads on the row blocks of one group, and the
// keys are split in chunks (merged by log-sum-exp) until there are this many work items per thread.
inline constexpr int kWorkItemsPerThread = 4;
// A key chunk never gets shorter than this many blocks (a split costs a merge of D floats per row).
inline constexpr int kMinBlocksPerChunk = 4;

}  // namespace mha::detail
