// mha::info_report: `mha info` and Python's mha.info(). The build type comes from CMake
// (MHA_BUILD_TYPE, src/core/sources.cmake), the compiler from its own macros.
#include "mha/info.hpp"

#include <cstdio>
#include <sstream>
#include <vector>

#include "attention/cpu/isa.hpp"
#include "attention/cpu/tuning.hpp"
#include "mha/cpu_info.hpp"
#include "mha/threads.hpp"
#include "mha/version.hpp"

namespace mha {
namespace {

std::string joined(const std::vector<std::string_view>& words) {
  std::string s;
  for (const std::string_view w : words) {
    if (!s.empty()) s += ' ';
    s += w;
  }
  return s.empty() ? "(none)" : s;
}

}  // namespace

std::string build_type() {
#ifdef MHA_BUILD_TYPE
  const std::string type = MHA_BUILD_TYPE;
  if (!type.empty()) return type;
#endif
  return "(none)";
}

std::string compiler() {
  // Clang also defines __GNUC__, so it is asked first.
#if defined(__clang__)
  return "Clang " + std::to_string(__clang_major__) + "." + std::to_string(__clang_minor__) + "." +
         std::to_string(__clang_patchlevel__);
#elif defined(__GNUC__)
  return "GCC " + std::to_string(__GNUC__) + "." + std::to_string(__GNUC_MINOR__) + "." +
         std::to_string(__GNUC_PATCHLEVEL__);
#elif defined(_MSC_VER)
  return "MSVC " + std::to_string(_MSC_FULL_VER);
#else
  return "unknown compiler";
#endif
}

std::string info_report(std::string_view threads_note) {
  const CpuInfo cpu = cpu_info();
  std::vector<std::string_view> missing;
  for (const CpuFeatureName& f : kCpuFeatureNames)
    if (!(cpu.features.*f.flag)) missing.push_back(f.name);
  auto yes_no = [](bool b) { return b ? "yes" : "no"; };

  std::ostringstream out;
  out << "mha " << MHA_VERSION_STRING << "\n"
      << "cpu:       " << cpu.brand << "\n"
      << "           " << cpu.vendor << ", " << cpu.architecture << ", " << cpu.logical_cores
      << " logical cores\n"
      << "features:  " << joined(cpu.feature_list()) << "\n"
      << "missing:   " << joined(missing) << "\n";
  if (cpu.architecture == "x86-64")
    out << "os state:  ymm " << yes_no(cpu.os_saves_ymm) << ", zmm " << yes_no(cpu.os_saves_zmm)
        << ", amx tiles " << yes_no(cpu.os_saves_amx)
        << " (XCR0: features count only where the OS saves their registers)\n";
  out << "threads:   " << num_threads() << " (" << threads_note << ")\n"
      << "backend:   " << backend_name() << "\n";
  if (detail::isa_supported(detail::Isa::avx512_bf16)) {
    char ratio[32];
    std::snprintf(ratio, sizeof ratio, "%.2f", detail::bf16_dot_ratio());
    out << "bf16:      vdpbf16ps does " << ratio << "x the flops of an fp32 FMA here: bf16 inputs run "
        << (detail::active_isa() == detail::Isa::avx512_bf16 ? "on vdpbf16ps" : "the fp32 kernel")
        << " (vdpbf16ps from " << detail::kBf16DotMinRatio << "x; MHA_ISA=avx512 or avx512_bf16 chooses)\n";
  }
  out
      << "build:     " << build_type() << ", " << compiler() << ", C++" << __cplusplus / 100 % 100
      << "\n";
  return out.str();
}

}  // namespace mha
