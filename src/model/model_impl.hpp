#pragma once
// What a loaded Model holds: its configuration, the mapped weights file and the weights.
#include <filesystem>

#include "mha/model.hpp"
#include "mha/safetensors.hpp"
#include "model/weights.hpp"

namespace mha {

struct Model::Impl {
  std::filesystem::path directory;
  BertConfig config;
  std::int64_t max_seq_length = 0;
  Safetensors file;  // keeps the mapping alive: F32 weights are views into it
  model::EncoderWeights weights;
};

}  // namespace mha
