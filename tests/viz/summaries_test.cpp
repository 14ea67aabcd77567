// summarize_heads names the pattern a head was built with.
#include <gtest/gtest.h>

#include "mha/viz.hpp"
#include "viz/demo_data.hpp"

namespace mha::viz {
namespace {

TEST(VizSummaries, NamesTheSyntheticPatterns) {
  const AttentionMaps m = demo::patterns(demo::fox_tokens(), 1, 7);
  const std::vector<std::string> s = summarize_heads(m);
  ASSERT_EQ(s.size(), 7u);
  const char* expected[] = {
      "previous token",       "next token",  "itself", "first token \"[CLS]\"",
      "last token \"[SEP]\"", "punctuation", "broad"};
  for (std::size_t h = 0; h < 7; ++h)
    EXPECT_EQ(s[h].rfind(expected[h], 0), 0u) << "head " << h << ": " << s[h];
  EXPECT_NE(s[0].find("of the weight; entropy"), std::string::npos) << s[0];
}

TEST(VizSummaries, UniformHeadIsBroadWithMaximalEntropy) {
  AttentionMaps m;
  m.tokens = {"a", "b", "c", "d"};
  m.layers = m.heads = 1;
  m.weights.assign(16, 0.25f);
  EXPECT_EQ(summarize_heads(m)[0].rfind("broad: entropy 2.0 of 2.0 bits", 0), 0u)
      << summarize_heads(m)[0];
}

TEST(VizSummaries, FullyMaskedHeadSaysSo) {
  AttentionMaps m;
  m.tokens = {"a", "b"};
  m.layers = m.heads = 1;
  m.weights.assign(4, 0.0f);
  EXPECT_EQ(summarize_heads(m)[0], "no weight: every query is masked");
}

TEST(VizSummaries, OneTokenForEverybody) {
  AttentionMaps m;
  m.tokens = {"[CLS]", "x", "fox", "y", "[SEP]"};
  m.layers = m.heads = 1;
  for (int i = 0; i < 5; ++i)
    for (int j = 0; j < 5; ++j) m.weights.push_back(j == 2 ? 0.8f : 0.05f);
  EXPECT_EQ(summarize_heads(m)[0].rfind("token 2 \"fox\" (0.80", 0), 0u) << summarize_heads(m)[0];
}

}  // namespace
}  // namespace mha::viz
