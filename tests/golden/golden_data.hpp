#pragma once
// Golden data written by scripts/gen_torch_golden.py: the index, the tensors it names, and the
// error statistics the parity tests report.
#include <cstdint>
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "mha/tensor.hpp"

namespace mha::golden {

// tests/golden/torch (under the source tree the test was configured from).
std::string torch_dir();

// tests/golden/torch/index.json, parsed once. Throws mha::Error if it is missing or malformed.
const nlohmann::json& torch_index();

// The names of the cases of one family ("module" or "sdpa"), in index order; empty when the
// index cannot be read (the IndexIsComplete test reports why).
std::vector<std::string> case_names(const char* family);

// The case called `name` of a family; throws mha::Error if absent.
const nlohmann::json& find_case(const char* family, const std::string& name);

// Loads the .npy an index entry names ({"file", "dtype", "shape"}) and checks that its dtype
// and shape are the ones the index promises, so a stale or hand-edited file fails loudly.
Tensor load(const nlohmann::json& entry);

// How far `actual` is from `expected` (same shape, any dtypes, compared in double), measured
// against an elementwise tolerance tol_i = abs_tol + rel_tol · |expected_i|.
struct Diff {
  double max_abs = 0.0;      // max |actual_i − expected_i|
  double worst_ratio = 0.0;  // max |actual_i − expected_i| / tol_i  (≤ 1: within tolerance)
  std::int64_t worst = -1;   // flat index of worst_ratio
  double worst_actual = 0.0, worst_expected = 0.0;
  bool non_finite = false;  // a NaN or inf in either tensor
  bool ok() const { return !non_finite && worst_ratio <= 1.0; }
};
Diff compare(const TensorView& actual, const TensorView& expected, double abs_tol, double rel_tol);
std::string describe(const Diff& d, const char* what);

// The largest |x_i| of a tensor (any floating dtype).
double max_abs(const TensorView& t);

// |x| elementwise, as a contiguous f64 tensor.
Tensor abs_f64(const TensorView& t);

}  // namespace mha::golden
