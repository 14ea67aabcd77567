#pragma once
// How this `mha` was built, for `mha info` and bug reports.
#include <string>

namespace mha::cli {

std::string build_type();  // CMake's configuration, e.g. "Release"; "(none)" when unset
std::string compiler();    // e.g. "GCC 12.2.0", "Clang 14.0.6"

}  // namespace mha::cli
