#pragma once
// Parsing and validating a safetensors file's layout (the length prefix, the JSON header and how
// the tensors tile the data region), without touching the data region itself.
#include <cstddef>
#include <map>
#include <span>
#include <string>
#include <vector>

#include "mha/safetensors.hpp"

namespace mha::io {

struct SafetensorsLayout {
  std::size_t data_start = 0;             // 8 + header length: where the data region begins
  std::vector<SafetensorsEntry> entries;  // sorted by (begin, end)
  std::map<std::string, std::string> metadata;
};

// Validates the whole file `file` (every rule of include/mha/safetensors.hpp) and returns its
// layout. `source` names the file in error messages. Throws mha::Error.
SafetensorsLayout parse_safetensors_layout(std::span<const std::byte> file,
                                           const std::string& source);

}  // namespace mha::io
