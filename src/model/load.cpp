// Model::load: the model directory's files, each validated, then the weights checked against
// the configuration.
#include <nlohmann/json.hpp>

#include "mha/error.hpp"
#include "model/files.hpp"
#include "model/model_impl.hpp"

namespace mha {
namespace {

namespace fs = std::filesystem;

// A missing model is the first thing a new user meets: say how to get one.
[[noreturn]] void missing(const fs::path& what) {
  throw Error(what.string() +
              ": not found. Fetch all-MiniLM-L6-v2 with scripts/fetch_model.sh (it goes to " +
              default_model_dir().string() +
              "), or name a model directory with --model DIR or MHA_MODEL_DIR");
}

// 1_Pooling/config.json, when present, must ask for what embed() computes: mean pooling alone.
void check_pooling(const fs::path& file, std::int64_t hidden_size) {
  const nlohmann::json j = model::read_json_file(file);
  if (!j.is_object()) throw Error(file.string() + ": expected a JSON object");
  for (const auto& [key, value] : j.items()) {
    if (key == "word_embedding_dimension") {
      if (!value.is_number_integer() || value.get<std::int64_t>() != hidden_size)
        throw Error(file.string() + ": field 'word_embedding_dimension': expected hidden_size = " +
                    std::to_string(hidden_size) + " from config.json, got " + value.dump());
    } else if (key == "pooling_mode_mean_tokens") {
      if (value != true)
        throw Error(
            file.string() +
            ": field 'pooling_mode_mean_tokens': expected true (mha pools by the mean), got " +
            value.dump());
    } else if (key.rfind("pooling_mode_", 0) == 0 && value != false) {
      // Any other pooling mode switched on would change the embedding. (Other keys, such as
      // include_prompt, do not matter for sentences without a prompt.)
      throw Error(file.string() + ": field '" + key +
                  "': expected false (mha implements mean pooling only), got " + value.dump());
    }
  }
}

// sentence_bert_config.json's max_seq_length, else the position table's length.
std::int64_t read_max_seq_length(const fs::path& file, const BertConfig& c) {
  if (!fs::exists(file)) return c.max_position_embeddings;
  const nlohmann::json j = model::read_json_file(file);
  if (!j.is_object() || !j.contains("max_seq_length")) return c.max_position_embeddings;
  const nlohmann::json& v = j["max_seq_length"];
  if (!v.is_number_unsigned() || v.get<std::uint64_t>() < 1 ||
      v.get<std::uint64_t>() > static_cast<std::uint64_t>(c.max_position_embeddings))
    throw Error(file.string() +
                ": field 'max_seq_length': expected an integer in 1..max_position_embeddings = " +
                std::to_string(c.max_position_embeddings) + ", got " + v.dump());
  return v.get<std::int64_t>();
}

}  // namespace

Model Model::load(const fs::path& dir) {
  if (!fs::is_directory(dir)) missing(dir);
  for (const char* name : {"config.json", "model.safetensors"})
    if (!fs::exists(dir / name)) missing(dir / name);
  auto impl = std::make_shared<Impl>(Impl{.directory = dir,
                                          .config = BertConfig::load(dir / "config.json"),
                                          .max_seq_length = 0,
                                          .file = Safetensors::open(dir / "model.safetensors"),
                                          .weights = {}});
  if (fs::exists(dir / "1_Pooling" / "config.json"))
    check_pooling(dir / "1_Pooling" / "config.json", impl->config.hidden_size);
  impl->max_seq_length = read_max_seq_length(dir / "sentence_bert_config.json", impl->config);
  impl->weights = model::load_encoder_weights(impl->file, impl->config);
  return Model(std::move(impl));
}

const BertConfig& Model::config() const noexcept { return impl_->config; }
const std::filesystem::path& Model::directory() const noexcept { return impl_->directory; }
std::int64_t Model::max_seq_length() const noexcept { return impl_->max_seq_length; }

}  // namespace mha
