#pragma once
// Steps 2 and 6: y = x·wᵀ + b for the projections.
#include <cstdint>
#include <vector>

#include "attention/cpu/isa.hpp"
#include "core/aligned_vector.hpp"
#include "mha/tensor.hpp"

namespace mha::detail {

// Weights w [N, K] packed once into the own GEMM's panel layout for the target active when
// they were packed, so that calls with constant weights (the module's projections, the model's
// feed-forward layers) skip the per-call packing (an O(N·K) copy that measured 6% of the
// encoder's time). Empty when linear() runs a BLAS. A call made after force_isa() switched
// targets sees a different isa and packs per call, as without.
// bf16 weights are packed as bf16 (half the bytes) and expanded to fp32 in the GEMM.
struct PackedWeights {
  Isa isa = Isa::scalar;
  std::int64_t N = 0, K = 0;
  aligned_vector<float> panels;              // fp32 weights (cache-line aligned: whole-vector loads)
  aligned_vector<std::uint16_t> panels_bf16;  // bf16 weights (their bits)
  bool usable_for(std::int64_t n, std::int64_t k) const;
};
PackedWeights pack_weights(const float* w, std::int64_t N, std::int64_t K);
PackedWeights pack_weights_bf16(const std::uint16_t* w, std::int64_t N, std::int64_t K);

// MultiHeadAttention's four projection matrices, packed, and its bias vectors in fp32 (empty
// when the module has none), whatever the dtype the module keeps its parameters in.
struct PackedProjections {
  PackedWeights q, k, v, out;
  std::vector<float> bq, bk, bv, bo, bias_k, bias_v;
};

// x [M, K] (row stride ldx), w [N, K] contiguous, b [N] or nullptr → y [M, N] (row stride ldy).
// fp32. Runs mha's own GEMM (the active kernel target), or the CBLAS sgemm the build found
// when MHA_GEMM=blas (src/module/sources.cmake).
// `packed`, when given and usable, is w already packed (pack_weights(w, N, K)).
void linear(const float* x, std::int64_t ldx, std::int64_t M, std::int64_t K, const float* w,
            const float* b, std::int64_t N, float* y, std::int64_t ldy,
            const PackedWeights* packed = nullptr);
// The same with bf16 weights w [N, K] (bits), fp32 x, b and y: the own GEMM expands the weights
// to fp32 panel by panel; a BLAS gets them expanded to fp32 per call.
void linear_bf16(const float* x, std::int64_t ldx, std::int64_t M, std::int64_t K, const std::uint16_t* w,
                 const float* b, std::int64_t N, float* y, std::int64_t ldy,
                 const PackedWeights* packed = nullptr);
// mha's own GEMM: weights packed into panels, register-blocked microkernel (gemm.inc).
void linear_own(const float* x, std::int64_t ldx, std::int64_t M, std::int64_t K, const float* w,
                const float* b, std::int64_t N, float* y, std::int64_t ldy);
// The CBLAS sgemm (the own GEMM when the build has none).
void linear_blas(const float* x, std::int64_t ldx, std::int64_t M, std::int64_t K, const float* w,
                 const float* b, std::int64_t N, float* y, std::int64_t ldy);
// y [M, n] = x [M, k]·wᵀ + b with a module's weight w [n, k] in its own dtype (f32 or bf16),
// x rows contiguous (stride k); b may be empty (no bias).
void project(const float* x, std::int64_t M, const Tensor& w, const std::vector<float>& b, float* y,
             std::int64_t ldy, const PackedWeights& packed);
// Which one linear() runs: "own", "openblas" or "cblas".
const char* linear_backend();

}  // namespace mha::detail
