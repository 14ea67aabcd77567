// CPU detection: CPUID and XGETBV on x86-64, a portable answer elsewhere.
#include "mha/cpu_info.hpp"

#include "attention/cpu/isa.hpp"

#include <algorithm>
#include <array>
#include <cstdint>
#include <cstring>
#include <thread>

#if defined(__x86_64__) || defined(_M_X64)
#define MHA_CPU_X86_64 1
#if defined(_MSC_VER) && !defined(__clang__)
#include <intrin.h>
#else
#include <cpuid.h>
#endif
#endif

namespace mha {
namespace {

#if defined(MHA_CPU_X86_64)

struct Regs {
  std::uint32_t eax = 0, ebx = 0, ecx = 0, edx = 0;
};

Regs cpuid(std::uint32_t leaf, std::uint32_t subleaf = 0) {
  Regs r;
#if defined(_MSC_VER) && !defined(__clang__)
  int v[4];
  __cpuidex(v, static_cast<int>(leaf), static_cast<int>(subleaf));
  r = {static_cast<std::uint32_t>(v[0]), static_cast<std::uint32_t>(v[1]),
       static_cast<std::uint32_t>(v[2]), static_cast<std::uint32_t>(v[3])};
#else
  __cpuid_count(leaf, subleaf, r.eax, r.ebx, r.ecx, r.edx);
#endif
  return r;
}

// XCR0. Only valid to execute when CPUID.1:ECX.OSXSAVE says the OS has enabled XSAVE; the inline
// form avoids needing -mxsave for the _xgetbv intrinsic on GCC.
std::uint64_t xgetbv0() {
#if defined(_MSC_VER) && !defined(__clang__)
  return _xgetbv(0);
#else
  std::uint32_t lo = 0, hi = 0;
  __asm__ volatile("xgetbv" : "=a"(lo), "=d"(hi) : "c"(0));
  return (static_cast<std::uint64_t>(hi) << 32) | lo;
#endif
}

bool bit(std::uint32_t reg, int n) { return ((reg >> n) & 1u) != 0; }

// Register strings come padded with spaces (Intel right-aligns the brand), and may hold NULs.
std::string trimmed(const char* p, std::size_t n) {
  std::string s(p, std::find(p, p + n, '\0'));
  const auto first = s.find_first_not_of(' ');
  if (first == std::string::npos) return {};
  return s.substr(first, s.find_last_not_of(' ') - first + 1);
}

void detect(CpuInfo& info) {
  info.architecture = "x86-64";
  const Regs leaf0 = cpuid(0);
  const std::uint32_t max_leaf = leaf0.eax;
  std::array<char, 12> vendor{};  // EBX, EDX, ECX, in that order
  std::memcpy(vendor.data(), &leaf0.ebx, 4);
  std::memcpy(vendor.data() + 4, &leaf0.edx, 4);
  std::memcpy(vendor.data() + 8, &leaf0.ecx, 4);
  info.vendor = trimmed(vendor.data(), vendor.size());

  if (cpuid(0x80000000u).eax >= 0x80000004u) {
    std::array<char, 48> brand{};
    for (std::uint32_t i = 0; i < 3; ++i) {
      const Regs r = cpuid(0x80000002u + i);
      std::memcpy(brand.data() + 16 * i, &r, 16);  // eax, ebx, ecx, edx
    }
    info.brand = trimmed(brand.data(), brand.size());
  }

  if (max_leaf < 1) return;
  const Regs l1 = cpuid(1);
  // XCR0 bits: 1 SSE, 2 AVX (upper ymm); 5 opmask, 6 ZMM_Hi256, 7 Hi16_ZMM; 17 XTILECFG,
  // 18 XTILEDATA. Without OSXSAVE the OS saves none of the extended state.
  const std::uint64_t xcr0 = bit(l1.ecx, 27) ? xgetbv0() : 0;
  info.os_saves_ymm = (xcr0 & 0x6) == 0x6;
  info.os_saves_zmm = info.os_saves_ymm && (xcr0 & 0xe0) == 0xe0;
  info.os_saves_amx = (xcr0 & 0x60000) == 0x60000;

  CpuFeatures& f = info.features;
  f.sse4_2 = bit(l1.ecx, 20);
  // FMA and F16C are VEX-encoded: they need the ymm state like AVX itself.
  f.avx = info.os_saves_ymm && bit(l1.ecx, 28);
  f.fma = f.avx && bit(l1.ecx, 12);
  f.f16c = f.avx && bit(l1.ecx, 29);

  if (max_leaf < 7) return;
  const Regs l7 = cpuid(7, 0);
  f.avx2 = f.avx && bit(l7.ebx, 5);
  f.avx512f = info.os_saves_zmm && bit(l7.ebx, 16);
  f.avx512dq = f.avx512f && bit(l7.ebx, 17);
  f.avx512bw = f.avx512f && bit(l7.ebx, 30);
  f.avx512vl = f.avx512f && bit(l7.ebx, 31);
  f.avx512_vnni = f.avx512f && bit(l7.ecx, 11);
  f.amx_bf16 = info.os_saves_amx && bit(l7.edx, 22);
  f.amx_tile = info.os_saves_amx && bit(l7.edx, 24);
  // AVX512_BF16 lives in sub-leaf 1, which exists only when sub-leaf 0 reports it (EAX >= 1).
  if (l7.eax >= 1) f.avx512_bf16 = f.avx512f && bit(cpuid(7, 1).eax, 5);
}

#else

void detect(CpuInfo& info) {
#if defined(__aarch64__) || defined(_M_ARM64)
  info.architecture = "aarch64";
#elif defined(__arm__)
  info.architecture = "arm";
#elif defined(__riscv)
  info.architecture = "riscv";
#elif defined(__powerpc64__)
  info.architecture = "ppc64";
#elif defined(__i386__) || defined(_M_IX86)
  info.architecture = "x86 (32-bit)";
#else
  info.architecture = "unknown";
#endif
}

#endif

CpuInfo detect_once() {
  CpuInfo info;
  info.vendor = "unknown";
  detect(info);
  if (info.vendor.empty()) info.vendor = "unknown";
  // Some hypervisors hide the brand leaves; say what is known rather than print nothing.
  if (info.brand.empty())
    info.brand = "unknown " + info.architecture + " CPU (" + info.vendor + ")";
  const unsigned hw = std::thread::hardware_concurrency();  // 0 when the OS does not say
  info.logical_cores = hw > 0 ? static_cast<int>(hw) : 1;
  return info;
}

}  // namespace

std::vector<std::string_view> CpuInfo::feature_list() const {
  std::vector<std::string_view> names;
  for (const CpuFeatureName& f : kCpuFeatureNames)
    if (features.*f.flag) names.push_back(f.name);
  return names;
}

CpuInfo cpu_info() {
  static const CpuInfo info = detect_once();  // CPUID is slow under some hypervisors: ask once
  return info;
}

std::string backend_name() {
  // The dispatcher's choice (src/attention/cpu/isa.cpp): the widest target this CPU supports,
  // or the one MHA_ISA forces. Training-mode dropout runs the portable row kernel.
  return std::string("cpu-flash (") + detail::isa_name(detail::active_isa()) + ", fp32 accumulation)";
}
}  // namespace mha
