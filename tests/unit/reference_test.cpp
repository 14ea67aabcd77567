// The reference checked by hand on problems small enough to compute on paper.
#include <gtest/gtest.h>

#include <cmath>

#include "mha/error.hpp"
#include "mha/reference.hpp"

namespace {

using namespace mha;

Tensor f64(const Shape& s, std::initializer_list<double> values) {
  Tensor t(DType::f64, s);
  int i = 0;
  for (double v : values) t.data_as<double>()[i++] = v;
  return t;
}

TEST(Reference, StepsOnAHandComputedExample) {
  // One query [1, 0]; keys [1, 0] and [0, 1]; values [1, 2] and [3, 4]; scale 1.
  const Tensor q = f64({1, 1, 1, 2}, {1, 0}), k = f64({1, 1, 2, 2}, {1, 0, 0, 1}), v = f64({1, 1, 2, 2}, {1, 2, 3, 4});
  const Tensor s = reference::score(q, k, 1.0);  // [1, 0]
  EXPECT_EQ(s.data_as<double>()[0], 1.0);
  EXPECT_EQ(s.data_as<double>()[1], 0.0);
  const auto w = reference::weigh(s, Tensor(), v);  // absent bias: every key kept
  const double p0 = std::exp(1.0) / (std::exp(1.0) + 1.0), p1 = 1.0 - p0;
  EXPECT_DOUBLE_EQ(w.probabilities.data_as<double>()[0], p0);
  EXPECT_DOUBLE_EQ(w.heads.data_as<double>()[0], p0 * 1 + p1 * 3);
  EXPECT_DOUBLE_EQ(w.heads.data_as<double>()[1], p0 * 2 + p1 * 4);

  // Removing key 0 leaves key 1 alone: probability 1, output its value.
  const Tensor bias = f64({1, 1, 1, 2}, {-INFINITY, 0});
  const auto w1 = reference::weigh(s, bias, v);
  EXPECT_EQ(w1.probabilities.data_as<double>()[0], 0.0);
  EXPECT_EQ(w1.heads.data_as<double>()[0], 3.0);

  // Soft cap 0.5: 0.5·tanh(1/0.5).
  EXPECT_DOUBLE_EQ(reference::softcap(s, 0.5).data_as<double>()[0], 0.5 * std::tanh(2.0));
  // Concat two heads [1, 2, 1, 2] → [1, 1, 4]; output with w = I, b = 1.
  const Tensor heads = f64({1, 2, 1, 2}, {1, 2, 3, 4});
  const Tensor c = reference::concat(heads);
  EXPECT_EQ(c.shape(), (Shape{1, 1, 4}));
  EXPECT_EQ(c.data_as<double>()[2], 3.0);
  const Tensor eye = f64({2, 4}, {1, 0, 0, 0, 0, 0, 0, 1}), b = f64({2}, {1, 1});
  const Tensor y = reference::output(c, eye, b);
  EXPECT_EQ(y.data_as<double>()[0], 2.0);
  EXPECT_EQ(y.data_as<double>()[1], 5.0);
  // Project splits heads: x [1, 1, 2] · wᵀ with w [4, 2] → [1, 2 heads, 1, 2].
  const Tensor x = f64({1, 1, 2}, {1, 2}), w4 = f64({4, 2}, {1, 0, 0, 1, 1, 1, 2, 0});
  const Tensor pr = reference::project(x, w4, TensorView(), 2);
  EXPECT_EQ(pr.shape(), (Shape{1, 2, 1, 2}));
  EXPECT_EQ(pr.data_as<double>()[2], 3.0);
  EXPECT_EQ(pr.data_as<double>()[3], 2.0);
}

TEST(Reference, LaterStepsRejectWhatEarlierStepsDoNotReturn) {
  EXPECT_THROW(reference::weigh(Tensor(DType::f32, {1, 1, 1, 2}), Tensor(), Tensor(DType::f32, {1, 1, 2, 2})), Error);
  EXPECT_THROW(reference::concat(Tensor(DType::f64, {1, 2, 3})), Error);
  EXPECT_THROW(reference::output(Tensor(), Tensor(DType::f64, {2, 2}), TensorView()), Error);
}

}  // namespace
