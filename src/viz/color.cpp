// The colours of every picture, in one place so that a weight and a head look the same in the
// HTML page, the SVG, the PNG and the terminal.
#include <algorithm>
#include <array>
#include <cmath>
#include <cstdio>

#include "mha/viz.hpp"

namespace mha::viz {
namespace {

// White to dark blue. One hue keeps the order of weights readable at a glance (a rainbow would
// not), and lightness falls steadily so that the ramp survives greyscale printing.
constexpr std::array<Rgb, 5> kRamp = {{
    {255, 255, 255},
    {204, 224, 243},
    {125, 176, 221},
    {46, 111, 180},
    {12, 44, 110},
}};

std::uint8_t channel(double v) {
  return static_cast<std::uint8_t>(std::clamp(std::lround(v), 0L, 255L));
}

}  // namespace

std::span<const Rgb> weight_ramp() noexcept { return kRamp; }

Rgb weight_color(float weight) noexcept {
  // NaN compares false everywhere: it lands on 0 (white), never out of the table.
  const double w = weight > 0.0f ? std::min(static_cast<double>(weight), 1.0) : 0.0;
  const double x = w * (kRamp.size() - 1);
  const std::size_t k = std::min(static_cast<std::size_t>(x), kRamp.size() - 2);
  const double t = x - static_cast<double>(k);
  const Rgb a = kRamp[k], b = kRamp[k + 1];
  return {channel(a.r + (b.r - a.r) * t), channel(a.g + (b.g - a.g) * t),
          channel(a.b + (b.b - a.b) * t)};
}

Rgb head_color(int head, int heads) noexcept {
  // Hues evenly spaced (start at blue-violet), saturation and lightness fixed so that every head
  // shows as a line on white and none is much louder than the others.
  const int n = std::max(heads, 1);
  const double hue = std::fmod(220.0 + 360.0 * (head % n) / n, 360.0) / 60.0;
  const double s = 0.70, l = 0.45;
  const double c = (1 - std::fabs(2 * l - 1)) * s;
  const double x = c * (1 - std::fabs(std::fmod(hue, 2.0) - 1));
  double r = 0, g = 0, b = 0;
  switch (static_cast<int>(hue)) {
    case 0:
      r = c, g = x;
      break;
    case 1:
      r = x, g = c;
      break;
    case 2:
      g = c, b = x;
      break;
    case 3:
      g = x, b = c;
      break;
    case 4:
      r = x, b = c;
      break;
    default:
      r = c, b = x;
      break;
  }
  const double m = l - c / 2;
  return {channel((r + m) * 255), channel((g + m) * 255), channel((b + m) * 255)};
}

std::string hex(Rgb c) {
  char buf[8];
  std::snprintf(buf, sizeof buf, "#%02x%02x%02x", c.r, c.g, c.b);
  return buf;
}

}  // namespace mha::viz
