# Sources of src/attention/ in the mha library.
target_sources(mha PRIVATE
  ${CMAKE_CURRENT_LIST_DIR}/mask.cpp
  ${CMAKE_CURRENT_LIST_DIR}/validate.cpp
  ${CMAKE_CURRENT_LIST_DIR}/attention.cpp
  ${CMAKE_CURRENT_LIST_DIR}/cpu/isa.cpp
  ${CMAKE_CURRENT_LIST_DIR}/cpu/dot_rates.cpp
  ${CMAKE_CURRENT_LIST_DIR}/cpu/dispatch.cpp
  ${CMAKE_CURRENT_LIST_DIR}/cpu/compact_mask.cpp
  ${CMAKE_CURRENT_LIST_DIR}/cpu/row_kernel.cpp
  ${CMAKE_CURRENT_LIST_DIR}/cpu/flash_scalar.cpp
  ${CMAKE_CURRENT_LIST_DIR}/cpu/flash_avx2.cpp
  ${CMAKE_CURRENT_LIST_DIR}/cpu/flash_avx512.cpp
  ${CMAKE_CURRENT_LIST_DIR}/cpu/flash_avx512_bf16.cpp
  ${CMAKE_CURRENT_LIST_DIR}/cpu/gemm_scalar.cpp
  ${CMAKE_CURRENT_LIST_DIR}/cpu/gemm_avx2.cpp
  ${CMAKE_CURRENT_LIST_DIR}/cpu/gemm_avx512.cpp
)
# The kernels write every fused multiply-add they mean (Vec::fma); no other multiply and add may
# be contracted into one (GCC contracts across statements by default): the softmax scales the
# scores and subtracts the maximum in two roundings on every path, so a bool mask that keeps
# everything, an additive mask of zeros and no mask give the same bits.
set_source_files_properties(
  ${CMAKE_CURRENT_LIST_DIR}/cpu/flash_scalar.cpp
  ${CMAKE_CURRENT_LIST_DIR}/cpu/flash_avx2.cpp
  ${CMAKE_CURRENT_LIST_DIR}/cpu/flash_avx512.cpp
  ${CMAKE_CURRENT_LIST_DIR}/cpu/flash_avx512_bf16.cpp
  PROPERTIES COMPILE_OPTIONS "-ffp-contract=off")
