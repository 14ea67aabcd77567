#pragma once
// Small formatting helpers for the tables of `mha explain`.
#include <cstdint>
#include <string>

#include "mha/tensor.hpp"

namespace mha::cli {

// "+0.1234 -0.5678 ..." : the first `count` values of row `row` of a contiguous tensor, where a
// row is a run along the last dimension (row r starts at element r · last dimension).
std::string row_values(const TensorView& t, std::int64_t row, std::int64_t count = 4);

// Largest |a - b| over two contiguous tensors of the same shape (any floating dtypes).
double max_abs_diff(const TensorView& a, const TensorView& b);

// printf-style "%.<digits>g" / "%.<digits>f" into a std::string.
std::string general(double v, int digits = 2);
std::string fixed(double v, int digits = 4);

}  // namespace mha::cli
