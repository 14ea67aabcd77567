// Model::load on broken copies of the tiny model: every disagreement between config.json, the
// pooling config and the weights is an mha::Error that names the file and the field or tensor.
// Also the weight layouts that must load: a "bert." prefix, F16 weights.
#include <gtest/gtest.h>

#include <cstdlib>
#include <fstream>

#include "mha/error.hpp"
#include "mha/model.hpp"
#include "mha/safetensors.hpp"
#include "model/model_files.hpp"

namespace {

namespace fs = std::filesystem;
using mha::testing::ScratchModel;

fs::path tiny_dir() { return mha::testing::model_test_dir("tiny"); }

// The message of Model::load(dir)'s error; a test failure when it loads.
std::string load_error(const fs::path& dir) {
  try {
    (void)mha::Model::load(dir);
  } catch (const mha::Error& e) {
    return e.what();
  }
  ADD_FAILURE() << "loaded " << dir;
  return {};
}

void expect_load_error(const ScratchModel& m, const std::string& file,
                       std::initializer_list<std::string> fragments) {
  const std::string msg = load_error(m.dir());
  EXPECT_NE(msg.find((m.dir() / file).string() + ": "), std::string::npos) << msg;
  for (const auto& f : fragments)
    EXPECT_NE(msg.find(f), std::string::npos) << "'" << f << "' not in: " << msg;
}

// Every tensor of the tiny model's file, renamed or converted by `map` (which returns false to
// drop one), written back to the scratch model.
void rewrite_weights(const ScratchModel& m,
                     const std::function<bool(std::string&, mha::Tensor&)>& map) {
  const mha::Safetensors src = mha::Safetensors::open(tiny_dir() / "model.safetensors");
  std::map<std::string, mha::Tensor> kept;
  for (const auto& e : src.entries()) {
    std::string name = e.name;
    mha::Tensor t = mha::Tensor::copy_of(src.tensor(e.name));
    if (map(name, t)) kept.emplace(name, std::move(t));
  }
  std::map<std::string, mha::TensorView> views;
  for (const auto& [name, t] : kept) views.emplace(name, t.view());
  mha::testing::write_safetensors(m.dir() / "model.safetensors", views);
}

TEST(ModelLoad, MissingModelSaysHowToFetchIt) {
  const std::string msg = load_error("/nonexistent/model");
  EXPECT_NE(msg.find("/nonexistent/model: not found"), std::string::npos) << msg;
  EXPECT_NE(msg.find("scripts/fetch_model.sh"), std::string::npos) << msg;
  EXPECT_NE(msg.find("MHA_MODEL_DIR"), std::string::npos) << msg;
  const ScratchModel m(tiny_dir(), "no_weights");
  fs::remove(m.dir() / "model.safetensors");
  EXPECT_NE(load_error(m.dir()).find("model.safetensors: not found"), std::string::npos);
}

TEST(ModelLoad, ConfigFieldsAreValidated) {
  struct Case {
    const char* name;
    std::function<void(nlohmann::json&)> edit;
    std::vector<std::string> fragments;
  };
  const std::vector<Case> cases = {
      {"no_vocab",
       [](nlohmann::json& j) { j.erase("vocab_size"); },
       {"field 'vocab_size': missing"}},
      {"neg_hidden",
       [](nlohmann::json& j) { j["hidden_size"] = -12; },
       {"field 'hidden_size': expected an integer in 1..2^31, got -12"}},
      {"float_layers",
       [](nlohmann::json& j) { j["num_hidden_layers"] = 2.5; },
       {"field 'num_hidden_layers'", "got 2.5"}},
      {"heads",
       [](nlohmann::json& j) { j["num_attention_heads"] = 5; },
       {"field 'num_attention_heads': expected a divisor of hidden_size = 12, got 5"}},
      {"act",
       [](nlohmann::json& j) { j["hidden_act"] = "gelu_new"; },
       {"field 'hidden_act'", "\"gelu_new\""}},
      {"type",
       [](nlohmann::json& j) { j["model_type"] = "roberta"; },
       {"field 'model_type': expected \"bert\""}},
      {"relative",
       [](nlohmann::json& j) { j["position_embedding_type"] = "relative_key"; },
       {"field 'position_embedding_type'"}},
      {"decoder", [](nlohmann::json& j) { j["is_decoder"] = true; }, {"field 'is_decoder'"}},
      {"eps",
       [](nlohmann::json& j) { j["layer_norm_eps"] = 0; },
       {"field 'layer_norm_eps': expected a positive number"}},
      {"pad", [](nlohmann::json& j) { j["pad_token_id"] = 35; }, {"field 'pad_token_id'"}},
  };
  for (const Case& c : cases) {
    const ScratchModel m(tiny_dir(), c.name);
    m.edit_config(c.edit);
    const std::string msg = load_error(m.dir());
    EXPECT_NE(msg.find((m.dir() / "config.json").string() + ": "), std::string::npos) << msg;
    for (const auto& f : c.fragments)
      EXPECT_NE(msg.find(f), std::string::npos) << c.name << ": " << msg;
  }
  const ScratchModel m(tiny_dir(), "not_json");
  std::ofstream(m.dir() / "config.json") << "{\"vocab_size\": ";
  expect_load_error(m, "config.json", {"not valid JSON"});
}

TEST(ModelLoad, ConfigThatDoesNotMatchTheWeights) {
  {
    const ScratchModel m(tiny_dir(), "more_layers");
    m.edit_config([](nlohmann::json& j) { j["num_hidden_layers"] = 3; });
    expect_load_error(m, "model.safetensors",
                      {"tensor 'encoder.layer.2.attention.self.query.weight': missing"});
  }
  {
    const ScratchModel m(tiny_dir(), "fewer_layers");
    m.edit_config([](nlohmann::json& j) { j["num_hidden_layers"] = 1; });
    expect_load_error(m, "model.safetensors",
                      {"tensor 'encoder.layer.1.",
                       "not part of the encoder config.json describes (num_hidden_layers = 1)"});
  }
  {
    const ScratchModel m(tiny_dir(), "intermediate");
    m.edit_config([](nlohmann::json& j) { j["intermediate_size"] = 24; });
    expect_load_error(
        m, "model.safetensors",
        {"tensor 'encoder.layer.0.intermediate.dense.weight': expected shape [24, 12] = "
         "[intermediate_size, hidden_size] from config.json, got [20, 12]"});
  }
  {
    const ScratchModel m(tiny_dir(), "vocab");
    m.edit_config([](nlohmann::json& j) { j["vocab_size"] = 41; });
    expect_load_error(m, "model.safetensors",
                      {"tensor 'embeddings.word_embeddings.weight': expected shape [41, 12]"});
  }
  {
    const ScratchModel m(tiny_dir(), "int_weight");
    rewrite_weights(m, [](std::string& name, mha::Tensor& t) {
      if (name == "embeddings.LayerNorm.bias") t = mha::Tensor(mha::DType::i64, t.shape());
      return true;
    });
    expect_load_error(m, "model.safetensors",
                      {"tensor 'embeddings.LayerNorm.bias': expected a floating dtype", "got I64"});
  }
  {
    const ScratchModel m(tiny_dir(), "extra");
    rewrite_weights(m, [](std::string&, mha::Tensor&) { return true; });
    {
      // Add a stray tensor next to the others.
      const mha::Safetensors src = mha::Safetensors::open(m.dir() / "model.safetensors");
      std::map<std::string, mha::Tensor> all;
      for (const auto& e : src.entries())
        all.emplace(e.name, mha::Tensor::copy_of(src.tensor(e.name)));
      all.emplace("encoder.extra.weight", mha::Tensor(mha::DType::f32, mha::Shape{2}));
      std::map<std::string, mha::TensorView> views;
      for (const auto& [n, t] : all) views.emplace(n, t.view());
      mha::testing::write_safetensors(m.dir() / "model.safetensors", views);
    }
    expect_load_error(m, "model.safetensors",
                      {"tensor 'encoder.extra.weight': not part of the encoder"});
  }
}

TEST(ModelLoad, PoolingMustBeTheMean) {
  const ScratchModel m(tiny_dir(), "cls_pooling");
  nlohmann::json p = mha::testing::read_json(m.dir() / "1_Pooling" / "config.json");
  p["pooling_mode_cls_token"] = true;
  p["pooling_mode_mean_tokens"] = false;
  mha::testing::write_json(m.dir() / "1_Pooling" / "config.json", p);
  const std::string msg = load_error(m.dir());
  EXPECT_NE(msg.find("1_Pooling/config.json: field 'pooling_mode_"), std::string::npos) << msg;

  const ScratchModel d(tiny_dir(), "pool_dim");
  nlohmann::json q = mha::testing::read_json(d.dir() / "1_Pooling" / "config.json");
  q["word_embedding_dimension"] = 384;
  mha::testing::write_json(d.dir() / "1_Pooling" / "config.json", q);
  expect_load_error(d, "1_Pooling/config.json",
                    {"expected hidden_size = 12 from config.json, got 384"});
}

TEST(ModelLoad, AcceptsThePrefixedLayoutAndHalfPrecisionWeights) {
  const mha::Model reference = mha::Model::load(tiny_dir());
  const mha::TokenIds ids = {2, 5, 6, 7, 8, 3};
  const mha::Tensor want = reference.encode({ids}).hidden;

  const ScratchModel prefixed(tiny_dir(), "prefixed");
  rewrite_weights(prefixed, [](std::string& name, mha::Tensor&) {
    name = "bert." + name;
    return true;
  });
  EXPECT_EQ(mha::testing::max_abs_diff(mha::Model::load(prefixed.dir()).encode({ids}).hidden, want),
            0.0);

  // F16 weights are converted to f32 at load; the same values stored as F32 give the same
  // answer bit for bit.
  const ScratchModel half(tiny_dir(), "half"), rounded(tiny_dir(), "rounded");
  rewrite_weights(half, [](std::string&, mha::Tensor& t) {
    if (t.dtype() == mha::DType::f32) t = mha::Tensor::copy_of(t, mha::DType::f16);
    return true;
  });
  rewrite_weights(rounded, [](std::string&, mha::Tensor& t) {
    if (t.dtype() == mha::DType::f32)
      t = mha::Tensor::copy_of(mha::Tensor::copy_of(t, mha::DType::f16), mha::DType::f32);
    return true;
  });
  const mha::Tensor h = mha::Model::load(half.dir()).encode({ids}).hidden;
  EXPECT_EQ(mha::testing::max_abs_diff(h, mha::Model::load(rounded.dir()).encode({ids}).hidden),
            0.0);
  EXPECT_LT(mha::testing::max_abs_diff(h, want), 0.5);  // and near the f32 model (f16 weights)
}

TEST(ModelLoad, DefaultModelDirFollowsTheEnvironment) {
  const char* old = std::getenv("MHA_MODEL_DIR");
  const std::string saved = old ? old : "";
  ::setenv("MHA_MODEL_DIR", "/some/model", 1);
  EXPECT_EQ(mha::default_model_dir(), fs::path("/some/model"));
  ::setenv("MHA_MODEL_DIR", "", 1);
  EXPECT_EQ(mha::default_model_dir().filename(), "all-MiniLM-L6-v2");
  EXPECT_EQ(mha::default_model_dir().parent_path().filename(), "models");
  if (old)
    ::setenv("MHA_MODEL_DIR", saved.c_str(), 1);
  else
    ::unsetenv("MHA_MODEL_DIR");
}

}  // namespace
