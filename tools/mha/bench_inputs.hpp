#pragma once
// Benchmark inputs that any other program can reproduce exactly (bench/compare.py does, in
// NumPy): element i of stream s is
//     u = (splitmix64((s << 40) ^ i) >> 40) · 2^-24 · 2 − 1,   uniform in [−1, 1) on a 2^-23 grid,
// with splitmix64(x) = the usual finalizer of x + 0x9e3779b97f4a7c15. Streams: 1 query, 2 key,
// 3 value, 4 mask, 5 module input, 6.. module weights. A mask element is removed where u < −0.8
// (10%): bool masks hold u >= −0.8, float masks hold −inf there and u elsewhere.
#include <cstdint>

#include "mha/tensor.hpp"

namespace mha::cli {

enum class Stream : std::uint64_t { query = 1, key = 2, value = 3, mask = 4, module_input = 5, weights = 6 };

inline std::uint64_t splitmix64(std::uint64_t x) {
  x += 0x9e3779b97f4a7c15ull;
  x = (x ^ (x >> 30)) * 0xbf58476d1ce4e5b9ull;
  x = (x ^ (x >> 27)) * 0x94d049bb133111ebull;
  return x ^ (x >> 31);
}

inline float bench_uniform(std::uint64_t stream, std::uint64_t i) {
  const std::uint64_t bits = splitmix64((stream << 40) ^ i) >> 40;  // 24 bits
  return static_cast<float>(static_cast<double>(bits) * 0x1.0p-24 * 2.0 - 1.0);
}

// A tensor of stream s's values (rounded once to dtype), filled in parallel.
Tensor bench_tensor(std::uint64_t stream, DType dtype, const Shape& shape, float scale = 1.0f);
// Masks: removed where u < −0.8.
Tensor bench_bool_mask(const Shape& shape);   // true = keep (ONNX / SDPA convention)
Tensor bench_float_mask(const Shape& shape);  // −inf = removed, else u

}  // namespace mha::cli
