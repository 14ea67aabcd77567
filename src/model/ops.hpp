#pragma once
// The encoder's operations besides attention, on contiguous f32 rows. Each is a loop over rows
// (tokens), parallel over them; reductions along a row accumulate in double, so their own
// rounding is far below the f32 rounding of the values they read.
#include <cstdint>

namespace mha::model {

// x[r] = LayerNorm(x[r] + add[r]) for rows r < rows of width E (add may be nullptr): the
// residual connection then (v − mean) / sqrt(var + eps) · weight + bias, with the biased
// variance, as torch.
void add_layer_norm(float* x, const float* add, std::int64_t rows, std::int64_t E,
                    const float* weight, const float* bias, double eps);

// x = gelu(x) elementwise, the exact form 0.5·x·(1 + erf(x/√2)) (transformers' "gelu").
void gelu_erf(float* x, std::int64_t n);

// out[E] = mean of the first `count` rows of x (each of width E), then divided by
// max(‖mean‖₂, 1e-12) — sentence-transformers' mean Pooling followed by Normalize.
void mean_pool_normalize(const float* x, std::int64_t count, std::int64_t E, float* out);

}  // namespace mha::model
