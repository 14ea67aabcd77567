// Tensors, views and the 16-bit float conversions.
#include <gtest/gtest.h>

#include <algorithm>

#include <cmath>
#include <cstring>
#include <limits>
#include <string>

#include "mha/error.hpp"
#include "mha/tensor.hpp"
#include "mha/threads.hpp"

namespace {

using namespace mha;

float bits_to_float(std::uint32_t u) {
  float f;
  std::memcpy(&f, &u, 4);
  return f;
}

TEST(DTypeConversion, EveryF16ValueRoundTripsThroughF32) {
  for (std::uint32_t h = 0; h < 65536; ++h) {
    const float f = f16_to_f32(static_cast<std::uint16_t>(h));
    if (std::isnan(f)) {
      EXPECT_TRUE(std::isnan(f16_to_f32(f32_to_f16(f))));
      continue;
    }
    ASSERT_EQ(f32_to_f16(f), h) << "f16 bits " << h << " -> " << f;
  }
}

TEST(DTypeConversion, F16RoundsToNearestEven) {
  EXPECT_EQ(f16_to_f32(f32_to_f16(1.0f + std::ldexp(1.0f, -11))), 1.0f);  // tie -> even (1.0)
  EXPECT_EQ(f16_to_f32(f32_to_f16(1.0f + 3 * std::ldexp(1.0f, -11))), 1.0f + std::ldexp(1.0f, -9));  // tie -> even
  EXPECT_EQ(f16_to_f32(f32_to_f16(65504.0f)), 65504.0f);  // largest finite
  EXPECT_EQ(f16_to_f32(f32_to_f16(65519.0f)), 65504.0f);
  EXPECT_TRUE(std::isinf(f16_to_f32(f32_to_f16(65520.0f))));  // rounds to inf
  EXPECT_EQ(f16_to_f32(f32_to_f16(std::ldexp(1.0f, -24))), std::ldexp(1.0f, -24));  // smallest subnormal
  EXPECT_EQ(f16_to_f32(f32_to_f16(std::ldexp(1.0f, -25))), 0.0f);  // half of it: tie -> even (0)
  EXPECT_EQ(f16_to_f32(f32_to_f16(std::ldexp(1.5f, -25))), std::ldexp(1.0f, -24));
  EXPECT_EQ(f16_to_f32(f32_to_f16(-2.0f)), -2.0f);
  EXPECT_TRUE(std::signbit(f16_to_f32(f32_to_f16(-0.0f))));
}

TEST(DTypeConversion, Bf16RoundsToNearestEvenAndKeepsNaN) {
  EXPECT_EQ(bf16_to_f32(f32_to_bf16(bits_to_float(0x3f808000u))), bits_to_float(0x3f800000u));  // tie -> even
  EXPECT_EQ(bf16_to_f32(f32_to_bf16(bits_to_float(0x3f818000u))), bits_to_float(0x3f820000u));  // tie -> even
  EXPECT_EQ(bf16_to_f32(f32_to_bf16(bits_to_float(0x3f808001u))), bits_to_float(0x3f810000u));  // above tie
  EXPECT_TRUE(std::isnan(bf16_to_f32(f32_to_bf16(std::numeric_limits<float>::quiet_NaN()))));
  EXPECT_TRUE(std::isnan(bf16_to_f32(f32_to_bf16(bits_to_float(0x7f800001u)))));  // signalling NaN stays NaN
  EXPECT_TRUE(std::isinf(bf16_to_f32(f32_to_bf16(std::numeric_limits<float>::infinity()))));
  for (std::uint32_t b = 0; b < 65536; ++b) {
    const float f = bf16_to_f32(static_cast<std::uint16_t>(b));
    if (!std::isnan(f)) ASSERT_EQ(f32_to_bf16(f), b);
  }
}

TEST(Tensor, IsZeroedAlignedAndDeepCopied) {
  Tensor t(DType::f32, {3, 5});
  EXPECT_EQ(reinterpret_cast<std::uintptr_t>(t.data()) % 64, 0u);
  for (std::int64_t i = 0; i < t.numel(); ++i) EXPECT_EQ(t.data_as<float>()[i], 0.0f);
  t.data_as<float>()[7] = 3.0f;
  Tensor c = t;
  c.data_as<float>()[7] = 4.0f;
  EXPECT_EQ(t.data_as<float>()[7], 3.0f);
  EXPECT_EQ(c.view().get({1, 2}), 4.0);
  EXPECT_TRUE(Tensor(DType::f32, {0, 4}).defined());
}

// Uninitialized storage, large blocks reused after release: every live tensor has its own
// block, blocks of every size class come back usable, and the zeroing constructor still zeroes
// (it never takes a reused block).
TEST(Tensor, UninitializedBlocksAreReusedButNeverShared) {
  const std::int64_t big = std::int64_t{3} << 20;  // 12 MiB of floats: a mapped block
  for (int round = 0; round < 3; ++round) {
    std::vector<Tensor> live;
    for (std::int64_t n : {big, big, big / 2, big + 1, std::int64_t{1000}}) {
      Tensor t = Tensor::uninitialized(DType::f32, Shape{n});
      EXPECT_EQ(reinterpret_cast<std::uintptr_t>(t.data()) % 64, 0u);
      std::fill_n(t.data_as<float>(), n, static_cast<float>(round + live.size()));
      live.push_back(std::move(t));
    }
    for (std::size_t i = 0; i < live.size(); ++i) {
      const float want = static_cast<float>(round + i);
      const Tensor& t = live[i];
      EXPECT_EQ(t.data_as<float>()[0], want);
      EXPECT_EQ(t.data_as<float>()[t.numel() - 1], want);  // no other tensor wrote over it
    }
    const Tensor z(DType::f32, Shape{big});
    EXPECT_EQ(std::count(z.data_as<float>(), z.data_as<float>() + big, 0.0f), big);
  }
}

TEST(Tensor, CachedStorageCanBeReleased) {
  { Tensor t = Tensor::uninitialized(DType::f32, Shape{std::int64_t{1} << 20}); }  // 4 MiB, then released
  release_cached_storage();
  EXPECT_EQ(release_cached_storage(), 0u);  // nothing left
  Tensor t = Tensor::uninitialized(DType::f32, Shape{std::int64_t{1} << 20});
  std::fill_n(t.data_as<float>(), t.numel(), 2.0f);  // fresh storage still works
  EXPECT_EQ(t.data_as<float>()[t.numel() - 1], 2.0f);
}

TEST(Tensor, ViewsReshapePermuteAndCheckBounds) {
  Tensor t(DType::f32, {2, 3, 4});
  for (int i = 0; i < 24; ++i) t.data_as<float>()[i] = static_cast<float>(i);
  const TensorView p = t.view().permuted({2, 0, 1});  // [4, 2, 3]
  EXPECT_EQ(p.shape(), (Shape{4, 2, 3}));
  EXPECT_EQ(p.get({3, 1, 2}), t.view().get({1, 2, 3}));
  EXPECT_FALSE(p.is_contiguous());
  EXPECT_THROW((void)p.reshaped({24}), Error);
  EXPECT_EQ(t.view().reshaped({6, 4}).get({5, 3}), 23.0);
  EXPECT_THROW((void)t.view().reshaped({5, 5}), Error);
  EXPECT_THROW((void)t.view().permuted({0, 0, 1}), Error);
  EXPECT_THROW((void)t.view().get({2, 0, 0}), Error);
  EXPECT_THROW((void)t.view().get({0, 0}), Error);
  EXPECT_THROW(TensorView(t.data(), DType::f32, {2, 3}, {3, -1}), Error);
  EXPECT_THROW(TensorView(nullptr, DType::f32, {2, 3}), Error);
  // A strided copy converts dtypes on the way.
  const Tensor h = Tensor::copy_of(p, DType::f16);
  EXPECT_EQ(h.view().get({3, 1, 2}), 23.0);
}

// Same-dtype copies go by whole rows, rows that follow each other on both sides by whole
// blocks, and copies of 4 MiB or more split over the threads: every element lands in place
// whichever way (a KV-cache append is such a copy: a slice of [B, H, T, D]).
TEST(Tensor, LargeRowCopiesLandEveryElement) {
  const int saved = num_threads();
  set_num_threads(2);
  for (const std::int64_t T : {std::int64_t{40}, std::int64_t{20000}}) {  // 40 KiB; 5 MiB per side
    SCOPED_TRACE("T=" + std::to_string(T));
    Tensor src(DType::f32, {2, 4, T, 16});
    for (std::int64_t i = 0; i < src.numel(); ++i) src.data_as<float>()[i] = static_cast<float>(i % 1000003);
    // Into the tail of a longer sequence (block per (b, h)), and into a transposed layout.
    Tensor dst(DType::f32, {2, 4, T + 3, 16});
    const TensorView tail(dst.data_as<float>() + 3 * 16, DType::f32, src.shape(), dst.view().strides());
    copy_into(src, tail);
    Tensor dst_t(DType::f32, {2, T, 4, 16});
    copy_into(src, dst_t.view().permuted({0, 2, 1, 3}));
    std::int64_t wrong = 0;
    for (std::int64_t b = 0; b < 2; ++b)
      for (std::int64_t h = 0; h < 4; ++h)
        for (std::int64_t t = 0; t < T; ++t)
          for (std::int64_t d = 0; d < 16; ++d) {
            const float want = src.data_as<float>()[((b * 4 + h) * T + t) * 16 + d];
            wrong += dst.data_as<float>()[((b * 4 + h) * (T + 3) + t + 3) * 16 + d] != want;
            wrong += dst_t.data_as<float>()[((b * T + t) * 4 + h) * 16 + d] != want;
          }
    EXPECT_EQ(wrong, 0);
  }
  set_num_threads(saved);
}

TEST(Threads, SettingIsValidated) {
  const int saved = num_threads();
  EXPECT_GE(saved, 1);
  EXPECT_THROW(set_num_threads(0), Error);
  set_num_threads(3);
  EXPECT_EQ(num_threads(), 3);
  set_num_threads(saved);
}

}  // namespace
