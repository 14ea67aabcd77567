// PNG heatmaps through libpng's "simplified API" (png_image_write_to_memory, libpng >= 1.6.24).
//
// Why libpng and not an encoder of our own on zlib: DESIGN.md prefers a well-kept library, libpng
// is on every Debian machine, and the simplified API is a plain function call that reports errors
// in image.message — no setjmp/longjmp crossing C++ frames, which the classic API needs. The tests
// read the files back with the same library.
#include <png.h>

#include <algorithm>
#include <string>
#include <vector>

#include "mha/error.hpp"
#include "mha/viz.hpp"

namespace mha::viz {
namespace {

constexpr const char* kWhere = "mha::viz::png";
constexpr std::int64_t kMaxSide = 32768;  // keeps an image under 3 GiB of RGB and PNG-sized
constexpr Rgb kGapColor{208, 208, 208};   // frames the panels: white is the colour of weight 0

struct Canvas {
  int width, height;
  std::vector<std::uint8_t> rgb;  // [height, width, 3]

  Canvas(std::int64_t w, std::int64_t h, Rgb background) : width(0), height(0) {
    if (w > kMaxSide || h > kMaxSide)
      throw Error(kWhere, "options.cell",
                  "an image of at most " + std::to_string(kMaxSide) +
                      " pixels on a side (use a smaller cell)",
                  std::to_string(w) + " × " + std::to_string(h) + " pixels");
    width = static_cast<int>(w), height = static_cast<int>(h);
    rgb.resize(static_cast<std::size_t>(width) * height * 3);
    fill(0, 0, width, height, background);
  }
  void fill(int x0, int y0, int w, int h, Rgb c) {
    for (int y = y0; y < y0 + h; ++y)
      for (int x = x0; x < x0 + w; ++x) {
        std::uint8_t* p = &rgb[(static_cast<std::size_t>(y) * width + x) * 3];
        p[0] = c.r, p[1] = c.g, p[2] = c.b;
      }
  }
};

int checked_cell(const PngOptions& o, std::int64_t S, int pixels_across) {
  if (o.cell < 0 || o.cell > 64)
    throw Error(kWhere, "options.cell", "0 (automatic) or 1..64", std::to_string(o.cell));
  if (o.gap < 0 || o.gap > 64) throw Error(kWhere, "options.gap", "0..64", std::to_string(o.gap));
  if (o.cell > 0) return o.cell;
  return static_cast<int>(std::clamp<std::int64_t>(pixels_across / S, 1, 64));
}

void draw_map(Canvas& c, std::span<const float> map, int S, int cell, int x0, int y0) {
  for (int i = 0; i < S; ++i)
    for (int j = 0; j < S; ++j)
      c.fill(x0 + j * cell, y0 + i * cell, cell, cell,
             weight_color(map[static_cast<std::size_t>(i) * S + j]));
}

std::vector<std::uint8_t> encode(const Canvas& c) {
  png_image image{};
  image.version = PNG_IMAGE_VERSION;
  image.width = static_cast<png_uint_32>(c.width);
  image.height = static_cast<png_uint_32>(c.height);
  image.format = PNG_FORMAT_RGB;
  // First call with no buffer asks for the size, the second writes.
  png_alloc_size_t size = 0;
  if (!png_image_write_to_memory(&image, nullptr, &size, 0, c.rgb.data(), 0, nullptr))
    throw Error(std::string(kWhere) + ": libpng: " + image.message);
  std::vector<std::uint8_t> out(size);
  if (!png_image_write_to_memory(&image, out.data(), &size, 0, c.rgb.data(), 0, nullptr))
    throw Error(std::string(kWhere) + ": libpng: " + image.message);
  png_image_free(&image);
  out.resize(size);
  return out;
}

}  // namespace

std::vector<std::uint8_t> png_heatmap(const AttentionMaps& maps, int layer, int head,
                                      const PngOptions& options) {
  validate(maps);
  const std::span<const float> map = maps.head_map(layer, head);
  const std::int64_t S = maps.seq_len();
  const int cell = checked_cell(options, S, 512);
  Canvas c(S * cell, S * cell, Rgb{255, 255, 255});
  draw_map(c, map, static_cast<int>(S), cell, 0, 0);
  return encode(c);
}

std::vector<std::uint8_t> png_grid(const AttentionMaps& maps, const PngOptions& options) {
  validate(maps);
  const std::int64_t S = maps.seq_len();
  const int cell = checked_cell(options, S, 96), gap = options.gap;
  const std::int64_t panel = S * cell;
  Canvas c(maps.heads * (panel + gap) + gap, maps.layers * (panel + gap) + gap, kGapColor);
  for (int l = 0; l < maps.layers; ++l)
    for (int h = 0; h < maps.heads; ++h)
      draw_map(c, maps.head_map(l, h), static_cast<int>(S), cell,
               static_cast<int>(gap + h * (panel + gap)),
               static_cast<int>(gap + l * (panel + gap)));
  return encode(c);
}

}  // namespace mha::viz
