#pragma once
// mha::viz — pictures of what every head attends to: one self-contained HTML page (head view,
// model view, the six-step panel, a line per head), SVG and PNG heatmaps, and a terminal heatmap.
//
// Everything is drawn from one plain structure, AttentionMaps, which knows nothing about how the
// weights were computed: a pretrained model, mha::MultiHeadAttention, or numbers made up for a
// test.
//
// Shapes and indices:
//   S = tokens.size(); the maps are self-attention maps, so the queries and the keys are the same
//   S tokens. weights is [layers, heads, S, S], row-major, row = query, column = key:
//     weights[((layer · heads + head) · S + query) · S + key]
//   = how much `query` attends to `key` in that head (a softmax row: each row sums to 1, or is all
//   zero for a fully masked query). Layers, heads and tokens are numbered from 0, as `mha explain`
//   prints them. Colours clamp a weight to [0, 1]; NaN and infinities are rejected.
//
// Text: tokens, names and descriptions are UTF-8. Every writer produces valid UTF-8 (SVG, HTML,
// terminal) whatever it is given: an ill-formed byte sequence is drawn as U+FFFD. Markup in a token
// ("<", "&", quotes, "</script>") is escaped, never interpreted.
//
// Size: the HTML page embeds every weight (rounded to 0.001): O(layers · heads · S²), about 150 KB
// for 6 layers × 12 heads at S = 16.
//
// Errors: every function validates its input first and throws mha::Error naming the argument.
#include <cstdint>
#include <filesystem>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "mha/tensor.hpp"

namespace mha::viz {

// A few real numbers from one step, e.g. {"x[0, 0, :4]", {0.12, -0.5, 0.3, 0.9}}.
struct StepNumbers {
  std::string label;
  std::vector<double> values;
};

// One of the six steps of DESIGN.md: 1 input, 2 project, 3 score, 4 weigh, 5 concat, 6 output.
struct Step {
  int number = 0;           // 1..6
  std::string name;         // "input", ...; empty: step_name(number)
  std::string shape;        // the real shapes, e.g. "q [1, 12, 11, 32]  k, v [1, 12, 11, 32]"
  std::string description;  // one line: what happens in this step
  std::vector<StepNumbers> numbers;
};

// The six-step panel, in the order to show; empty: no panel. Usually one Step per number 1..6,
// taken from one layer (say which in a description).
using SixSteps = std::vector<Step>;

// "input", "project", "score", "weigh", "concat", "output" for 1..6; "" otherwise.
std::string_view step_name(int number) noexcept;

struct AttentionMaps {
  std::string model;                // shown in titles, e.g. "all-MiniLM-L6-v2"
  std::string text;                 // the input sentence (optional, shown above the views)
  std::vector<std::string> tokens;  // the S tokens, e.g. "[CLS]", "the", ..., "[SEP]"
  int layers = 0;                   // >= 1
  int heads = 0;                    // per layer, >= 1
  std::vector<float> weights;       // [layers, heads, S, S], row = query (see above)
  SixSteps steps;                   // optional
  // Empty, or one line per head, index layer · heads + head. The HTML page shows
  // summarize_heads(*this) when empty.
  std::vector<std::string> head_summaries;

  std::int64_t seq_len() const noexcept { return static_cast<std::int64_t>(tokens.size()); }
  // The S×S map of one head, row-major, row = query. Checks the indices and the size of weights.
  std::span<const float> head_map(int layer, int head) const;
};

// Throws mha::Error unless layers, heads >= 1, S >= 1, weights has layers·heads·S² finite values,
// head_summaries is empty or has layers·heads lines, and every step number is in 1..6.
void validate(const AttentionMaps& maps);

// AttentionMaps from the per-head weights of each layer, as MultiHeadAttention::forward returns
// them with need_weights = true and average_attn_weights = false: one view per layer, each
// [1, H, S, S] or [H, S, S] (any floating dtype, any strides), the same H and S in every layer,
// S = tokens.size(). Fills head_summaries with summarize_heads; steps are left to the caller.
AttentionMaps from_layer_weights(std::string model, std::vector<std::string> tokens,
                                 std::span<const TensorView> layer_weights);

// One line per head (index layer · heads + head) naming the pattern that takes the most weight,
// averaged over the queries: the previous / next token, the token itself, the first token ([CLS]),
// the last ([SEP]), punctuation, one particular token, or "broad" (high entropy). E.g.
//   "previous token (0.71 of the weight)"   "[SEP] (0.88)"   "broad: entropy 3.4 of 3.6 bits"
std::vector<std::string> summarize_heads(const AttentionMaps& maps);

// ---- colours (shared by every writer, so a weight has one colour everywhere) ----

struct Rgb {
  std::uint8_t r = 0, g = 0, b = 0;
  bool operator==(const Rgb&) const = default;
};
// The heatmap ramp: 0 → white, 1 → dark blue, monotone in lightness; clamps to [0, 1].
Rgb weight_color(float weight) noexcept;
// The anchors weight_color interpolates between (evenly spaced over [0, 1]), for the HTML page.
std::span<const Rgb> weight_ramp() noexcept;
// A distinct, dark-enough colour per head (hues evenly spaced around the circle).
Rgb head_color(int head, int heads) noexcept;
std::string hex(Rgb c);  // "#1a2b3c"

// ---- the HTML page ----

// One self-contained page: all CSS and JavaScript inline, the data as JSON, no request to any
// network or file (a Content-Security-Policy forbids them), so it works offline and from file://.
//   head view   tokens in two columns (queries left, keys right), a line from each query to each
//               key, its opacity the weight, one colour per head; a layer selector, a toggle per
//               head and "all"/"none"; hovering or focusing a token shows only its lines.
//   model view  every layer × head as a small heatmap; clicking one (or Enter on it) enlarges it
//               with the tokens on both axes and the weight under the pointer or the arrow keys.
//   six steps   maps.steps with their shapes and numbers (absent when steps is empty).
//   heads       the one-line summary of every head.
std::string html(const AttentionMaps& maps);
void write_html(const AttentionMaps& maps, const std::filesystem::path& path);

// ---- SVG and PNG heatmaps ----

// One head: S×S cells (row = query), the query tokens down the left, the key tokens across the
// top (rotated), a title and a colour scale. A standalone SVG 1.1 document, UTF-8.
std::string svg_heatmap(const AttentionMaps& maps, int layer, int head);
// Every head: a grid of layers (rows) × heads (columns), each cell a small unlabeled heatmap,
// with the layer and head numbers on the margins.
std::string svg_grid(const AttentionMaps& maps);

// PNG heatmaps are unlabeled pixels (the SVG and the HTML page carry the labels): `cell` pixels
// per weight, `gap` grey pixels around the heatmaps of the grid. 8-bit RGB, at most 32768 pixels
// on a side.
struct PngOptions {
  int cell = 0;  // 1..64; 0: about 512 pixels across for one head, 96 per head in the grid
  int gap = 4;   // 0..64
};
std::vector<std::uint8_t> png_heatmap(const AttentionMaps& maps, int layer, int head,
                                      const PngOptions& options = {});
std::vector<std::uint8_t> png_grid(const AttentionMaps& maps, const PngOptions& options = {});

// Writes bytes to a file (replacing it); throws mha::Error naming the path when it cannot.
void write_file(const std::filesystem::path& path, std::string_view bytes);
void write_file(const std::filesystem::path& path, std::span<const std::uint8_t> bytes);

// ---- all the files at once (mha explain, Python's Model.explain) ----

struct Pictures {
  std::string html;                 // the page's path, as given
  std::uintmax_t html_bytes = 0;
  std::vector<std::string> images;  // the heatmaps, in the order written (empty without images)
};

// Writes the HTML page to `html_path` and, with `images`, beside it (for attention.html):
//   attention_layer<L>_head<H>.png/.svg   one head (`layer`, `head`), one cell per (query, key)
//   attention_grid.png/.svg               every layer (rows) × head (columns)
// Throws mha::Error for a layer or head out of range or a path that cannot be written.
Pictures write_pictures(const AttentionMaps& maps, const std::filesystem::path& html_path,
                        int layer, int head, bool images);

// ---- terminal ----

enum class TerminalColor {
  none,       // plain characters " .:-=+*#%@" (two per cell), no escape sequences
  ansi256,    // xterm 256-colour background cells (ESC[48;5;Nm)
  truecolor,  // 24-bit background cells (ESC[48;2;R;G;Bm)
};

struct TerminalOptions {
  TerminalColor color = TerminalColor::none;
  int label_width = 12;  // the query labels on the left are cut to this many columns (>= 4)
  int key_rows = 6;      // the key labels on top, written downwards, are cut to this many rows
  bool legend = true;    // a scale line and the key tokens by number under the grid
};

// One head as text: a title, the key tokens written downwards above their columns, one row per
// query with its token on the left and a two-column cell per key. Every line ends in "\n"; with
// colour, each row ends by resetting the colours.
std::string terminal_heatmap(const AttentionMaps& maps, int layer, int head,
                             const TerminalOptions& options = {});

// The colour a program should use on file descriptor fd: none when the NO_COLOR environment
// variable is set and non-empty (no-color.org) or fd is not a terminal; truecolor when COLORTERM
// is "truecolor" or "24bit"; ansi256 otherwise. A --color flag of the caller overrides it.
TerminalColor terminal_color_for(int fd);

}  // namespace mha::viz
