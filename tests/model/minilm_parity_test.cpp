// all-MiniLM-L6-v2 in mha against sentence-transformers and transformers, on the goldens of
// scripts/gen_model_golden.py (tests/model/minilm_golden). Runs when the real model is in
// mha::default_model_dir() (scripts/fetch_model.sh puts it there); skipped, loudly, otherwise.
//
// Thresholds (required of the project): every embedding within cosine >= 0.99999 and max
// |diff| <= 1e-5 of sentence-transformers' f32 embedding; every attention probability within
// 1e-5 of transformers' (output_attentions=True). Both are far above the f32 noise they guard
// against — sentence-transformers' own f32 embeddings lie within about 3e-7 of the float64
// answer (index.json, sentence_transformers_f32_vs_f64_max_abs) — and far below what a real
// mistake costs (a wrong LayerNorm epsilon, a tanh GELU or an unmasked padding key moves
// embeddings by 1e-4 or more). Each test prints the figures it measured ([parity] lines).
#include <gtest/gtest.h>

#include <cmath>
#include <cstdio>

#include "common/npy.hpp"
#include "mha/model.hpp"
#include "mha/safetensors.hpp"
#include "model/model_files.hpp"

namespace {

namespace fs = std::filesystem;

constexpr double kMinCosine = 0.99999;
constexpr double kMaxEmbeddingDiff = 1e-5;
constexpr double kMaxAttentionDiff = 1e-5;

fs::path golden_dir() { return mha::testing::model_test_dir("minilm_golden"); }

const nlohmann::json& golden_index() {
  static const nlohmann::json j = mha::testing::read_json(golden_dir() / "index.json");
  return j;
}

// The real model, or nullptr (with the reason) when it is not there.
const mha::Model* real_model(std::string* why) {
  static std::string reason;
  static const std::unique_ptr<mha::Model> model = []() -> std::unique_ptr<mha::Model> {
    const fs::path dir = mha::default_model_dir();
    if (!fs::exists(dir / "model.safetensors")) {
      reason = "all-MiniLM-L6-v2 is not in " + dir.string() +
               " — run scripts/fetch_model.sh (or set MHA_MODEL_DIR) to run the parity tests";
      return nullptr;
    }
    return std::make_unique<mha::Model>(mha::Model::load(dir));
  }();
  if (why) *why = reason;
  return model.get();
}

#define REQUIRE_REAL_MODEL(m)                                        \
  std::string why_;                                                  \
  const mha::Model* m = real_model(&why_);                           \
  if (!m) {                                                          \
    std::fprintf(stderr, "\n*** SKIPPED: %s ***\n\n", why_.c_str()); \
    GTEST_SKIP() << why_;                                            \
  }

std::vector<mha::TokenIds> golden_token_ids() {
  std::vector<mha::TokenIds> ids;
  for (const auto& s : golden_index()["sentences"])
    ids.push_back(s["token_ids"].get<mha::TokenIds>());
  return ids;
}

TEST(MiniLM, ModelFileIsTheOneTheGoldensCameFrom) {
  REQUIRE_REAL_MODEL(m);
  EXPECT_EQ(m->config().hidden_size, 384);
  EXPECT_EQ(m->config().num_hidden_layers, 6);
  EXPECT_EQ(m->config().num_attention_heads, 12);
  EXPECT_EQ(m->config().intermediate_size, 1536);
  EXPECT_EQ(m->max_seq_length(), 256);
  // The goldens hold the checksum of the weights they were computed with; a different file
  // would make every other failure here meaningless.
  EXPECT_EQ(golden_index()["model_sha256"],
            "53aa51172d142c89d9012cce15ae4d6cc0ca6895895114379cacb4fab128d9db");
  const mha::Safetensors f = mha::Safetensors::open(m->directory() / "model.safetensors");
  EXPECT_EQ(f.entries().size(), 104u);  // 101 weights, the pooler (2), position_ids
}

TEST(MiniLM, EmbeddingsMatchSentenceTransformers) {
  REQUIRE_REAL_MODEL(m);
  const std::vector<mha::TokenIds> ids = golden_token_ids();
  ASSERT_GE(ids.size(), 50u);
  const mha::Tensor want = mha::testing::load_npy((golden_dir() / "embeddings_f32.npy").string());
  const mha::Tensor exact = mha::testing::load_npy((golden_dir() / "embeddings_f64.npy").string());
  const auto N = static_cast<std::int64_t>(ids.size());
  ASSERT_EQ(want.shape(), (mha::Shape{N, 384}));
  const mha::Tensor got = m->embed(ids);
  ASSERT_EQ(got.shape(), want.shape());

  double min_cos = 1.0, max_diff = 0.0, max_diff_exact = 0.0;
  std::int64_t worst = 0;
  for (std::int64_t n = 0; n < N; ++n) {
    double dot = 0.0, na = 0.0, nb = 0.0;
    for (std::int64_t k = 0; k < 384; ++k) {
      const double a = got.data_as<float>()[n * 384 + k], b = want.data_as<float>()[n * 384 + k];
      dot += a * b;
      na += a * a;
      nb += b * b;
      const double d = std::abs(a - b);
      if (d > max_diff) max_diff = d, worst = n;
      max_diff_exact = std::max(max_diff_exact, std::abs(a - exact.data_as<double>()[n * 384 + k]));
    }
    const double cos = dot / std::sqrt(na * nb);
    min_cos = std::min(min_cos, cos);
    EXPECT_GE(cos, kMinCosine) << "sentence " << n << ": "
                               << golden_index()["sentences"][n]["text"];
  }
  std::printf(
      "[parity] %lld sentences: cosine min %.9f, max |diff| %.3g (sentence %lld) vs "
      "sentence-transformers f32;"
      " max |diff| %.3g vs float64 (sentence-transformers f32: %.3g)\n",
      static_cast<long long>(N), min_cos, max_diff, static_cast<long long>(worst), max_diff_exact,
      golden_index()["sentence_transformers_f32_vs_f64_max_abs"].get<double>());
  EXPECT_LE(max_diff, kMaxEmbeddingDiff);
}

TEST(MiniLM, EmbeddingsDoNotDependOnTheBatch) {
  REQUIRE_REAL_MODEL(m);
  // The first 20 sentences (2 to 26 tokens): enough for several batch shapes, cheap enough to
  // encode one by one.
  std::vector<mha::TokenIds> ids = golden_token_ids();
  ids.resize(20);
  const mha::Tensor batched = m->embed(ids, 32), alone = m->embed(ids, 1);
  const double d = mha::testing::max_abs_diff(batched, alone);
  std::printf("[parity] batch of 32 vs one at a time: max |diff| %.3g\n", d);
  // Padding is masked by selection and every other operation is per token, so only the f32
  // summation order inside the kernels may differ: a few ulps of values below 1.
  EXPECT_LE(d, 1e-6);
}

TEST(MiniLM, AttentionsMatchTransformers) {
  REQUIRE_REAL_MODEL(m);
  const std::vector<mha::TokenIds> ids = golden_token_ids();
  ASSERT_FALSE(golden_index()["attentions"].empty());
  for (const auto& c : golden_index()["attentions"]) {
    const auto k = c["sentence"].get<std::size_t>();
    const mha::Tensor want =
        mha::testing::load_npy((golden_dir() / c["file"].get<std::string>()).string());
    const mha::Tensor got = m->attentions(ids[k]);
    ASSERT_EQ(got.shape(), want.shape());
    const double d = mha::testing::max_abs_diff(got, want);
    std::printf("[parity] attentions of sentence %zu %s: max |diff| %.3g\n", k,
                got.shape().str().c_str(), d);
    EXPECT_LE(d, kMaxAttentionDiff) << golden_index()["sentences"][k]["text"];
  }
}

}  // namespace
