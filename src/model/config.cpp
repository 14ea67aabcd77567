// BertConfig: config.json read strictly. Only what the encoder computes is accepted: a field
// that would change the computation in a way mha does not implement (another activation,
// relative positions, a decoder) is an error rather than a silently different model.
#include <cmath>
#include <nlohmann/json.hpp>

#include "mha/error.hpp"
#include "mha/model.hpp"
#include "model/files.hpp"

namespace mha {
namespace {

using json = nlohmann::json;

// Every size is at most 2^31, so that any product of two (a weight's element count) fits in
// int64 long before a file could hold it; real encoders are far below.
constexpr std::int64_t kMaxSize = std::int64_t{1} << 31;

[[noreturn]] void fail(const std::string& source, const std::string& field,
                       const std::string& what) {
  throw Error(source + ": field '" + field + "': " + what);
}

std::int64_t size_field(const json& j, const std::string& source, const char* field,
                        std::int64_t min) {
  if (!j.contains(field)) fail(source, field, "missing (a BERT config.json has it)");
  const json& v = j[field];
  // Non-negative integers parse as unsigned; a negative one is out of range anyway.
  const bool in_range = v.is_number_unsigned() &&
                        v.get<std::uint64_t>() >= static_cast<std::uint64_t>(min) &&
                        v.get<std::uint64_t>() <= static_cast<std::uint64_t>(kMaxSize);
  if (!in_range)
    fail(source, field,
         "expected an integer in " + std::to_string(min) + "..2^31, got " + v.dump());
  const auto n = v.get<std::int64_t>();
  return n;
}

// An optional string field that, when present, must have one of the values mha implements.
void expect_string(const json& j, const std::string& source, const char* field,
                   std::initializer_list<const char*> ok, const char* why) {
  if (!j.contains(field)) return;
  const json& v = j[field];
  if (v.is_string())
    for (const char* s : ok)
      if (v.get<std::string>() == s) return;
  fail(source, field, std::string(why) + ", got " + v.dump());
}

void expect_false(const json& j, const std::string& source, const char* field, const char* why) {
  if (j.contains(field) && j[field] != false)
    fail(source, field, std::string(why) + ", got " + j[field].dump());
}

}  // namespace

BertConfig BertConfig::parse(std::string_view json_text, const std::string& source) {
  json j;
  try {
    j = json::parse(json_text);
  } catch (const json::exception& e) {
    throw Error(source + ": not valid JSON: " + e.what());
  }
  if (!j.is_object())
    throw Error(source + ": expected a JSON object, got " + std::string(j.type_name()));

  BertConfig c;
  c.vocab_size = size_field(j, source, "vocab_size", 1);
  c.hidden_size = size_field(j, source, "hidden_size", 1);
  c.num_hidden_layers = size_field(j, source, "num_hidden_layers", 0);
  c.num_attention_heads = size_field(j, source, "num_attention_heads", 1);
  c.intermediate_size = size_field(j, source, "intermediate_size", 1);
  c.max_position_embeddings = size_field(j, source, "max_position_embeddings", 1);
  c.type_vocab_size = size_field(j, source, "type_vocab_size", 1);
  if (c.hidden_size % c.num_attention_heads != 0)
    fail(source, "num_attention_heads",
         "expected a divisor of hidden_size = " + std::to_string(c.hidden_size) + ", got " +
             std::to_string(c.num_attention_heads));
  if (j.contains("pad_token_id") && !j["pad_token_id"].is_null()) {
    const json& v = j["pad_token_id"];
    if (!v.is_number_integer() || v.get<std::int64_t>() < 0 ||
        v.get<std::int64_t>() >= c.vocab_size)
      fail(source, "pad_token_id",
           "expected a token id in 0.." + std::to_string(c.vocab_size - 1) + ", got " + v.dump());
    c.pad_token_id = v.get<std::int64_t>();
  }
  if (j.contains("layer_norm_eps")) {
    const json& v = j["layer_norm_eps"];
    if (!v.is_number() || !(v.get<double>() > 0.0) || !std::isfinite(v.get<double>()))
      fail(source, "layer_norm_eps", "expected a positive number, got " + v.dump());
    c.layer_norm_eps = v.get<double>();
  }
  expect_string(j, source, "hidden_act", {"gelu"},
                "expected \"gelu\" (the erf form, the one mha implements)");
  expect_string(j, source, "model_type", {"bert"}, "expected \"bert\"");
  expect_string(j, source, "position_embedding_type", {"absolute"},
                "expected \"absolute\" (relative position embeddings are not implemented)");
  expect_false(j, source, "is_decoder", "expected false (mha runs encoders)");
  expect_false(j, source, "add_cross_attention", "expected false (mha runs encoders)");
  return c;
}

BertConfig BertConfig::load(const std::filesystem::path& config_json) {
  return parse(model::read_text_file(config_json), config_json.string());
}

}  // namespace mha
