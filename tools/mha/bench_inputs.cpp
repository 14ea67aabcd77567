#include "bench_inputs.hpp"

#include <limits>

namespace mha::cli {

Tensor bench_tensor(std::uint64_t stream, DType dtype, const Shape& shape, float scale) {
  Tensor t(dtype, shape);
  const std::int64_t n = t.numel();
#pragma omp parallel for schedule(static)
  for (std::int64_t i = 0; i < n; ++i)
    store_from_float(t.data(), dtype, i, scale * bench_uniform(stream, static_cast<std::uint64_t>(i)));
  return t;
}

Tensor bench_bool_mask(const Shape& shape) {
  Tensor t(DType::boolean, shape);
  const std::int64_t n = t.numel();
  auto* p = t.data_as<std::uint8_t>();
#pragma omp parallel for schedule(static)
  for (std::int64_t i = 0; i < n; ++i)
    p[i] = bench_uniform(static_cast<std::uint64_t>(Stream::mask), static_cast<std::uint64_t>(i)) >= -0.8f;
  return t;
}

Tensor bench_float_mask(const Shape& shape) {
  Tensor t(DType::f32, shape);
  const std::int64_t n = t.numel();
  auto* p = t.data_as<float>();
#pragma omp parallel for schedule(static)
  for (std::int64_t i = 0; i < n; ++i) {
    const float u = bench_uniform(static_cast<std::uint64_t>(Stream::mask), static_cast<std::uint64_t>(i));
    p[i] = u < -0.8f ? -std::numeric_limits<float>::infinity() : u;
  }
  return t;
}

}  // namespace mha::cli
