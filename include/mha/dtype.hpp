#pragma once
// Element types and the 16-bit float storage types.
//
// f16 and bf16 are storage types: mha loads them into fp32, computes and accumulates in fp32 (or
// double in the reference), and rounds to nearest-even only when it stores a result.
#include <cstddef>
#include <cstdint>
#include <cstring>
#include <string>

namespace mha {

enum class DType : std::uint8_t {
  f32,      // IEEE binary32
  f64,      // IEEE binary64 (reference results; accepted as input)
  f16,      // IEEE binary16
  bf16,     // bfloat16: the top 16 bits of a binary32
  boolean,  // one byte per element, 0 = false, anything else = true (masks)
  i64,      // int64 (sequence lengths)
};

std::size_t dtype_size(DType t) noexcept;
const char* dtype_name(DType t) noexcept;
inline bool is_floating(DType t) noexcept {
  return t == DType::f32 || t == DType::f64 || t == DType::f16 || t == DType::bf16;
}

// Bit-exact conversions (round to nearest, ties to even; NaN stays NaN, inf stays inf).
float f16_to_f32(std::uint16_t h) noexcept;
std::uint16_t f32_to_f16(float f) noexcept;

inline float bf16_to_f32(std::uint16_t b) noexcept {
  std::uint32_t u = static_cast<std::uint32_t>(b) << 16;
  float f;
  std::memcpy(&f, &u, sizeof f);
  return f;
}
inline std::uint16_t f32_to_bf16(float f) noexcept {
  std::uint32_t u;
  std::memcpy(&u, &f, sizeof u);
  if ((u & 0x7fffffffu) > 0x7f800000u) return static_cast<std::uint16_t>((u >> 16) | 0x40u);  // quiet NaN
  u += 0x7fffu + ((u >> 16) & 1u);  // round to nearest even
  return static_cast<std::uint16_t>(u >> 16);
}

// Load element i of a buffer of type t as double / store a double into it (rounding once).
// Used by the reference and by conversions; kernels use their own vector loads.
double load_as_double(const void* data, DType t, std::int64_t i) noexcept;
void store_from_double(void* data, DType t, std::int64_t i, double v) noexcept;
float load_as_float(const void* data, DType t, std::int64_t i) noexcept;
void store_from_float(void* data, DType t, std::int64_t i, float v) noexcept;

// The unit roundoff 2^-p of a floating type (half the machine epsilon), for tolerances.
double unit_roundoff(DType t) noexcept;

}  // namespace mha
