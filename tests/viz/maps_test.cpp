// AttentionMaps: validation, indexing, and the bridge from MultiHeadAttention's weights.
#include <gtest/gtest.h>

#include <cmath>
#include <limits>

#include "mha/error.hpp"
#include "mha/module.hpp"
#include "mha/viz.hpp"
#include "viz/demo_data.hpp"

namespace mha::viz {
namespace {

AttentionMaps small(int layers = 2, int heads = 3, int S = 4) {
  AttentionMaps m;
  m.model = "test";
  for (int i = 0; i < S; ++i) m.tokens.push_back("t" + std::to_string(i));
  m.layers = layers, m.heads = heads;
  m.weights.assign(static_cast<std::size_t>(layers * heads * S * S), 1.0f / S);
  return m;
}

// The message of the mha::Error that f throws ("" if it throws none).
template <class F>
std::string error_of(F&& f) {
  try {
    f();
  } catch (const Error& e) {
    return e.what();
  }
  return "";
}

TEST(VizMaps, ValidateAcceptsAConsistentStructure) { EXPECT_NO_THROW(validate(small())); }

TEST(VizMaps, ValidateNamesWhatIsWrong) {
  AttentionMaps m = small();
  m.layers = 0;
  EXPECT_NE(error_of([&] { validate(m); }).find("argument 'layers'"), std::string::npos);
  m = small();
  m.heads = -1;
  EXPECT_NE(error_of([&] { validate(m); }).find("argument 'heads'"), std::string::npos);
  m = small();
  m.tokens.clear();
  EXPECT_NE(error_of([&] { validate(m); }).find("argument 'tokens'"), std::string::npos);
  m = small();
  m.weights.pop_back();
  const std::string size = error_of([&] { validate(m); });
  EXPECT_NE(size.find("argument 'weights'"), std::string::npos) << size;
  EXPECT_NE(size.find("got 95 values"), std::string::npos) << size;
  m = small();
  m.weights[5] = std::numeric_limits<float>::quiet_NaN();
  EXPECT_NE(error_of([&] { validate(m); }).find("finite"), std::string::npos);
  m = small();
  m.head_summaries = {"one"};
  EXPECT_NE(error_of([&] { validate(m); }).find("head_summaries"), std::string::npos);
  m = small();
  m.steps = {Step{7, "", "", "", {}}};
  EXPECT_NE(error_of([&] { validate(m); }).find("argument 'steps'"), std::string::npos);
}

TEST(VizMaps, HeadMapIsTheRowMajorSlice) {
  AttentionMaps m = small(2, 3, 4);
  for (std::size_t k = 0; k < m.weights.size(); ++k) m.weights[k] = static_cast<float>(k);
  const std::span<const float> map = m.head_map(1, 2);
  ASSERT_EQ(map.size(), 16u);
  EXPECT_EQ(map[0], static_cast<float>((1 * 3 + 2) * 16));  // layer 1, head 2, query 0, key 0
  EXPECT_EQ(map[2 * 4 + 3], static_cast<float>((1 * 3 + 2) * 16 + 11));
  EXPECT_THROW((void)m.head_map(2, 0), Error);
  EXPECT_THROW((void)m.head_map(0, -1), Error);
}

TEST(VizMaps, StepNames) {
  EXPECT_EQ(step_name(1), "input");
  EXPECT_EQ(step_name(4), "weigh");
  EXPECT_EQ(step_name(6), "output");
  EXPECT_EQ(step_name(0), "");
}

TEST(VizMaps, FromLayerWeightsCopiesMultiHeadAttentionOutput) {
  const std::vector<std::string> tokens = {"[CLS]", "a", "b", "[SEP]"};
  std::vector<Tensor> layers;
  Tensor x(DType::f32, {1, 4, 8});
  for (std::int64_t k = 0; k < x.numel(); ++k) x.data_as<float>()[k] = std::sin(0.3f * k);
  for (std::uint64_t seed : {1u, 2u}) {
    const MultiHeadAttention mha(
        {.embed_dim = 8, .num_heads = 2, .batch_first = true, .seed = seed});
    ForwardOptions fo;
    fo.average_attn_weights = false;
    layers.push_back(mha.forward(x, fo).weights);  // [1, 2, 4, 4]
  }
  // The second layer as [H, S, S], to check both accepted shapes.
  const TensorView second = layers[1].view().reshaped({2, 4, 4});
  const std::vector<TensorView> views = {layers[0], second};
  const AttentionMaps m = from_layer_weights("two layers", tokens, views);
  EXPECT_EQ(m.layers, 2);
  EXPECT_EQ(m.heads, 2);
  EXPECT_EQ(m.head_summaries.size(), 4u);
  for (int l = 0; l < 2; ++l)
    for (int h = 0; h < 2; ++h)
      for (int i = 0; i < 4; ++i) {
        double sum = 0;
        for (int j = 0; j < 4; ++j) {
          const float w = m.head_map(l, h)[static_cast<std::size_t>(i * 4 + j)];
          EXPECT_EQ(w, layers[static_cast<std::size_t>(l)].view().get({0, h, i, j}));
          sum += w;
        }
        EXPECT_NEAR(sum, 1.0, 1e-5);
      }
}

TEST(VizMaps, FromLayerWeightsRejectsMismatchedShapes) {
  const Tensor w(DType::f32, {1, 2, 4, 4});
  const Tensor other_heads(DType::f32, {3, 4, 4});
  const std::vector<TensorView> ok = {w};
  EXPECT_THROW((void)from_layer_weights("m", {"a", "b", "c"}, ok), Error);  // S = 3 tokens
  const std::vector<TensorView> mixed = {w, other_heads};
  const std::string msg = error_of([&] {
    (void)from_layer_weights("m", {"a", "b", "c", "d"}, mixed);
  });
  EXPECT_NE(msg.find("layer_weights[1]"), std::string::npos) << msg;
  EXPECT_NE(msg.find("H = 2"), std::string::npos) << msg;
  EXPECT_THROW((void)from_layer_weights("m", {"a"}, {}), Error);
  const Tensor ints(DType::i64, {1, 1, 1});
  const std::vector<TensorView> bad = {ints};
  EXPECT_THROW((void)from_layer_weights("m", {"a"}, bad), Error);
}

TEST(VizMaps, ToyEncoderIsSixLayersOfTwelveHeadsWithSixSteps) {
  const AttentionMaps m = demo::toy_encoder(demo::fox_tokens());
  EXPECT_EQ(m.layers, 6);
  EXPECT_EQ(m.heads, 12);
  EXPECT_EQ(m.seq_len(), 12);
  ASSERT_EQ(m.steps.size(), 6u);
  for (int k = 0; k < 6; ++k) EXPECT_EQ(m.steps[static_cast<std::size_t>(k)].number, k + 1);
  EXPECT_EQ(m.steps[1].shape, "q, k, v [1, 12, 12, 32]");
}

TEST(VizColors, RampRunsFromWhiteToDarkAndClamps) {
  EXPECT_EQ(weight_color(0.0f), (Rgb{255, 255, 255}));
  EXPECT_EQ(weight_color(1.0f), weight_ramp().back());
  EXPECT_EQ(weight_color(-3.0f), weight_color(0.0f));
  EXPECT_EQ(weight_color(7.0f), weight_color(1.0f));
  EXPECT_EQ(weight_color(std::numeric_limits<float>::quiet_NaN()), weight_color(0.0f));
  int last = 3 * 255 + 1;
  for (int k = 0; k <= 100; ++k) {  // darker as the weight grows, never lighter
    const Rgb c = weight_color(k / 100.0f);
    const int lightness = c.r + c.g + c.b;
    EXPECT_LE(lightness, last) << "weight " << k / 100.0;
    last = lightness;
  }
  EXPECT_EQ(hex(Rgb{1, 171, 255}), "#01abff");
}

TEST(VizColors, HeadColorsAreDistinctAndVisibleOnWhite) {
  std::vector<Rgb> seen;
  for (int h = 0; h < 12; ++h) {
    const Rgb c = head_color(h, 12);
    for (const Rgb& s : seen) EXPECT_FALSE(c == s) << "head " << h;
    EXPECT_LT(c.r + c.g + c.b, 3 * 200) << "head " << h << " too light for a line on white";
    seen.push_back(c);
  }
}

}  // namespace
}  // namespace mha::viz
