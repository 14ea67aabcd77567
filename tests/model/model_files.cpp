#include "model/model_files.hpp"

#include <unistd.h>

#include <algorithm>
#include <cmath>
#include <cstring>
#include <fstream>
#include <sstream>

#include "mha/error.hpp"

namespace mha::testing {

namespace fs = std::filesystem;

fs::path model_test_dir(const std::string& name) {
  return fs::path(MHA_SOURCE_DIR) / "tests" / "model" / name;
}

nlohmann::json read_json(const fs::path& path) {
  std::ifstream in(path);
  if (!in) throw Error(path.string() + ": cannot open");
  return nlohmann::json::parse(in);
}

void write_json(const fs::path& path, const nlohmann::json& j) {
  std::ofstream(path) << j.dump(2) << "\n";
}

ScratchModel::ScratchModel(const fs::path& from, const std::string& name)
    : dir_(fs::temp_directory_path() / ("mha_model_" + std::to_string(::getpid()) + "_" + name)) {
  fs::remove_all(dir_);
  fs::copy(from, dir_, fs::copy_options::recursive);
}

ScratchModel::~ScratchModel() {
  std::error_code ec;
  fs::remove_all(dir_, ec);
}

void ScratchModel::edit_config(const std::function<void(nlohmann::json&)>& edit) const {
  nlohmann::json j = read_json(dir_ / "config.json");
  edit(j);
  write_json(dir_ / "config.json", j);
}

void write_safetensors(const fs::path& path, const std::map<std::string, TensorView>& tensors) {
  static const std::map<DType, const char*> names = {{DType::f32, "F32"}, {DType::f64, "F64"},
                                                     {DType::f16, "F16"}, {DType::bf16, "BF16"},
                                                     {DType::i64, "I64"}, {DType::boolean, "BOOL"}};
  nlohmann::json header = nlohmann::json::object();
  header["__metadata__"] = {{"format", "pt"}};
  std::string data;
  for (const auto& [name, t] : tensors) {
    if (!t.is_contiguous()) throw Error("write_safetensors: " + name + " is not contiguous");
    const auto begin = data.size();
    data.append(static_cast<const char*>(t.data()),
                static_cast<std::size_t>(t.numel()) * dtype_size(t.dtype()));
    std::vector<std::int64_t> shape(t.shape().data(), t.shape().data() + t.rank());
    header[name] = {
        {"dtype", names.at(t.dtype())}, {"shape", shape}, {"data_offsets", {begin, data.size()}}};
  }
  std::string text = header.dump();
  while (text.size() % 8) text += ' ';
  std::ofstream out(path, std::ios::binary | std::ios::trunc);
  const std::uint64_t n = text.size();
  for (int i = 0; i < 8; ++i) out.put(static_cast<char>((n >> (8 * i)) & 0xff));
  out << text << data;
}

double max_abs_diff(const TensorView& a, const TensorView& b) {
  if (!(a.shape() == b.shape()))
    throw Error("max_abs_diff: shapes " + a.shape().str() + " and " + b.shape().str());
  const Tensor x = Tensor::copy_of(a, DType::f64), y = Tensor::copy_of(b, DType::f64);
  double m = 0.0;
  for (std::int64_t i = 0; i < x.numel(); ++i) {
    const double d = std::abs(x.data_as<double>()[i] - y.data_as<double>()[i]);
    if (std::isnan(d)) return INFINITY;
    m = std::max(m, d);
  }
  return m;
}

double max_abs_value(const TensorView& t) {
  const Tensor x = Tensor::copy_of(t, DType::f64);
  double m = 0.0;
  for (std::int64_t i = 0; i < x.numel(); ++i) m = std::max(m, std::abs(x.data_as<double>()[i]));
  return m;
}

}  // namespace mha::testing
