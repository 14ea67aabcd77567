// mha::cpu_info: only invariants that hold on every machine (no test may assume this machine's
// CPU), plus agreement with what the compiler and the Linux kernel know independently.
#include "mha/cpu_info.hpp"

#include <gtest/gtest.h>

#include <fstream>
#include <set>
#include <sstream>
#include <string>

#include "attention/cpu/isa.hpp"

namespace {

TEST(CpuInfo, DescribesTheMachine) {
  const mha::CpuInfo info = mha::cpu_info();
  EXPECT_FALSE(info.architecture.empty());
  EXPECT_FALSE(info.vendor.empty());
  EXPECT_FALSE(info.brand.empty());
  EXPECT_GE(info.logical_cores, 1);
#if defined(__x86_64__) || defined(_M_X64)
  EXPECT_EQ(info.architecture, "x86-64");
#endif
}

TEST(CpuInfo, FeaturesNeedTheirBaseAndTheirRegisterState) {
  const mha::CpuInfo info = mha::cpu_info();
  const mha::CpuFeatures& f = info.features;
  // VEX-encoded features need the OS to save ymm; AVX-512 needs zmm, which includes ymm.
  if (f.avx) EXPECT_TRUE(info.os_saves_ymm);
  if (f.avx2 || f.fma || f.f16c) EXPECT_TRUE(f.avx);
  if (f.avx512f) EXPECT_TRUE(info.os_saves_zmm);
  if (info.os_saves_zmm) EXPECT_TRUE(info.os_saves_ymm);
  if (f.avx512dq || f.avx512bw || f.avx512vl || f.avx512_vnni || f.avx512_bf16) EXPECT_TRUE(f.avx512f);
  if (f.amx_tile || f.amx_bf16) EXPECT_TRUE(info.os_saves_amx);
#if !(defined(__x86_64__) || defined(_M_X64))
  EXPECT_TRUE(info.feature_list().empty());
#endif
}

TEST(CpuInfo, FeatureListFollowsTheFlags) {
  const mha::CpuInfo info = mha::cpu_info();
  std::set<std::string_view> listed;
  for (const std::string_view n : info.feature_list()) listed.insert(n);
  for (const mha::CpuFeatureName& f : mha::kCpuFeatureNames)
    EXPECT_EQ(listed.count(f.name) == 1, info.features.*f.flag) << f.name;
}

TEST(CpuInfo, AgreesWithTheCompilerTarget) {
  // This test binary runs, so every feature it was compiled to require is present.
  [[maybe_unused]] const mha::CpuFeatures f = mha::cpu_info().features;
#ifdef __SSE4_2__
  EXPECT_TRUE(f.sse4_2);
#endif
#ifdef __AVX__
  EXPECT_TRUE(f.avx);
#endif
#ifdef __AVX2__
  EXPECT_TRUE(f.avx2);
#endif
#ifdef __FMA__
  EXPECT_TRUE(f.fma);
#endif
#ifdef __AVX512F__
  EXPECT_TRUE(f.avx512f);
#endif
#ifdef __AVX512DQ__
  EXPECT_TRUE(f.avx512dq);
#endif
#ifdef __AVX512BW__
  EXPECT_TRUE(f.avx512bw);
#endif
}

TEST(CpuInfo, AgreesWithTheLinuxKernel) {
  // The kernel lists a feature only when the CPU has it and the kernel enabled its register
  // state, so each one it lists must be detected here. (The converse can fail legitimately:
  // `clearcpuid=` hides flags from /proc/cpuinfo but not from CPUID.)
  std::ifstream cpuinfo("/proc/cpuinfo");
  std::string line;
  while (std::getline(cpuinfo, line) && line.rfind("flags", 0) != 0) {
  }
  if (line.rfind("flags", 0) != 0) GTEST_SKIP() << "no x86 flags line in /proc/cpuinfo";
  std::set<std::string> kernel;
  std::istringstream words(line.substr(line.find(':') + 1));
  for (std::string w; words >> w;) kernel.insert(w);
  const mha::CpuInfo info = mha::cpu_info();
  for (const mha::CpuFeatureName& f : mha::kCpuFeatureNames) {
    std::string kernel_name(f.name);
    if (kernel_name == "sse4.2") kernel_name = "sse4_2";  // the kernel's spelling
    if (kernel.count(kernel_name)) EXPECT_TRUE(info.features.*f.flag) << f.name;
  }
}

TEST(CpuInfo, TheBf16RatioTimesTheInstructionsThemselves) {
  // The dispatcher gives bf16 inputs to the vdpbf16ps kernel only where vdpbf16ps measures
  // kBf16DotMinRatio times the FMA's flops. Timing anything but the instructions (a loop the
  // compiler folded away, accumulators in memory) gives a ratio of noise: clang builds once
  // timed an empty FMA loop, 32,000 "FMAs" in about 50 ns. No core runs more than 4 such
  // 512-bit instructions a cycle, nor faster than 6 GHz: at most 24 a nanosecond.
  const mha::detail::DotTimings t = mha::detail::bf16_dot_timings();
  if (!mha::detail::isa_supported(mha::detail::Isa::avx512_bf16)) {
    EXPECT_EQ(t.instructions, 0);
    EXPECT_EQ(mha::detail::bf16_dot_ratio(), 0.0);
    GTEST_SKIP() << "no AVX-512 BF16 here";
  }
  ASSERT_GT(t.instructions, 0);
  constexpr double kMaxPerNanosecond = 4 * 6.0;
  EXPECT_LE(t.instructions / (t.fma_seconds * 1e9), kMaxPerNanosecond) << t.fma_seconds << " s";
  EXPECT_LE(t.instructions / (t.dot_seconds * 1e9), kMaxPerNanosecond) << t.dot_seconds << " s";
  // Flops: 2 a lane for an FMA, 4 for a vdpbf16ps (two products and their sum).
  EXPECT_DOUBLE_EQ(mha::detail::bf16_dot_ratio(), (4.0 / t.dot_seconds) / (2.0 / t.fma_seconds));
}

}  // namespace
