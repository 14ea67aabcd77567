#include <gtest/gtest.h>

#include <random>

#include "mha/attention.hpp"
#include "mha/reference.hpp"

TEST(Smoke, CoreMatchesReference) {
  std::mt19937 rng(1);
  std::normal_distribution<float> nd;
  mha::Tensor q(mha::DType::f32, {2, 4, 5, 8}), k(mha::DType::f32, {2, 2, 7, 8}), v(mha::DType::f32, {2, 2, 7, 6});
  for (auto* t : {&q, &k, &v})
    for (int64_t i = 0; i < t->numel(); ++i) t->data_as<float>()[i] = nd(rng);
  mha::AttentionInputs in{q, k, v};
  mha::AttentionOptions opt;
  opt.is_causal = true;
  auto r = mha::attention(in, opt);
  auto ref = mha::reference::attention(in, opt);
  double maxerr = 0;
  for (int64_t i = 0; i < r.y.numel(); ++i)
    maxerr = std::max(maxerr, std::abs(r.y.data_as<float>()[i] - ref.y.data_as<double>()[i]));
  EXPECT_LT(maxerr, 1e-5);
}
