#pragma once
// The output formats of `mha embed`.
//
// json: one object, one embedding per line:
//   {"model": "all-MiniLM-L6-v2", "dimension": 384, "normalized": true,
//    "sentences": ["first sentence", ...],
//    "embeddings": [[0.0123, -0.0456, ...], ...]}
// sentences[i] is the text of embeddings[i], exactly as read (before truncation); numbers are
// the shortest decimal that reads back as the same f32.
//
// npy: NumPy's .npy format version 1.0, written here: the magic "\x93NUMPY", version 1.0, a
// little-endian uint16 header length, the header (a Python dict literal
// {'descr': '<f4', 'fortran_order': False, 'shape': (N, E), } padded with spaces and ended by
// '\n' so that the data starts at a multiple of 64 bytes), then N·E little-endian f32, row-major.
// np.load reads it.
#include <string>
#include <vector>

#include "mha/tensor.hpp"

namespace mha::cli {

// embeddings: [N, E] f32.
std::string embeddings_json(const std::string& model, const std::vector<std::string>& sentences,
                            const Tensor& embeddings);
std::string npy_f32(const Tensor& embeddings);

}  // namespace mha::cli
