#pragma once
// Seeded random tensors for the property tests.
#include <cmath>
#include <cstdint>
#include <random>

#include "mha/tensor.hpp"

namespace mha::testing {

// Normal(0, sigma) values in any floating dtype.
inline Tensor random_tensor(std::mt19937_64& rng, DType dt, const Shape& shape, double sigma = 1.0) {
  Tensor t(dt, shape);
  std::normal_distribution<double> nd(0.0, sigma);
  for (std::int64_t i = 0; i < t.numel(); ++i) store_from_double(t.data(), dt, i, nd(rng));
  return t;
}

// A strided (non-contiguous) view of random values: the last dimension padded by `pad`
// elements that hold NaN, so a kernel that reads past the view's extent is caught.
struct PaddedTensor {
  Tensor storage;
  TensorView view;
};
inline PaddedTensor random_padded(std::mt19937_64& rng, DType dt, const Shape& shape, std::int64_t pad) {
  Shape big = shape;
  const int last = shape.rank() - 1;
  big[last] = shape[last] + pad;
  PaddedTensor p{Tensor(dt, big), {}};
  std::normal_distribution<double> nd(0.0, 1.0);
  const Shape st = contiguous_strides(big);
  for (std::int64_t i = 0; i < p.storage.numel(); ++i) {
    const bool in_pad = (i % big[last]) >= shape[last];
    store_from_double(p.storage.data(), dt, i, in_pad ? std::nan("") : nd(rng));
  }
  p.view = TensorView(p.storage.data(), dt, shape, st);
  return p;
}

inline DType random_float_dtype(std::mt19937_64& rng, bool allow_f64 = true) {
  const DType all[] = {DType::f32, DType::f32, DType::f16, DType::bf16, DType::f64};
  return all[rng() % (allow_f64 ? 5 : 4)];
}

}  // namespace mha::testing
