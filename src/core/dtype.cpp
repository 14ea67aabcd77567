#include "mha/dtype.hpp"

#include <cmath>

namespace mha {

std::size_t dtype_size(DType t) noexcept {
  switch (t) {
    case DType::f32: return 4;
    case DType::f64: return 8;
    case DType::f16: return 2;
    case DType::bf16: return 2;
    case DType::boolean: return 1;
    case DType::i64: return 8;
  }
  return 0;
}

const char* dtype_name(DType t) noexcept {
  switch (t) {
    case DType::f32: return "f32";
    case DType::f64: return "f64";
    case DType::f16: return "f16";
    case DType::bf16: return "bf16";
    case DType::boolean: return "bool";
    case DType::i64: return "i64";
  }
  return "?";
}

float f16_to_f32(std::uint16_t h) noexcept {
  const std::uint32_t sign = static_cast<std::uint32_t>(h & 0x8000u) << 16;
  const std::uint32_t exp = (h >> 10) & 0x1fu;
  std::uint32_t mant = h & 0x3ffu;
  std::uint32_t u;
  if (exp == 0x1f) {
    u = sign | 0x7f800000u | (mant << 13);  // inf / NaN
  } else if (exp != 0) {
    u = sign | ((exp + 112u) << 23) | (mant << 13);  // normal: rebias 15 -> 127
  } else if (mant == 0) {
    u = sign;  // zero
  } else {
    // Subnormal: normalize the mantissa.
    int e = -1;
    do {
      mant <<= 1;
      ++e;
    } while ((mant & 0x400u) == 0);
    u = sign | ((112u - static_cast<std::uint32_t>(e)) << 23) | ((mant & 0x3ffu) << 13);
  }
  float f;
  std::memcpy(&f, &u, sizeof f);
  return f;
}

std::uint16_t f32_to_f16(float f) noexcept {
  std::uint32_t u;
  std::memcpy(&u, &f, sizeof u);
  const std::uint16_t sign = static_cast<std::uint16_t>((u >> 16) & 0x8000u);
  const std::uint32_t abs = u & 0x7fffffffu;
  if (abs > 0x7f800000u) return sign | 0x7e00u;  // NaN
  if (abs >= 0x477ff000u) return sign | 0x7c00u;  // rounds to >= 65520: inf
  if (abs < 0x38800000u) {
    // Result is subnormal (or zero) in f16: value = abs_float / 2^-24 rounded to integer.
    if (abs < 0x33000000u) return sign;  // below half the smallest subnormal
    const std::uint32_t exp = abs >> 23;
    const std::uint32_t mant = (abs & 0x7fffffu) | 0x800000u;
    const std::uint32_t shift = 126u - exp;  // 14 + (127 - 1 - exp) ... aligns to 2^-24 units
    std::uint32_t q = mant >> shift;
    const std::uint32_t rem = mant & ((1u << shift) - 1u);
    const std::uint32_t half = 1u << (shift - 1u);
    if (rem > half || (rem == half && (q & 1u))) ++q;
    return sign | static_cast<std::uint16_t>(q);
  }
  // Normal: rebias and round the 13 dropped bits to nearest even.
  std::uint32_t r = abs - 0x38000000u;  // exponent 127 -> 15
  r += 0xfffu + ((r >> 13) & 1u);
  return sign | static_cast<std::uint16_t>(r >> 13);
}

double load_as_double(const void* data, DType t, std::int64_t i) noexcept {
  switch (t) {
    case DType::f32: return static_cast<const float*>(data)[i];
    case DType::f64: return static_cast<const double*>(data)[i];
    case DType::f16: return f16_to_f32(static_cast<const std::uint16_t*>(data)[i]);
    case DType::bf16: return bf16_to_f32(static_cast<const std::uint16_t*>(data)[i]);
    case DType::boolean: return static_cast<const std::uint8_t*>(data)[i] != 0 ? 1.0 : 0.0;
    case DType::i64: return static_cast<double>(static_cast<const std::int64_t*>(data)[i]);
  }
  return 0.0;
}

float load_as_float(const void* data, DType t, std::int64_t i) noexcept {
  switch (t) {
    case DType::f32: return static_cast<const float*>(data)[i];
    case DType::f16: return f16_to_f32(static_cast<const std::uint16_t*>(data)[i]);
    case DType::bf16: return bf16_to_f32(static_cast<const std::uint16_t*>(data)[i]);
    default: return static_cast<float>(load_as_double(data, t, i));
  }
}

void store_from_double(void* data, DType t, std::int64_t i, double v) noexcept {
  switch (t) {
    case DType::f64: static_cast<double*>(data)[i] = v; return;
    case DType::boolean: static_cast<std::uint8_t*>(data)[i] = v != 0.0; return;
    case DType::i64: static_cast<std::int64_t*>(data)[i] = static_cast<std::int64_t>(v); return;
    default: store_from_float(data, t, i, static_cast<float>(v)); return;
  }
}

void store_from_float(void* data, DType t, std::int64_t i, float v) noexcept {
  switch (t) {
    case DType::f32: static_cast<float*>(data)[i] = v; return;
    case DType::f16: static_cast<std::uint16_t*>(data)[i] = f32_to_f16(v); return;
    case DType::bf16: static_cast<std::uint16_t*>(data)[i] = f32_to_bf16(v); return;
    default: store_from_double(data, t, i, v); return;
  }
}

double unit_roundoff(DType t) noexcept {
  switch (t) {
    case DType::f32: return std::ldexp(1.0, -24);
    case DType::f64: return std::ldexp(1.0, -53);
    case DType::f16: return std::ldexp(1.0, -11);
    case DType::bf16: return std::ldexp(1.0, -8);
    default: return 0.0;
  }
}

}  // namespace mha
