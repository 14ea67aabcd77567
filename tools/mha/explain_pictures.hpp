#pragma once
// The pictures of `mha explain`: the model's attention as mha::viz::AttentionMaps, written as
// one HTML page and, beside it, PNG and SVG heatmaps of the head shown and of every head.
#include <cstdint>
#include <string>
#include <vector>

#include "mha/tokenizer.hpp"
#include "mha/viz.hpp"
#include "model_input.hpp"

namespace mha::cli {

// attentions: the sentence's [layers, H, S, S] f32 probabilities (Encoding::attentions[0]).
viz::AttentionMaps model_maps(const LoadedModel& m, const std::string& text,
                              const TokenizedText& tokens, const Tensor& attentions,
                              viz::SixSteps steps);

// The page and the heatmaps (mha::viz::write_pictures, shared with Python's Model.explain).
using viz::Pictures;
inline Pictures write_pictures(const viz::AttentionMaps& maps, const std::string& html_path,
                               std::int64_t layer, std::int64_t head, bool images) {
  return viz::write_pictures(maps, html_path, static_cast<int>(layer), static_cast<int>(head),
                             images);
}

// "0.123 s"
std::string fixed_seconds(double seconds);

}  // namespace mha::cli
