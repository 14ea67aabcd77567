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

struct Pictures {
  std::string html;
  std::uintmax_t html_bytes = 0;
  std::vector<std::string> images;  // in the order written
};

// Writes `html_path` and, with `images`, next to it (for attention.html):
//   attention_layer<L>_head<H>.png/.svg   the head shown, one cell per (query, key)
//   attention_grid.png/.svg               every layer (rows) × head (columns)
Pictures write_pictures(const viz::AttentionMaps& maps, const std::string& html_path,
                        std::int64_t layer, std::int64_t head, bool images);

// "0.123 s"
std::string fixed_seconds(double seconds);

}  // namespace mha::cli
