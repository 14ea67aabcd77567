// Build facts, from the compiler's own macros and the build type CMake passes in (MHA_BUILD_TYPE).
#include "build_info.hpp"

#include <string>

namespace mha::cli {

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

}  // namespace mha::cli
