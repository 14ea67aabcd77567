#pragma once
// Helpers for the model tests: where the tiny model and the goldens are, a scratch copy of a
// model directory that a test may break on purpose, and comparisons that report their errors.
#include <filesystem>
#include <functional>
#include <map>
#include <nlohmann/json.hpp>
#include <string>

#include "mha/safetensors.hpp"
#include "mha/tensor.hpp"

namespace mha::testing {

// tests/model/<name> in the source tree this test was configured from.
std::filesystem::path model_test_dir(const std::string& name);

nlohmann::json read_json(const std::filesystem::path& path);
void write_json(const std::filesystem::path& path, const nlohmann::json& j);

// A copy of a model directory under the temporary directory, removed by the destructor.
class ScratchModel {
 public:
  ScratchModel(const std::filesystem::path& from, const std::string& name);
  ~ScratchModel();
  ScratchModel(const ScratchModel&) = delete;
  ScratchModel& operator=(const ScratchModel&) = delete;
  const std::filesystem::path& dir() const { return dir_; }

  // Rewrites config.json through `edit`.
  void edit_config(const std::function<void(nlohmann::json&)>& edit) const;

 private:
  std::filesystem::path dir_;
};

// Writes a safetensors file holding `tensors` (name → contiguous view of any mha dtype), in the
// reference writer's layout (header padded to 8 bytes, tensors in name order).
void write_safetensors(const std::filesystem::path& path,
                       const std::map<std::string, TensorView>& tensors);

// max |a − b| over two tensors of the same shape (any floating dtypes), in double.
double max_abs_diff(const TensorView& a, const TensorView& b);
// max |x|.
double max_abs_value(const TensorView& t);

}  // namespace mha::testing
