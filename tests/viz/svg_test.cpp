// SVG heatmaps: well-formed XML whatever the tokens, every cell drawn, labels escaped.
#include <gtest/gtest.h>

#include "mha/error.hpp"
#include "mha/viz.hpp"
#include "viz/checks.hpp"
#include "viz/demo_data.hpp"

namespace mha::viz {
namespace {

std::size_t count(const std::string& s, const std::string& needle) {
  std::size_t n = 0;
  for (std::size_t at = s.find(needle); at != std::string::npos; at = s.find(needle, at + 1)) ++n;
  return n;
}

TEST(VizSvg, HeatmapIsWellFormedWithHostileTokens) {
  AttentionMaps m = demo::patterns(demo::hostile_tokens(), 2, 3);
  m.model = "a <model> & \"b\"";
  const std::string svg = svg_heatmap(m, 1, 2);
  std::string root;
  EXPECT_EQ(test::xml_problem(svg, &root), "");
  EXPECT_EQ(root, "svg");
  EXPECT_NE(svg.find("xmlns=\"http://www.w3.org/2000/svg\""), std::string::npos);
  const auto S = static_cast<std::size_t>(m.seq_len());
  // S² cells, the background and the colour scale.
  EXPECT_EQ(count(svg, "<rect "), S * S + 2);
  EXPECT_NE(svg.find("&lt;/script&gt;&lt;script&gt;window.__pwned=1&lt;/script&gt;"),
            std::string::npos);
  EXPECT_NE(svg.find("a&quot;b&apos;c&amp;amp;"), std::string::npos);
  EXPECT_EQ(svg.find('\x1b'), std::string::npos);              // a control character becomes U+FFFD
  EXPECT_NE(svg.find("\xf0\x9f\xa6\x8a"), std::string::npos);  // 🦊 kept as UTF-8
  EXPECT_NE(svg.find("layer 1, head 2"), std::string::npos);
}

TEST(VizSvg, CellColoursFollowTheWeights) {
  AttentionMaps m;
  m.tokens = {"a", "b"};
  m.layers = m.heads = 1;
  m.weights = {1.0f, 0.0f, 0.25f, 0.75f};
  const std::string svg = svg_heatmap(m, 0, 0);
  for (const float w : m.weights)
    EXPECT_NE(svg.find("fill=\"" + hex(weight_color(w)) + "\"><title>"), std::string::npos) << w;
  EXPECT_NE(svg.find("<title>b → a: 0.250</title>"), std::string::npos);
}

TEST(VizSvg, LongTokensAreCutInTheLabelButWholeInTheTooltip) {
  AttentionMaps m;
  const std::string long_token(40, 'x');
  m.tokens = {long_token, "b"};
  m.layers = m.heads = 1;
  m.weights = {0.5f, 0.5f, 0.5f, 0.5f};
  const std::string svg = svg_heatmap(m, 0, 0);
  EXPECT_NE(svg.find(">" + std::string(23, 'x') + "…</text>"), std::string::npos);
  EXPECT_NE(svg.find("<title>" + long_token + " → b"), std::string::npos);
}

TEST(VizSvg, GridShowsEveryHeadOfEveryLayer) {
  const AttentionMaps m = demo::toy_encoder(demo::fox_tokens(), 6, 12);
  const std::string svg = svg_grid(m);
  EXPECT_EQ(test::xml_problem(svg), "");
  EXPECT_EQ(count(svg, "<g transform="), 72u);
  EXPECT_NE(svg.find(">layer 5</text>"), std::string::npos);
  EXPECT_NE(svg.find(">head 11</text>"), std::string::npos);
}

TEST(VizSvg, BadIndicesAreErrors) {
  const AttentionMaps m = demo::patterns(demo::fox_tokens(), 1, 2);
  EXPECT_THROW((void)svg_heatmap(m, 1, 0), Error);
  EXPECT_THROW((void)svg_heatmap(m, 0, 2), Error);
}

TEST(VizSvg, TheXmlCheckCatchesBrokenDocuments) {
  // The checker itself must fail on what an escaping bug would produce.
  EXPECT_NE(test::xml_problem("<svg><text>a < b</text></svg>"), "");
  EXPECT_NE(test::xml_problem("<svg><text>a & b</text></svg>"), "");
  EXPECT_NE(test::xml_problem("<svg><text x=\"1\" x=\"2\">a</text></svg>"), "");
  EXPECT_NE(test::xml_problem("<svg><text title=\"a\"b\">a</text></svg>"), "");
  EXPECT_NE(test::xml_problem("<svg><g></svg>"), "");
  EXPECT_NE(test::xml_problem("<svg/>\xff"), "");
  EXPECT_EQ(test::xml_problem("<?xml version=\"1.0\"?>\n<svg a='1'><t>&amp;&#x41;</t><e/></svg>\n"),
            "");
}

}  // namespace
}  // namespace mha::viz
