#pragma once
// Counter-based dropout: whether probability (b, h, i, j) is kept is a pure function of the seed
// and the position, so results do not depend on thread count or order, and the reference can
// draw the very same mask.
#include <cstdint>

namespace mha::detail {

inline std::uint64_t mix64(std::uint64_t x) noexcept {  // splitmix64 finalizer
  x += 0x9e3779b97f4a7c15ull;
  x = (x ^ (x >> 30)) * 0xbf58476d1ce4e5b9ull;
  x = (x ^ (x >> 27)) * 0x94d049bb133111ebull;
  return x ^ (x >> 31);
}

// A uniform double in [0, 1) for position (b, h, i, j) of stream `seed`.
inline double dropout_uniform(std::uint64_t seed, std::int64_t b, std::int64_t h, std::int64_t i,
                              std::int64_t j) noexcept {
  std::uint64_t x = mix64(seed);
  x = mix64(x ^ static_cast<std::uint64_t>(b));
  x = mix64(x ^ static_cast<std::uint64_t>(h));
  x = mix64(x ^ static_cast<std::uint64_t>(i));
  x = mix64(x ^ static_cast<std::uint64_t>(j));
  return static_cast<double>(x >> 11) * 0x1.0p-53;
}

inline bool dropout_keep(std::uint64_t seed, double p, std::int64_t b, std::int64_t h, std::int64_t i,
                         std::int64_t j) noexcept {
  return dropout_uniform(seed, b, h, i, j) >= p;
}

}  // namespace mha::detail
