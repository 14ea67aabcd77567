#pragma once
// Reads NumPy .npy files (format 1.0/2.0/3.0, C order, little-endian) into mha::Tensor, for the
// golden-data tests. Supported dtypes: <f4 <f8 <f2 |b1 <i8, and <u2 read as bf16 (NumPy has no
// bfloat16; the scripts that write goldens store its bits as uint16 and say so in their index).
#include <string>

#include "mha/tensor.hpp"

namespace mha::testing {

// Throws mha::Error naming the file for anything malformed or unsupported.
Tensor load_npy(const std::string& path);

}  // namespace mha::testing
