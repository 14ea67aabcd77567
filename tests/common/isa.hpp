#pragma once
// Every kernel test runs on every target this machine supports (scalar, avx2, avx512,
// avx512_bf16), so a bug in one target's code cannot hide behind another. MHA_ISA=<target>
// restricts the tests to one.
#include <gtest/gtest.h>

#include <cstdlib>
#include <cstring>
#include <string>
#include <vector>

#include "attention/cpu/isa.hpp"

namespace mha::testing {

inline std::vector<detail::Isa> test_isas() {
  const char* only = std::getenv("MHA_ISA");
  std::vector<detail::Isa> v;
  for (detail::Isa isa : detail::supported_isas())
    if (!only || !*only || std::strcmp(only, detail::isa_name(isa)) == 0) v.push_back(isa);
  return v;
}

// Calls fn(isa) with that target forced, under a trace naming it; restores the default after.
template <class F>
void for_each_isa(F&& fn) {
  const std::vector<detail::Isa> isas = test_isas();
  if (isas.empty()) ADD_FAILURE() << "no kernel target to test (MHA_ISA names one this CPU lacks?)";
  for (detail::Isa isa : isas) {
    detail::force_isa(isa);
    SCOPED_TRACE(std::string("kernel target ") + detail::isa_name(isa));
    fn(isa);
  }
  detail::reset_isa();
}

}  // namespace mha::testing
