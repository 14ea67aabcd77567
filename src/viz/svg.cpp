// SVG heatmaps, written by hand: a few element kinds, every label through xml_escape.
#include <algorithm>
#include <cstdio>
#include <map>
#include <string>

#include "mha/viz.hpp"
#include "viz/escape.hpp"
#include "viz/text_width.hpp"

namespace mha::viz {
namespace {

using detail::xml_escape;

constexpr int kFont = 12;             // px, labels
constexpr double kColumnPx = 7.2;     // average advance of one column of a 12 px sans-serif font
constexpr int kMaxLabelColumns = 24;  // longer tokens are cut (the <title> keeps them whole)

std::string num(double v) {
  char buf[32];
  std::snprintf(buf, sizeof buf, "%.4g", v);
  return buf;
}

std::string fmt_weight(float w) {
  char buf[32];
  std::snprintf(buf, sizeof buf, "%.3f", static_cast<double>(w));
  return buf;
}

// The label of a token, cut to kMaxLabelColumns columns with an ellipsis.
std::string label(const std::string& token) {
  if (detail::columns(token) <= kMaxLabelColumns) return token;
  std::string out;
  int cols = 0;
  for (std::size_t i = 0; i < token.size();) {
    const std::size_t start = i;
    cols += detail::display_width(detail::next_code_point(token, i));
    if (cols > kMaxLabelColumns - 1) break;
    out.append(token, start, i - start);
  }
  return out + "…";
}

int label_px(const std::vector<std::string>& tokens) {
  int cols = 1;
  for (const std::string& t : tokens) cols = std::max(cols, detail::columns(label(t)));
  return static_cast<int>(cols * kColumnPx) + 8;
}

// The width of a 14 px bold title (about 8.5 px a column), with margins.
int title_px(const std::string& title) {
  return static_cast<int>(detail::columns(title) * 8.5) + 16;
}

void open_svg(std::string& out, int width, int height, const std::string& title) {
  out += "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n";
  out += "<svg xmlns=\"http://www.w3.org/2000/svg\" version=\"1.1\" width=\"" + num(width) +
         "\" height=\"" + num(height) + "\" viewBox=\"0 0 " + num(width) + " " + num(height) +
         "\" font-family=\"sans-serif\" font-size=\"" + num(kFont) + "\">\n";
  out += "<title>" + xml_escape(title) + "</title>\n";
  out += "<rect width=\"100%\" height=\"100%\" fill=\"#ffffff\"/>\n";
}

// A horizontal colour scale 0 → 1 with the ramp as a gradient.
void scale_bar(std::string& out, int x, int y, int width) {
  out += "<defs><linearGradient id=\"ramp\">";
  const std::span<const Rgb> ramp = weight_ramp();
  for (std::size_t k = 0; k < ramp.size(); ++k)
    out += "<stop offset=\"" + num(static_cast<double>(k) / (ramp.size() - 1)) +
           "\" stop-color=\"" + hex(ramp[k]) + "\"/>";
  out += "</linearGradient></defs>\n";
  out += "<rect x=\"" + num(x) + "\" y=\"" + num(y) + "\" width=\"" + num(width) +
         "\" height=\"10\" fill=\"url(#ramp)\" stroke=\"#999999\" stroke-width=\"0.5\"/>\n";
  out += "<text x=\"" + num(x) + "\" y=\"" + num(y + 24) + "\">0</text>";
  out +=
      "<text x=\"" + num(x + width) + "\" y=\"" + num(y + 24) + "\" text-anchor=\"end\">1</text>";
  out += "<text x=\"" + num(x + width / 2) + "\" y=\"" + num(y + 24) +
         "\" text-anchor=\"middle\">attention weight</text>\n";
}

std::string title_of(const AttentionMaps& maps) {
  return maps.model.empty() ? std::string("attention") : maps.model;
}

}  // namespace

std::string svg_heatmap(const AttentionMaps& maps, int layer, int head) {
  validate(maps);
  const std::span<const float> map = maps.head_map(layer, head);
  const int S = static_cast<int>(maps.seq_len());
  const int cell = std::clamp(768 / S, 2, 28);
  const int labels = label_px(maps.tokens);
  const int left = labels + 4, top = 44 + labels, grid = S * cell;
  const std::string title =
      title_of(maps) + " — layer " + std::to_string(layer) + ", head " + std::to_string(head);
  const int width = std::max({left + grid + 16, 320, title_px(title)});
  const int height = top + grid + 56;

  std::string out;
  out.reserve(static_cast<std::size_t>(S) * S * 120 + 4096);
  open_svg(out, width, height, title);
  out += "<text x=\"8\" y=\"18\" font-size=\"14\" font-weight=\"bold\">" + xml_escape(title) +
         "</text>\n";
  out +=
      "<text x=\"8\" y=\"34\" fill=\"#555555\">row = query (attends from), column = key "
      "(attends to)</text>\n";
  // Query labels down the left, right-aligned against the grid.
  out += "<g text-anchor=\"end\" dominant-baseline=\"central\">\n";
  for (int i = 0; i < S; ++i)
    out += "<text x=\"" + num(left - 4) + "\" y=\"" + num(top + i * cell + cell / 2.0) + "\">" +
           xml_escape(label(maps.tokens[static_cast<std::size_t>(i)])) + "</text>\n";
  out += "</g>\n";
  // Key labels across the top, written upwards from the grid.
  out += "<g dominant-baseline=\"central\">\n";
  for (int j = 0; j < S; ++j) {
    const double x = left + j * cell + cell / 2.0, y = top - 4;
    out += "<text transform=\"translate(" + num(x) + " " + num(y) + ") rotate(-90)\">" +
           xml_escape(label(maps.tokens[static_cast<std::size_t>(j)])) + "</text>\n";
  }
  out += "</g>\n";
  // The cells; each <title> is the tooltip a viewer shows on hover.
  out += "<g stroke=\"#ffffff\" stroke-width=\"0.5\">\n";
  for (int i = 0; i < S; ++i)
    for (int j = 0; j < S; ++j) {
      const float w = map[static_cast<std::size_t>(i) * S + j];
      out += "<rect x=\"" + num(left + j * cell) + "\" y=\"" + num(top + i * cell) + "\" width=\"" +
             num(cell) + "\" height=\"" + num(cell) + "\" fill=\"" + hex(weight_color(w)) +
             "\"><title>" + xml_escape(maps.tokens[static_cast<std::size_t>(i)]) + " → " +
             xml_escape(maps.tokens[static_cast<std::size_t>(j)]) + ": " + fmt_weight(w) +
             "</title></rect>\n";
    }
  out += "</g>\n";
  scale_bar(out, left, top + grid + 16, std::min(grid, 240));
  out += "</svg>\n";
  return out;
}

std::string svg_grid(const AttentionMaps& maps) {
  validate(maps);
  const int S = static_cast<int>(maps.seq_len());
  const int cell = std::max(1, 64 / S), panel = S * cell, gap = 8;
  const int left = 64, top = 56;
  const std::string title = title_of(maps) + " — every head of every layer";
  const int width = std::max(left + maps.heads * (panel + gap), title_px(title));
  const int height = top + maps.layers * (panel + gap) + 48;

  std::string out;
  open_svg(out, width, height, title);
  out += "<text x=\"8\" y=\"18\" font-size=\"14\" font-weight=\"bold\">" + xml_escape(title) +
         "</text>\n";
  out +=
      "<text x=\"8\" y=\"34\" fill=\"#555555\">each square: one head, row = query, column = "
      "key</text>\n";
  for (int h = 0; h < maps.heads; ++h)
    out += "<text x=\"" + num(left + h * (panel + gap) + panel / 2.0) + "\" y=\"" + num(top - 6) +
           "\" text-anchor=\"middle\">head " + std::to_string(h) + "</text>\n";
  for (int l = 0; l < maps.layers; ++l)
    out += "<text x=\"" + num(left - 8) + "\" y=\"" + num(top + l * (panel + gap) + panel / 2.0) +
           "\" text-anchor=\"end\" dominant-baseline=\"central\">layer " + std::to_string(l) +
           "</text>\n";
  // One <path> per colour per panel instead of a <rect> per weight: a third of the bytes.
  for (int l = 0; l < maps.layers; ++l)
    for (int h = 0; h < maps.heads; ++h) {
      const std::span<const float> map = maps.head_map(l, h);
      std::map<std::string, std::string> paths;  // colour → path data
      for (int i = 0; i < S; ++i)
        for (int j = 0; j < S; ++j) {
          const std::string c = hex(weight_color(map[static_cast<std::size_t>(i) * S + j]));
          if (c == "#ffffff") continue;  // the panel's background
          // Appended piece by piece: GCC 12 misreads `"M" + std::string&&` (-Wrestrict).
          std::string& d = paths[c];
          d.append("M").append(num(j * cell)).append(" ").append(num(i * cell));
          d.append("h").append(num(cell)).append("v").append(num(cell));
          d.append("h-").append(num(cell)).append("z");
        }
      out += "<g transform=\"translate(" + num(left + h * (panel + gap)) + " " +
             num(top + l * (panel + gap)) + ")\"><title>layer " + std::to_string(l) + ", head " +
             std::to_string(h) + "</title><rect width=\"" + num(panel) + "\" height=\"" +
             num(panel) + "\" fill=\"#ffffff\" stroke=\"#bbbbbb\" stroke-width=\"0.5\"/>";
      for (const auto& [colour, d] : paths)
        out += "<path fill=\"" + colour + "\" d=\"" + d + "\"/>";
      out += "</g>\n";
    }
  scale_bar(out, left, top + maps.layers * (panel + gap) + 4, std::min(240, width - left - 8));
  out += "</svg>\n";
  return out;
}

}  // namespace mha::viz
