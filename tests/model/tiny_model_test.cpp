// The encoder on the tiny BERT of scripts/make_tiny_model.py (tests/model/tiny), against
// transformers' BertModel (tests/model/tiny_golden). Needs no real weights; always runs.
//
// Tolerance, derived rather than guessed: the golden holds the exact answer (torch in float64)
// and torch's own float32 answer. mha computes the same operations in float32 with other
// summation orders, so its error should be of the size of torch's float32 error; it may be at
// most twice that (the flash-attention rule: "at most 2× the error of the same reference
// computed in the low precision"), plus 8·u·max|exact| (u = 2^-24) so that a case where torch
// happens to be exact (one token: probability 1) still allows a few roundings.
#include <gtest/gtest.h>

#include <cmath>
#include <cstdio>
#include <thread>

#include "common/npy.hpp"
#include "mha/error.hpp"
#include "mha/model.hpp"
#include "model/model_files.hpp"

namespace {

namespace fs = std::filesystem;
using mha::testing::max_abs_diff;
using mha::testing::max_abs_value;

constexpr double kU32 = 1.0 / (1 << 24);

struct GoldenCase {
  std::string name;
  mha::TokenIds ids, types;
  mha::Tensor hidden_f64, hidden_f32, attn_f64, attn_f32, embedding_f64, embedding_f32;
};

const std::vector<GoldenCase>& golden_cases() {
  static const std::vector<GoldenCase> cases = [] {
    const fs::path dir = mha::testing::model_test_dir("tiny_golden");
    const nlohmann::json index = mha::testing::read_json(dir / "index.json");
    std::vector<GoldenCase> out;
    for (const auto& c : index["cases"]) {
      GoldenCase g;
      g.name = c["name"];
      g.ids = c["token_ids"].get<mha::TokenIds>();
      if (!c["token_type_ids"].is_null()) g.types = c["token_type_ids"].get<mha::TokenIds>();
      auto load = [&](const char* key) {
        return mha::testing::load_npy((dir / c[key].get<std::string>()).string());
      };
      g.hidden_f64 = load("hidden_f64");
      g.hidden_f32 = load("hidden_f32");
      g.attn_f64 = load("attn_f64");
      g.attn_f32 = load("attn_f32");
      g.embedding_f64 = load("embedding_f64");
      g.embedding_f32 = load("embedding_f32");
      out.push_back(std::move(g));
    }
    return out;
  }();
  return cases;
}

const mha::Model& tiny() {
  static const mha::Model m = mha::Model::load(mha::testing::model_test_dir("tiny"));
  return m;
}

// The bound of the header comment for one quantity.
double bound(const mha::TensorView& exact, const mha::TensorView& torch_f32) {
  return 2.0 * max_abs_diff(torch_f32, exact) + 8.0 * kU32 * max_abs_value(exact);
}

// Rows [0, len) of sentence n of an Encoding's hidden states, as a contiguous [len, E] tensor.
mha::Tensor hidden_rows(const mha::Encoding& e, std::int64_t n) {
  const std::int64_t S = e.hidden.size(1), E = e.hidden.size(2),
                     len = e.lengths[static_cast<std::size_t>(n)];
  return mha::Tensor::copy_of(
      mha::TensorView(e.hidden.data_as<float>() + n * S * E, mha::DType::f32, mha::Shape{len, E}));
}

void expect_close(const char* what, const std::string& name, const mha::TensorView& actual,
                  const mha::TensorView& exact, const mha::TensorView& torch_f32) {
  const double err = max_abs_diff(actual, exact), b = bound(exact, torch_f32);
  std::printf("[errors] %-20s %-9s mha %.3g, torch f32 %.3g, bound %.3g\n", name.c_str(), what, err,
              max_abs_diff(torch_f32, exact), b);
  EXPECT_LE(err, b) << what << " of case " << name;
}

TEST(TinyModel, LoadsConfigAndDirectory) {
  const mha::BertConfig& c = tiny().config();
  EXPECT_EQ(c.hidden_size, 12);
  EXPECT_EQ(c.num_hidden_layers, 2);
  EXPECT_EQ(c.num_attention_heads, 2);
  EXPECT_EQ(c.head_dim(), 6);
  EXPECT_EQ(c.intermediate_size, 20);
  EXPECT_EQ(c.vocab_size, 35);
  EXPECT_EQ(c.max_position_embeddings, 16);
  EXPECT_EQ(tiny().max_seq_length(), 12);  // sentence_bert_config.json
  EXPECT_EQ(tiny().directory(), mha::testing::model_test_dir("tiny"));
}

TEST(TinyModel, EachSentenceAloneMatchesTransformers) {
  ASSERT_FALSE(golden_cases().empty());
  for (const GoldenCase& g : golden_cases()) {
    mha::EncodeOptions o{.attentions = true};
    if (!g.types.empty()) o.token_type_ids = {g.types};
    const mha::Encoding e = tiny().encode({g.ids}, o);
    ASSERT_EQ(e.hidden.shape(), (mha::Shape{1, static_cast<std::int64_t>(g.ids.size()), 12}));
    expect_close("hidden", g.name, hidden_rows(e, 0), g.hidden_f64, g.hidden_f32);
    ASSERT_EQ(e.attentions.size(), 1u);
    expect_close("attention", g.name, e.attentions[0], g.attn_f64, g.attn_f32);
  }
}

TEST(TinyModel, APaddedBatchGivesEachSentenceItsOwnResult) {
  std::vector<mha::TokenIds> ids, types;
  for (const GoldenCase& g : golden_cases()) {
    ids.push_back(g.ids);
    types.push_back(g.types.empty() ? mha::TokenIds(g.ids.size(), 0) : g.types);
  }
  const mha::Encoding e = tiny().encode(ids, {.attentions = true, .token_type_ids = types});
  ASSERT_EQ(e.hidden.size(1), 16);  // padded to the longest
  for (std::size_t n = 0; n < ids.size(); ++n) {
    const GoldenCase& g = golden_cases()[n];
    EXPECT_EQ(e.lengths[n], static_cast<std::int64_t>(g.ids.size()));
    expect_close("hidden", g.name + " (batch)", hidden_rows(e, static_cast<std::int64_t>(n)),
                 g.hidden_f64, g.hidden_f32);
    expect_close("attention", g.name + " (batch)", e.attentions[n], g.attn_f64, g.attn_f32);
    // The padding rows are zeros.
    for (std::int64_t i = e.lengths[n]; i < 16; ++i)
      for (std::int64_t k = 0; k < 12; ++k)
        EXPECT_EQ(e.hidden.view().get({static_cast<std::int64_t>(n), i, k}), 0.0);
  }
}

// Without attention probabilities the encoder packs the sentences' rows back to back (no
// padding rows, MultiHeadAttention::forward_packed); with them it runs the padded batch with a
// key padding mask. Each must give every sentence its own result within the golden's bound.
// (They need not agree to the bit: a sentence of at most 8 rows per key head alone takes the
// kernel's keys-in-place path, whose dot products sum in another order than the packed-key
// path that the same sentence takes inside a longer padded batch.)
TEST(TinyModel, PackedAndPaddedBatchesBothMatchTransformers) {
  std::vector<mha::TokenIds> ids, types;
  for (const GoldenCase& g : golden_cases()) {
    ids.push_back(g.ids);
    types.push_back(g.types.empty() ? mha::TokenIds(g.ids.size(), 0) : g.types);
  }
  const mha::Encoding padded =
      tiny().encode(ids, {.attentions = true, .hidden_states = true, .token_type_ids = types});
  const mha::Encoding packed = tiny().encode(ids, {.hidden_states = true, .token_type_ids = types});
  EXPECT_TRUE(packed.attentions.empty());
  ASSERT_EQ(packed.hidden.shape(), padded.hidden.shape());
  ASSERT_EQ(packed.hidden_states.size(), padded.hidden_states.size());
  // The embeddings (layer 0's input) are computed alike in both layouts.
  EXPECT_EQ(max_abs_diff(packed.hidden_states[0], padded.hidden_states[0]), 0.0);
  EXPECT_EQ(max_abs_diff(packed.hidden_states.back(), packed.hidden), 0.0);
  for (std::size_t n = 0; n < ids.size(); ++n) {
    const GoldenCase& g = golden_cases()[n];
    const auto nn = static_cast<std::int64_t>(n);
    expect_close("hidden", g.name + " (packed)", hidden_rows(packed, nn), g.hidden_f64, g.hidden_f32);
    expect_close("hidden", g.name + " (padded)", hidden_rows(padded, nn), g.hidden_f64, g.hidden_f32);
    for (std::int64_t i = packed.lengths[n]; i < packed.hidden.size(1); ++i)  // padding rows zero
      for (std::int64_t k = 0; k < 12; ++k) EXPECT_EQ(packed.hidden.view().get({nn, i, k}), 0.0);
  }
}

TEST(TinyModel, AttentionRowsAreDistributions) {
  const mha::Tensor a = tiny().attentions(golden_cases().front().ids);
  ASSERT_EQ(a.rank(), 4);
  for (std::int64_t l = 0; l < a.size(0); ++l)
    for (std::int64_t h = 0; h < a.size(1); ++h)
      for (std::int64_t i = 0; i < a.size(2); ++i) {
        double sum = 0.0;
        for (std::int64_t j = 0; j < a.size(3); ++j) sum += a.view().get({l, h, i, j});
        EXPECT_NEAR(sum, 1.0, 1e-5);
      }
}

TEST(TinyModel, EmbeddingsMatchMeanPoolingAndNormalization) {
  std::vector<mha::TokenIds> ids;
  for (const GoldenCase& g : golden_cases())
    if (g.types.empty()) ids.push_back(g.ids);  // embed() takes single-segment sentences
  for (std::int64_t batch : {1, 2, 32}) {
    const mha::Tensor emb = tiny().embed(ids, batch);
    ASSERT_EQ(emb.shape(), (mha::Shape{static_cast<std::int64_t>(ids.size()), 12}));
    std::size_t n = 0;
    for (const GoldenCase& g : golden_cases()) {
      if (!g.types.empty()) continue;
      const mha::TensorView row(emb.data_as<float>() + n * 12, mha::DType::f32, mha::Shape{12});
      expect_close("embedding", g.name + " (batch " + std::to_string(batch) + ")", row,
                   g.embedding_f64, g.embedding_f32);
      double norm2 = 0.0;
      for (std::int64_t k = 0; k < 12; ++k) norm2 += row.get({k}) * row.get({k});
      EXPECT_NEAR(std::sqrt(norm2), 1.0, 1e-6);
      ++n;
    }
  }
}

TEST(TinyModel, ThreadsMayShareAModel) {
  std::vector<mha::TokenIds> ids;
  for (const GoldenCase& g : golden_cases()) ids.push_back(g.ids);
  const mha::Tensor want = tiny().embed(ids);
  std::vector<mha::Tensor> got(4);
  std::vector<std::thread> threads;
  for (std::size_t t = 0; t < got.size(); ++t)
    threads.emplace_back([&, t] { got[t] = tiny().embed(ids); });
  for (std::thread& t : threads) t.join();
  for (const mha::Tensor& g : got) EXPECT_EQ(max_abs_diff(g, want), 0.0);
}

TEST(TinyModel, EmptyBatch) {
  const mha::Encoding e = tiny().encode({});
  EXPECT_EQ(e.hidden.shape(), (mha::Shape{0, 0, 12}));
  EXPECT_EQ(tiny().embed({}).shape(), (mha::Shape{0, 12}));
}

// The message of the mha::Error that `f` throws (a test failure when it throws none).
template <class F>
std::string error_of(F&& f) {
  try {
    f();
  } catch (const mha::Error& e) {
    return e.what();
  }
  ADD_FAILURE() << "no mha::Error";
  return {};
}

#define EXPECT_ERROR(call, fragment)                                           \
  EXPECT_NE(error_of([&] { (void)(call); }).find(fragment), std::string::npos) \
      << error_of([&] { (void)(call); })

TEST(TinyModel, RejectsBadTokenIds) {
  const mha::Model& m = tiny();
  EXPECT_ERROR(m.encode({{}}),
               "1..16 tokens per sentence (max_position_embeddings), got 0 tokens in sentence 0");
  EXPECT_ERROR(m.encode({{2, 3}, mha::TokenIds(17, 5)}), "got 17 tokens in sentence 1");
  EXPECT_ERROR(m.encode({{2, 35, 3}}),
               "ids in 0..34 (vocab_size), got 35 at position 1 of sentence 0");
  EXPECT_ERROR(m.encode({{2, -1, 3}}), "got -1 at position 1");
  EXPECT_ERROR(m.encode({{2, 3}}, {.token_type_ids = {{0, 0}, {0}}}),
               "one sequence per sentence (1) or none");
  EXPECT_ERROR(m.encode({{2, 3}}, {.token_type_ids = {{0}}}),
               "argument 'token_type_ids': expected 2 ids");
  EXPECT_ERROR(m.encode({{2, 3}}, {.token_type_ids = {{0, 2}}}),
               "ids in 0..1 (type_vocab_size), got 2");
  EXPECT_ERROR(m.embed({{2, 3}}, 0), "argument 'batch_size': expected at least 1, got 0");
  EXPECT_ERROR(m.attentions({}), "got 0 tokens");
}

}  // namespace
