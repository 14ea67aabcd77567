# Sources of src/module/ in the mha library.
target_sources(mha PRIVATE
  ${CMAKE_CURRENT_LIST_DIR}/linear.cpp
  ${CMAKE_CURRENT_LIST_DIR}/multi_head_attention.cpp
  ${CMAKE_CURRENT_LIST_DIR}/forward.cpp
  ${CMAKE_CURRENT_LIST_DIR}/forward_packed.cpp
)

# The projections (steps 2 and 6) run on mha's own GEMM by default (it measured faster than
# Debian's OpenBLAS here, bench/RESULTS.md); MHA_GEMM=blas at run time picks a CBLAS sgemm when
# the build found one: OpenBLAS from Debian by default, any other through FindBLAS with
# -DBLA_VENDOR=... (e.g. Intel10_64lp, FLAME, Generic); -DMHA_USE_BLAS=OFF builds without.
option(MHA_USE_BLAS "Run the module's projections on a CBLAS sgemm (FindBLAS)" ON)
if(MHA_USE_BLAS)
  if(NOT DEFINED BLA_VENDOR)
    set(BLA_VENDOR OpenBLAS)
  endif()
  find_package(BLAS)
  include(CheckIncludeFileCXX)
  check_include_file_cxx(cblas.h MHA_HAVE_CBLAS_H)
  if(BLAS_FOUND AND MHA_HAVE_CBLAS_H)
    target_link_libraries(mha PRIVATE BLAS::BLAS)
    list(APPEND MHA_CONFIG_DEPENDENCIES "set(BLA_VENDOR ${BLA_VENDOR})\nfind_dependency(BLAS)")
    target_compile_definitions(mha PRIVATE MHA_HAVE_CBLAS=1)
    message(STATUS "mha: module projections on CBLAS (${BLA_VENDOR}: ${BLAS_LIBRARIES})")
  else()
    message(STATUS "mha: no CBLAS found (BLA_VENDOR=${BLA_VENDOR}); module projections on the own GEMM")
  endif()
endif()
