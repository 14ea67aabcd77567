// What `mha explain` reads from a Model besides its outputs: every layer's input hidden states
// (EncodeOptions::hidden_states) and each layer's attention module (Model::layer_attention), on
// the tiny model. Running a layer's module on that layer's input must give the probabilities
// encode() captured, and the last hidden state must be `hidden`.
#include <gtest/gtest.h>

#include "mha/error.hpp"
#include "mha/model.hpp"
#include "mha/module.hpp"
#include "model/model_files.hpp"

namespace {

using mha::testing::max_abs_diff;

const mha::Model& tiny() {
  static const mha::Model m = mha::Model::load(mha::testing::model_test_dir("tiny"));
  return m;
}

// Sentence n of [N, S, E] (its first len rows) as a contiguous [1, len, E] tensor.
mha::Tensor sentence(const mha::Tensor& x, std::int64_t n, std::int64_t len) {
  const std::int64_t S = x.size(1), E = x.size(2);
  return mha::Tensor::copy_of(mha::TensorView(x.data_as<const float>() + n * S * E, mha::DType::f32,
                                              mha::Shape{1, len, E}));
}

TEST(LayerAccess, HiddenStatesAreEachLayersInput) {
  const std::vector<mha::TokenIds> ids = {{2, 5, 6, 7, 8, 14, 3}, {2, 17, 3}};  // padded batch
  const mha::Encoding e = tiny().encode(ids, {.attentions = true, .hidden_states = true});
  const std::int64_t L = tiny().config().num_hidden_layers;
  ASSERT_EQ(e.hidden_states.size(), static_cast<std::size_t>(L + 1));
  for (const mha::Tensor& h : e.hidden_states) EXPECT_EQ(h.shape(), e.hidden.shape());
  EXPECT_EQ(max_abs_diff(e.hidden_states.back(), e.hidden), 0.0);
  // Padding rows are zero, as in `hidden`.
  for (const mha::Tensor& h : e.hidden_states)
    for (std::int64_t i = 3; i < 7; ++i) EXPECT_EQ(h.view().get({1, i, 0}), 0.0);

  mha::ForwardOptions fo;
  fo.need_weights = true;
  fo.average_attn_weights = false;
  for (std::int64_t n = 0; n < 2; ++n) {
    const std::int64_t len = e.lengths[static_cast<std::size_t>(n)];
    for (std::int64_t l = 0; l < L; ++l) {
      const mha::Tensor x = sentence(e.hidden_states[static_cast<std::size_t>(l)], n, len);
      const mha::Tensor w = tiny().layer_attention(l).forward(x, fo).weights;  // [1, H, len, len]
      const mha::Tensor& want = e.attentions[static_cast<std::size_t>(n)];     // [L, H, len, len]
      const std::int64_t H = want.size(1);
      const mha::TensorView layer(want.data_as<const float>() + l * H * len * len, mha::DType::f32,
                                  mha::Shape{1, H, len, len});
      EXPECT_LE(max_abs_diff(w, layer), 1e-6) << "sentence " << n << ", layer " << l;
    }
  }
}

TEST(LayerAccess, WithoutTheOptionNothingIsKept) {
  const mha::Encoding e = tiny().encode({{2, 5, 3}});
  EXPECT_TRUE(e.hidden_states.empty());
  EXPECT_TRUE(e.attentions.empty());
}

TEST(LayerAccess, LayerAttentionHasTheModelsShapeAndChecksTheIndex) {
  const mha::MultiHeadAttention& a = tiny().layer_attention(1);
  EXPECT_EQ(a.options().embed_dim, 12);
  EXPECT_EQ(a.options().num_heads, 2);
  EXPECT_TRUE(a.options().batch_first);
  for (const std::int64_t bad : {-1, 2}) {
    try {
      (void)tiny().layer_attention(bad);
      ADD_FAILURE() << "no error for layer " << bad;
    } catch (const mha::Error& e) {
      EXPECT_NE(
          std::string(e.what()).find("argument 'layer': expected 0..1, got " + std::to_string(bad)),
          std::string::npos)
          << e.what();
    }
  }
}

}  // namespace
