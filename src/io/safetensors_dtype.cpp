#include "io/safetensors_dtype.hpp"

#include <array>

namespace mha::io {
namespace {

// Every dtype of the format as the reference implementation (safetensors 0.8) defines it. The
// sub-byte float types pack elements without padding, so a tensor's size is computed in bits.
constexpr std::array<SafetensorsDType, 22> kDTypes{{
    {"BOOL", 8, DType::boolean},      {"F4", 4, std::nullopt},
    {"F6_E2M3", 6, std::nullopt},     {"F6_E3M2", 6, std::nullopt},
    {"U8", 8, std::nullopt},          {"I8", 8, std::nullopt},
    {"F8_E5M2", 8, std::nullopt},     {"F8_E4M3", 8, std::nullopt},
    {"F8_E8M0", 8, std::nullopt},     {"F8_E4M3FNUZ", 8, std::nullopt},
    {"F8_E5M2FNUZ", 8, std::nullopt}, {"I16", 16, std::nullopt},
    {"U16", 16, std::nullopt},        {"F16", 16, DType::f16},
    {"BF16", 16, DType::bf16},        {"I32", 32, std::nullopt},
    {"U32", 32, std::nullopt},        {"F32", 32, DType::f32},
    {"C64", 64, std::nullopt},        {"F64", 64, DType::f64},
    {"I64", 64, DType::i64},          {"U64", 64, std::nullopt},
}};

}  // namespace

const SafetensorsDType* find_safetensors_dtype(std::string_view name) noexcept {
  for (const auto& d : kDTypes)
    if (d.name == name) return &d;
  return nullptr;
}

std::string_view viewable_safetensors_dtypes() noexcept { return "F32, F64, F16, BF16, I64, BOOL"; }

}  // namespace mha::io
