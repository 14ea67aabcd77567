// AttentionMaps from the model, and the files of `mha explain`.
#include "explain_pictures.hpp"

#include <cstdio>
#include <filesystem>

namespace mha::cli {

namespace fs = std::filesystem;

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

Pictures write_pictures(const viz::AttentionMaps& maps, const std::string& html_path,
                        std::int64_t layer, std::int64_t head, bool images) {
  Pictures p{.html = html_path, .html_bytes = 0, .images = {}};
  viz::write_html(maps, html_path);
  p.html_bytes = fs::file_size(html_path);
  if (!images) return p;
  const fs::path html(html_path);
  const auto beside = [&](const std::string& suffix) {
    return (html.parent_path() / (html.stem().string() + suffix)).string();
  };
  const int l = static_cast<int>(layer), h = static_cast<int>(head);
  const std::string one = "_layer" + std::to_string(l) + "_head" + std::to_string(h);
  p.images = {beside(one + ".png"), beside(one + ".svg"), beside("_grid.png"), beside("_grid.svg")};
  viz::write_file(p.images[0], viz::png_heatmap(maps, l, h));
  viz::write_file(p.images[1], viz::svg_heatmap(maps, l, h));
  viz::write_file(p.images[2], viz::png_grid(maps));
  viz::write_file(p.images[3], viz::svg_grid(maps));
  return p;
}

std::string fixed_seconds(double seconds) {
  char buf[32];
  std::snprintf(buf, sizeof buf, "%.3f s", seconds);
  return buf;
}

}  // namespace mha::cli
