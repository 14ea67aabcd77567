#pragma once
// What the machine offers mha: the CPU, its vector features, and the attention backend that runs.
//
// Features are read with CPUID on x86-64 and count only when the operating system also saves the
// registers they use (XCR0, read with XGETBV): a CPU with AVX-512 under an OS that does not save
// the zmm state must not run AVX-512 code. On other architectures every feature is false.
#include <string>
#include <string_view>
#include <vector>

namespace mha {

// Each flag is true when the CPU has the feature and the OS enables its register state.
struct CpuFeatures {
  bool sse4_2 = false;
  bool avx = false;
  bool avx2 = false;
  bool fma = false;
  bool f16c = false;
  bool avx512f = false;
  bool avx512dq = false;
  bool avx512bw = false;
  bool avx512vl = false;
  bool avx512_vnni = false;
  bool avx512_bf16 = false;
  // AMX tile state is enabled in XCR0 here; on Linux a process must still ask the kernel for it
  // (arch_prctl ARCH_REQ_XCOMP_PERM) before its first tile instruction. That is the kernel's job.
  bool amx_tile = false;
  bool amx_bf16 = false;
};

// One entry per CpuFeatures flag, in the order above, named as Linux /proc/cpuinfo and compilers
// spell them (sse4.2 keeps its dot).
struct CpuFeatureName {
  std::string_view name;
  bool CpuFeatures::*flag;
};
inline constexpr CpuFeatureName kCpuFeatureNames[] = {
    {"sse4.2", &CpuFeatures::sse4_2},
    {"avx", &CpuFeatures::avx},
    {"avx2", &CpuFeatures::avx2},
    {"fma", &CpuFeatures::fma},
    {"f16c", &CpuFeatures::f16c},
    {"avx512f", &CpuFeatures::avx512f},
    {"avx512dq", &CpuFeatures::avx512dq},
    {"avx512bw", &CpuFeatures::avx512bw},
    {"avx512vl", &CpuFeatures::avx512vl},
    {"avx512_vnni", &CpuFeatures::avx512_vnni},
    {"avx512_bf16", &CpuFeatures::avx512_bf16},
    {"amx_tile", &CpuFeatures::amx_tile},
    {"amx_bf16", &CpuFeatures::amx_bf16},
};

struct CpuInfo {
  std::string architecture;  // "x86-64", "aarch64", ... (what this build targets)
  std::string vendor;     // CPUID vendor, e.g. "GenuineIntel", "AuthenticAMD"; "unknown" elsewhere
  std::string brand;      // e.g. "Intel(R) Xeon(R) Platinum 8480+"; never empty
  int logical_cores = 1;  // hardware threads the OS reports, >= 1
  CpuFeatures features;
  // XCR0 as the OS set it (x86-64): which register files are saved on a context switch.
  bool os_saves_ymm = false;  // AVX state (xmm + upper ymm)
  bool os_saves_zmm = false;  // AVX-512 state (opmask, upper zmm, zmm16-31)
  bool os_saves_amx = false;  // AMX tile config and data

  // The names of the features that are on, in kCpuFeatureNames order.
  std::vector<std::string_view> feature_list() const;
};

// The CPU this process runs on; detected once, then cached (thread-safe).
CpuInfo cpu_info();

// The attention backend that mha::attention and MultiHeadAttention::forward run on this machine,
// e.g. "cpu-flash (avx512, fp32 accumulation)". The one place that names it: runtime dispatch to faster
// kernels updates this function together with the dispatch.
std::string backend_name();

}  // namespace mha
