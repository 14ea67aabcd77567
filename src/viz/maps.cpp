// AttentionMaps: validation at the boundary, and the bridge from MultiHeadAttention's weights.
#include <cmath>
#include <string>

#include "mha/dtype.hpp"
#include "mha/error.hpp"
#include "mha/viz.hpp"

namespace mha::viz {
namespace {

constexpr const char* kWhere = "mha::viz";

std::string shape_of(const TensorView& v) { return v.shape().str(); }

}  // namespace

std::string_view step_name(int number) noexcept {
  static constexpr std::string_view kNames[] = {"input", "project", "score",
                                                "weigh", "concat",  "output"};
  return number >= 1 && number <= 6 ? kNames[number - 1] : std::string_view{};
}

void validate(const AttentionMaps& maps) {
  if (maps.layers < 1) throw Error(kWhere, "layers", "at least 1", std::to_string(maps.layers));
  if (maps.heads < 1) throw Error(kWhere, "heads", "at least 1", std::to_string(maps.heads));
  if (maps.tokens.empty()) throw Error(kWhere, "tokens", "at least one token", "none");
  const auto S = static_cast<std::uint64_t>(maps.tokens.size());
  // Compared by division, so that no product of the caller's sizes can overflow.
  const std::uint64_t maps_count = static_cast<std::uint64_t>(maps.layers) * maps.heads;
  const std::uint64_t n = maps.weights.size();
  if (S > (1u << 20) || n % (S * S) != 0 || n / (S * S) != maps_count)
    throw Error(kWhere, "weights",
                "layers·heads·S·S = " + std::to_string(maps.layers) + "·" +
                    std::to_string(maps.heads) + "·" + std::to_string(S) + "·" + std::to_string(S) +
                    " values",
                std::to_string(n) + " values");
  for (std::size_t i = 0; i < maps.weights.size(); ++i)
    if (!std::isfinite(maps.weights[i]))
      throw Error(kWhere, "weights", "finite values",
                  std::to_string(maps.weights[i]) + " at index " + std::to_string(i));
  if (!maps.head_summaries.empty() &&
      maps.head_summaries.size() != static_cast<std::size_t>(maps.layers) * maps.heads)
    throw Error(kWhere, "head_summaries",
                "none or layers·heads = " + std::to_string(maps.layers * maps.heads) + " lines",
                std::to_string(maps.head_summaries.size()) + " lines");
  for (const Step& s : maps.steps)
    if (step_name(s.number).empty())
      throw Error(kWhere, "steps", "step numbers 1..6", std::to_string(s.number));
}

std::span<const float> AttentionMaps::head_map(int layer, int head) const {
  if (layer < 0 || layer >= layers)
    throw Error(kWhere, "layer", "0.." + std::to_string(layers - 1), std::to_string(layer));
  if (head < 0 || head >= heads)
    throw Error(kWhere, "head", "0.." + std::to_string(heads - 1), std::to_string(head));
  const auto S = static_cast<std::size_t>(seq_len());
  const std::size_t offset = (static_cast<std::size_t>(layer) * heads + head) * S * S;
  if (weights.size() < offset + S * S)
    throw Error(kWhere, "weights", "layers·heads·S·S values",
                std::to_string(weights.size()) + " values");
  return std::span<const float>(weights).subspan(offset, S * S);
}

AttentionMaps from_layer_weights(std::string model, std::vector<std::string> tokens,
                                 std::span<const TensorView> layer_weights) {
  const auto S = static_cast<std::int64_t>(tokens.size());
  if (layer_weights.empty())
    throw Error("mha::viz::from_layer_weights", "layer_weights", "at least one layer", "none");
  AttentionMaps maps;
  maps.model = std::move(model);
  maps.tokens = std::move(tokens);
  maps.layers = static_cast<int>(layer_weights.size());
  for (std::size_t l = 0; l < layer_weights.size(); ++l) {
    TensorView w = layer_weights[l];
    const std::string arg = "layer_weights[" + std::to_string(l) + "]";
    if (!w.defined() || !is_floating(w.dtype()))
      throw Error("mha::viz::from_layer_weights", arg, "a floating tensor",
                  w.defined() ? dtype_name(w.dtype()) : "an absent tensor");
    if (w.rank() == 4 && w.size(0) == 1)
      w = TensorView(w.data(), w.dtype(), Shape{w.size(1), w.size(2), w.size(3)},
                     Shape{w.stride(1), w.stride(2), w.stride(3)});
    const std::int64_t H = w.rank() == 3 ? w.size(0) : 0;
    if (w.rank() != 3 || H < 1 || H > (1 << 16) || w.size(1) != S || w.size(2) != S ||
        (l > 0 && H != maps.heads))
      throw Error("mha::viz::from_layer_weights", arg,
                  "[1, H, S, S] or [H, S, S] with S = " + std::to_string(S) + " tokens" +
                      (l > 0 ? " and H = " + std::to_string(maps.heads) : ""),
                  "shape " + shape_of(layer_weights[l]));
    maps.heads = static_cast<int>(H);
    // One conversion to contiguous f32 (any dtype, any strides), then appended as is.
    const Tensor f32(DType::f32, Shape{H, S, S});
    copy_into(w, f32);
    maps.weights.insert(maps.weights.end(), f32.data_as<float>(),
                        f32.data_as<float>() + f32.numel());
  }
  validate(maps);
  maps.head_summaries = summarize_heads(maps);
  return maps;
}

}  // namespace mha::viz
