#include "golden/golden_data.hpp"

#include <cmath>
#include <fstream>
#include <sstream>

#include "common/npy.hpp"
#include "mha/error.hpp"

namespace mha::golden {
namespace {

DType dtype_of(const std::string& name) {
  if (name == "f32") return DType::f32;
  if (name == "f64") return DType::f64;
  if (name == "f16") return DType::f16;
  if (name == "bf16") return DType::bf16;
  if (name == "bool") return DType::boolean;
  throw Error("golden index: unknown dtype '" + name + "'");
}

const nlohmann::json* family_or_null(const char* family) {
  try {
    const nlohmann::json& idx = torch_index();
    return idx.contains(family) ? &idx.at(family) : nullptr;
  } catch (const std::exception&) {
    return nullptr;
  }
}

}  // namespace

std::string torch_dir() { return std::string(MHA_SOURCE_DIR) + "/tests/golden/torch"; }

const nlohmann::json& torch_index() {
  // Parsed once: the parameterized suites ask for the names at registration time and every
  // case looks itself up again.
  static const nlohmann::json index = [] {
    const std::string path = torch_dir() + "/index.json";
    std::ifstream f(path);
    if (!f) throw Error("golden index: cannot open " + path + " (run scripts/gen_torch_golden.py)");
    try {
      return nlohmann::json::parse(f);
    } catch (const nlohmann::json::exception& e) {
      throw Error("golden index: " + path + ": " + e.what());
    }
  }();
  return index;
}

std::vector<std::string> case_names(const char* family) {
  std::vector<std::string> names;
  if (const nlohmann::json* cases = family_or_null(family))
    for (const auto& c : *cases) names.push_back(c.at("name").get<std::string>());
  return names;
}

const nlohmann::json& find_case(const char* family, const std::string& name) {
  for (const auto& c : torch_index().at(family))
    if (c.at("name") == name) return c;
  throw Error(std::string("golden index: no ") + family + " case '" + name + "'");
}

Tensor load(const nlohmann::json& entry) {
  const std::string file = entry.at("file").get<std::string>();
  Tensor t = testing::load_npy(torch_dir() + "/" + file);
  const DType want = dtype_of(entry.at("dtype").get<std::string>());
  if (t.dtype() != want)
    throw Error("golden " + file + ": dtype " + dtype_name(t.dtype()) + ", index says " +
                dtype_name(want));
  const auto dims = entry.at("shape").get<std::vector<std::int64_t>>();
  if (!(t.shape() == Shape(std::span<const std::int64_t>(dims))))
    throw Error("golden " + file + ": shape " + t.shape().str() + " differs from the index");
  return t;
}

Diff compare(const TensorView& actual, const TensorView& expected, double abs_tol, double rel_tol) {
  if (!(actual.shape() == expected.shape()))
    throw Error("compare: shapes " + actual.shape().str() + " and " + expected.shape().str() +
                " differ");
  // Contiguous f64 copies: the outputs may come in any floating dtype and layout.
  const Tensor a = Tensor::copy_of(actual, DType::f64), e = Tensor::copy_of(expected, DType::f64);
  const double* pa = a.data_as<double>();
  const double* pe = e.data_as<double>();
  Diff d;
  for (std::int64_t i = 0; i < a.numel(); ++i) {
    if (!std::isfinite(pa[i]) || !std::isfinite(pe[i])) {
      d.non_finite = true;
      d.worst = i;
      d.worst_actual = pa[i];
      d.worst_expected = pe[i];
      return d;
    }
    const double err = std::abs(pa[i] - pe[i]);
    const double ratio = err / (abs_tol + rel_tol * std::abs(pe[i]));
    d.max_abs = std::max(d.max_abs, err);
    if (ratio > d.worst_ratio || d.worst < 0) {
      d.worst_ratio = ratio;
      d.worst = i;
      d.worst_actual = pa[i];
      d.worst_expected = pe[i];
    }
  }
  return d;
}

std::string describe(const Diff& d, const char* what) {
  std::ostringstream s;
  s.precision(9);
  s << what << ": max |err| " << d.max_abs << ", worst err/tol " << d.worst_ratio
    << " at flat index " << d.worst << " (" << d.worst_actual << " vs " << d.worst_expected << ")"
    << (d.non_finite ? " NON-FINITE" : "");
  return s.str();
}

double max_abs(const TensorView& t) {
  const Tensor c = Tensor::copy_of(t, DType::f64);
  double m = 0.0;
  for (std::int64_t i = 0; i < c.numel(); ++i) m = std::max(m, std::abs(c.data_as<double>()[i]));
  return m;
}

Tensor abs_f64(const TensorView& t) {
  Tensor c = Tensor::copy_of(t, DType::f64);
  for (std::int64_t i = 0; i < c.numel(); ++i)
    c.data_as<double>()[i] = std::abs(c.data_as<double>()[i]);
  return c;
}

}  // namespace mha::golden
