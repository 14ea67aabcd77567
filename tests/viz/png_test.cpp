// PNG heatmaps: a valid PNG (signature, IHDR), the right size, and the ramp's colours in the cells,
// read back with libpng.
#include <gtest/gtest.h>
#include <png.h>

#include <cstring>

#include "mha/error.hpp"
#include "mha/viz.hpp"
#include "viz/demo_data.hpp"

namespace mha::viz {
namespace {

std::uint32_t be32(const std::uint8_t* p) {
  return (std::uint32_t{p[0]} << 24) | (std::uint32_t{p[1]} << 16) | (std::uint32_t{p[2]} << 8) |
         p[3];
}

struct Image {
  std::uint32_t width = 0, height = 0;
  std::vector<std::uint8_t> rgb;
  Rgb at(std::uint32_t x, std::uint32_t y) const {
    const std::uint8_t* p = &rgb[(static_cast<std::size_t>(y) * width + x) * 3];
    return {p[0], p[1], p[2]};
  }
};

Image decode(const std::vector<std::uint8_t>& png) {
  png_image image{};
  image.version = PNG_IMAGE_VERSION;
  EXPECT_TRUE(png_image_begin_read_from_memory(&image, png.data(), png.size())) << image.message;
  image.format = PNG_FORMAT_RGB;
  Image out{image.width, image.height, std::vector<std::uint8_t>(PNG_IMAGE_SIZE(image))};
  EXPECT_TRUE(png_image_finish_read(&image, nullptr, out.rgb.data(), 0, nullptr)) << image.message;
  return out;
}

TEST(VizPng, SignatureAndHeader) {
  const AttentionMaps m = demo::patterns(demo::fox_tokens(), 2, 3);  // S = 12
  const std::vector<std::uint8_t> png = png_heatmap(m, 1, 2, {.cell = 5});
  ASSERT_GT(png.size(), 33u);
  const std::uint8_t signature[8] = {0x89, 'P', 'N', 'G', '\r', '\n', 0x1A, '\n'};
  EXPECT_EQ(std::memcmp(png.data(), signature, 8), 0);
  EXPECT_EQ(be32(&png[8]), 13u);  // the IHDR chunk comes first and holds 13 bytes
  EXPECT_EQ(std::memcmp(&png[12], "IHDR", 4), 0);
  EXPECT_EQ(be32(&png[16]), 60u);  // width = S · cell
  EXPECT_EQ(be32(&png[20]), 60u);
  EXPECT_EQ(png[24], 8);  // bit depth
  EXPECT_EQ(png[25], 2);  // colour type: RGB
  EXPECT_EQ(std::memcmp(&png[png.size() - 8], "IEND", 4), 0);
}

TEST(VizPng, CellsHaveTheRampColourOfTheirWeight) {
  const AttentionMaps m = demo::patterns(demo::fox_tokens(), 2, 3);
  const int cell = 4;
  const Image img = decode(png_heatmap(m, 1, 0, {.cell = cell}));
  const int S = static_cast<int>(m.seq_len());
  ASSERT_EQ(img.width, static_cast<std::uint32_t>(S * cell));
  const std::span<const float> map = m.head_map(1, 0);
  for (int i = 0; i < S; ++i)
    for (int j = 0; j < S; ++j)
      EXPECT_EQ(img.at(static_cast<std::uint32_t>(j * cell + 2),
                       static_cast<std::uint32_t>(i * cell + 1)),
                weight_color(map[static_cast<std::size_t>(i * S + j)]))
          << "query " << i << ", key " << j;
}

TEST(VizPng, AutomaticCellIsAbout512PixelsAcross) {
  const AttentionMaps m = demo::patterns(demo::fox_tokens(), 1, 1);  // S = 12 → 42 px cells
  const Image img = decode(png_heatmap(m, 0, 0));
  EXPECT_EQ(img.width, 12u * 42);
}

TEST(VizPng, GridPlacesEveryHeadBetweenGaps) {
  const AttentionMaps m = demo::patterns(demo::fox_tokens(), 2, 3);
  const int cell = 2, gap = 3, S = 12, panel = S * cell;
  const Image img = decode(png_grid(m, {.cell = cell, .gap = gap}));
  EXPECT_EQ(img.width, static_cast<std::uint32_t>(3 * (panel + gap) + gap));
  EXPECT_EQ(img.height, static_cast<std::uint32_t>(2 * (panel + gap) + gap));
  EXPECT_EQ(img.at(0, 0), (Rgb{208, 208, 208}));  // the gap colour
  for (int l = 0; l < 2; ++l)
    for (int h = 0; h < 3; ++h) {
      const auto x = static_cast<std::uint32_t>(gap + h * (panel + gap) + 5 * cell);
      const auto y = static_cast<std::uint32_t>(gap + l * (panel + gap) + 7 * cell);
      EXPECT_EQ(img.at(x, y), weight_color(m.head_map(l, h)[7 * S + 5])) << l << "," << h;
    }
}

TEST(VizPng, OptionsAreChecked) {
  const AttentionMaps m = demo::patterns(demo::fox_tokens(), 1, 1);
  EXPECT_THROW((void)png_heatmap(m, 0, 0, {.cell = 65}), Error);
  EXPECT_THROW((void)png_grid(m, {.cell = 1, .gap = -1}), Error);
  EXPECT_THROW((void)png_heatmap(m, 0, 1), Error);
  AttentionMaps wide = m;  // 3000 tokens at 16 px: 48000 px, past the 32768 px limit
  wide.tokens.assign(3000, "x");
  wide.weights.assign(3000u * 3000u, 0.0f);
  EXPECT_THROW((void)png_heatmap(wide, 0, 0, {.cell = 16}), Error);
}

}  // namespace
}  // namespace mha::viz
