#pragma once
// mha::info_report — the machine and the build as mha sees them, as `mha info` and Python's
// mha.info() print them:
//
//   mha 0.1.0
//   cpu:       Intel(R) Xeon(R) ...
//              GenuineIntel, x86-64, 2 logical cores
//   features:  sse4.2 avx avx2 fma f16c
//   missing:   avx512f ...
//   os state:  ymm yes, zmm no, amx tiles no (XCR0: ...)      (x86-64 only)
//   threads:   2 (<threads_note>)
//   backend:   cpu-flash (...)
//   build:     Release, GCC 12.2.0, C++20
#include <string>
#include <string_view>

namespace mha {

// The report above; one line per field, each ending in "\n". `threads_note` says where the
// thread count came from (the caller knows: a command-line flag, set_num_threads, ...).
std::string info_report(std::string_view threads_note);

// How the library was built: CMake's configuration ("Release"; "(none)" when unset) and the
// compiler ("GCC 12.2.0", "Clang 14.0.6").
std::string build_type();
std::string compiler();

}  // namespace mha
