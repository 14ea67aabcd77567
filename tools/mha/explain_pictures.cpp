// AttentionMaps from the model, and the files of `mha explain`.
#include "explain_pictures.hpp"

#include <cstdio>

namespace mha::cli {

viz::AttentionMaps model_maps(const LoadedModel& m, const std::string& text,
                              const TokenizedText& tokens, const Tensor& attentions,
                              viz::SixSteps steps) {
  viz::AttentionMaps maps;
  maps.model = m.name;
  maps.text = text;
  maps.tokens = tokens.tokens;
  maps.layers = static_cast<int>(attentions.size(0));
  maps.heads = static_cast<int>(attentions.size(1));
  const float* w = attentions.data_as<const float>();  // contiguous [layers, H, S, S]
  maps.weights.assign(w, w + attentions.numel());
  maps.steps = std::move(steps);
  viz::validate(maps);
  return maps;
}

std::string fixed_seconds(double seconds) {
  char buf[32];
  std::snprintf(buf, sizeof buf, "%.3f s", seconds);
  return buf;
}

}  // namespace mha::cli
