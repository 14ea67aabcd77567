// The terminal heatmap: two character columns per key, coloured backgrounds or plain characters.
#include <unistd.h>

#include <algorithm>
#include <cmath>
#include <cstdlib>
#include <string>
#include <vector>

#include "mha/error.hpp"
#include "mha/viz.hpp"
#include "viz/utf8.hpp"

namespace mha::viz {
namespace {

using detail::append_utf8;
using detail::display_width;
using detail::next_code_point;

// Ten levels of ink, lightest first: weight w draws kInk[round(9·w)].
constexpr std::string_view kInk = " .:-=+*#%@";

// A character as drawn: a base code point and the zero-width ones that follow it (combining
// marks, joiners, variation selectors), so that a label is cut between characters, not inside.
struct Glyph {
  std::string text;
  int width = 1;
};

// A token split into glyphs, made safe for a terminal: control characters (ESC among them, which
// could otherwise send commands to the terminal) and ill-formed bytes become U+FFFD.
std::vector<Glyph> glyphs(std::string_view s) {
  std::vector<Glyph> out;
  bool join_next = false;  // after a zero-width joiner, the next code point belongs to the glyph
  for (std::size_t i = 0; i < s.size();) {
    char32_t c = next_code_point(s, i);
    if (detail::is_control(c)) c = detail::kReplacement;
    const int w = display_width(c);
    if ((w == 0 || join_next) && !out.empty()) {
      append_utf8(out.back().text, c);
    } else {
      out.push_back({"", std::max(w, 1)});
      append_utf8(out.back().text, c);
    }
    join_next = c == 0x200D;
  }
  return out;
}

// The glyphs of s cut to at most `columns` columns (the last one an ellipsis when cut), padded
// with spaces to exactly `columns`.
std::string fit(std::string_view s, int columns) {
  const std::vector<Glyph> g = glyphs(s);
  int total = 0;
  for (const Glyph& x : g) total += x.width;
  std::string out;
  int used = 0;
  const int budget = total <= columns ? columns : columns - 1;
  for (const Glyph& x : g) {
    if (used + x.width > budget) break;
    out += x.text;
    used += x.width;
  }
  if (total > columns) out += "…", ++used;
  out.append(static_cast<std::size_t>(columns - used), ' ');
  return out;
}

int nearest_ansi256(Rgb c) {
  // The 6×6×6 cube (16..231) and the grey ramp (232..255): take whichever is closer.
  static constexpr int kLevels[6] = {0, 95, 135, 175, 215, 255};
  const auto index = [](int v) {
    int best = 0;
    for (int k = 1; k < 6; ++k)
      if (std::abs(kLevels[k] - v) < std::abs(kLevels[best] - v)) best = k;
    return best;
  };
  const int r = index(c.r), g = index(c.g), b = index(c.b);
  const auto dist = [&](int R, int G, int B) {
    return (R - c.r) * (R - c.r) + (G - c.g) * (G - c.g) + (B - c.b) * (B - c.b);
  };
  const int cube = dist(kLevels[r], kLevels[g], kLevels[b]);
  const int grey_k = std::clamp((((c.r + c.g + c.b) / 3) - 8 + 5) / 10, 0, 23);
  const int grey_v = 8 + 10 * grey_k;
  if (dist(grey_v, grey_v, grey_v) < cube) return 232 + grey_k;
  return 16 + 36 * r + 6 * g + b;
}

// One cell: two columns showing weight w.
void cell(std::string& out, float w, TerminalColor color) {
  const Rgb c = weight_color(w);
  switch (color) {
    case TerminalColor::none: {
      const float x = std::clamp(w, 0.0f, 1.0f);
      const char ink = kInk[static_cast<std::size_t>(std::lround(x * (kInk.size() - 1)))];
      out.append(2, ink);
      return;
    }
    case TerminalColor::ansi256:
      out += "\x1b[48;5;" + std::to_string(nearest_ansi256(c)) + "m  ";
      return;
    case TerminalColor::truecolor:
      out += "\x1b[48;2;" + std::to_string(c.r) + ";" + std::to_string(c.g) + ";" +
             std::to_string(c.b) + "m  ";
      return;
  }
}

std::string end_row(TerminalColor color) {
  return color == TerminalColor::none ? "\n" : "\x1b[0m\n";
}

std::string sanitized(std::string_view s) {
  std::string out;
  for (const Glyph& g : glyphs(s)) out += g.text;
  return out;
}

}  // namespace

std::string terminal_heatmap(const AttentionMaps& maps, int layer, int head,
                             const TerminalOptions& options) {
  validate(maps);
  const std::span<const float> map = maps.head_map(layer, head);
  if (options.label_width < 4 || options.label_width > 200)
    throw Error("mha::viz::terminal_heatmap", "options.label_width", "4..200",
                std::to_string(options.label_width));
  if (options.key_rows < 0 || options.key_rows > 64)
    throw Error("mha::viz::terminal_heatmap", "options.key_rows", "0..64",
                std::to_string(options.key_rows));
  const int S = static_cast<int>(maps.seq_len());
  const int digits = static_cast<int>(std::to_string(S - 1).size());
  const int margin = digits + 1 + options.label_width + 1;  // "12 token········ "

  std::string out = "layer " + std::to_string(layer) + ", head " + std::to_string(head);
  if (!maps.model.empty()) out += " of " + sanitized(maps.model);
  out += "  (row = query, column = key)\n";

  // Key labels written downwards, one glyph per row, each in its two-column slot.
  std::vector<std::vector<Glyph>> keys;
  int rows = 0;
  for (const std::string& t : maps.tokens) {
    keys.push_back(glyphs(t));
    rows = std::max(rows, static_cast<int>(keys.back().size()));
  }
  rows = std::min(rows, options.key_rows);
  for (int r = 0; r < rows; ++r) {
    std::string line(static_cast<std::size_t>(margin), ' ');
    for (const std::vector<Glyph>& k : keys) {
      const bool cut = static_cast<int>(k.size()) > rows && r == rows - 1;
      if (cut) {
        line += "… ";
      } else if (r < static_cast<int>(k.size())) {
        line += k[static_cast<std::size_t>(r)].text;
        if (k[static_cast<std::size_t>(r)].width == 1) line += ' ';
      } else {
        line += "  ";
      }
    }
    while (!line.empty() && line.back() == ' ') line.pop_back();
    out += line + "\n";
  }

  for (int i = 0; i < S; ++i) {
    std::string index = std::to_string(i);
    out += std::string(static_cast<std::size_t>(digits) - index.size(), ' ') + index + " " +
           fit(maps.tokens[static_cast<std::size_t>(i)], options.label_width) + " ";
    for (int j = 0; j < S; ++j) cell(out, map[static_cast<std::size_t>(i) * S + j], options.color);
    out += end_row(options.color);
  }

  if (options.legend) {
    out += "\nscale  0 ";
    for (std::size_t k = 0; k < kInk.size(); ++k)
      cell(out, static_cast<float>(k) / (kInk.size() - 1), options.color);
    out += options.color == TerminalColor::none ? " 1\n" : "\x1b[0m 1\n";
    // The keys by number, wrapped at 80 columns, for labels cut above.
    std::string line = "keys  ";
    int width = 6;
    for (int j = 0; j < S; ++j) {
      const std::string item =
          std::to_string(j) + " " + sanitized(maps.tokens[static_cast<std::size_t>(j)]);
      int w = 0;
      for (const Glyph& g : glyphs(item)) w += g.width;
      if (width + w + 2 > 80 && width > 6) {
        while (line.back() == ' ') line.pop_back();
        out += line + "\n";
        line = "      ", width = 6;
      }
      line += item + "  ", width += w + 2;
    }
    while (!line.empty() && line.back() == ' ') line.pop_back();
    out += line + "\n";
  }
  return out;
}

TerminalColor terminal_color_for(int fd) {
  const char* no_color = std::getenv("NO_COLOR");
  if ((no_color && *no_color) || !isatty(fd)) return TerminalColor::none;
  const char* colorterm = std::getenv("COLORTERM");
  const std::string ct = colorterm ? colorterm : "";
  return ct == "truecolor" || ct == "24bit" ? TerminalColor::truecolor : TerminalColor::ansi256;
}

}  // namespace mha::viz
