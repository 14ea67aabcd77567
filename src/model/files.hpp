#pragma once
// Reading the small text files of a model directory (config.json, ...).
#include <filesystem>
#include <nlohmann/json.hpp>
#include <string>

namespace mha::model {

// The whole file as text; throws mha::Error naming the path when it cannot be read.
std::string read_text_file(const std::filesystem::path& path);

// The file parsed as JSON; throws mha::Error naming the path when it is not valid JSON.
nlohmann::json read_json_file(const std::filesystem::path& path);

}  // namespace mha::model
