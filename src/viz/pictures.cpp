// viz::write_pictures: the page and the heatmaps of one explanation, side by side.
#include <filesystem>
#include <string>

#include "mha/viz.hpp"

namespace mha::viz {

namespace fs = std::filesystem;

Pictures write_pictures(const AttentionMaps& maps, const fs::path& html_path, int layer, int head,
                        bool images) {
  validate(maps);
  (void)maps.head_map(layer, head);  // checks layer and head before anything is written
  Pictures p{.html = html_path.string(), .html_bytes = 0, .images = {}};
  write_html(maps, html_path);
  p.html_bytes = fs::file_size(html_path);
  if (!images) return p;
  const auto beside = [&](const std::string& suffix) {
    return (html_path.parent_path() / (html_path.stem().string() + suffix)).string();
  };
  const std::string one = "_layer" + std::to_string(layer) + "_head" + std::to_string(head);
  p.images = {beside(one + ".png"), beside(one + ".svg"), beside("_grid.png"), beside("_grid.svg")};
  write_file(p.images[0], png_heatmap(maps, layer, head));
  write_file(p.images[1], svg_heatmap(maps, layer, head));
  write_file(p.images[2], png_grid(maps));
  write_file(p.images[3], svg_grid(maps));
  return p;
}

}  // namespace mha::viz
