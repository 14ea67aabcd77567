#pragma once
// The element types of the safetensors format: their names, their sizes in bits, and the mha
// type each maps to (when it has one).
#include <cstdint>
#include <optional>
#include <string_view>

#include "mha/dtype.hpp"

namespace mha::io {

struct SafetensorsDType {
  std::string_view name;
  std::uint32_t bits;        // per element; F4 and F6_* are sub-byte types
  std::optional<DType> mha;  // the mha type the data can be viewed as, if any
};

// The entry for a dtype name of the format, or nullptr when the name is not one of them.
const SafetensorsDType* find_safetensors_dtype(std::string_view name) noexcept;

// "F32, F64, F16, BF16, I64, BOOL": the names tensor() accepts, for error messages.
std::string_view viewable_safetensors_dtypes() noexcept;

}  // namespace mha::io
