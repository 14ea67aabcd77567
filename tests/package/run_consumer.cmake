# Builds and runs tests/package/consumer against this build of mha, as ctest's package tests.
#
#   cmake -DMODE=package|subdirectory -DMHA_SOURCE_DIR=... -DMHA_BINARY_DIR=... -DWORK_DIR=...
#         -DGENERATOR=... [-DMAKE_PROGRAM=...] -DCXX_COMPILER=... -DBUILD_TYPE=... -DVERSION=...
#         [-DCXX_FLAGS=... -DEXE_LINKER_FLAGS=... -DSHARED_LINKER_FLAGS=... -DSHARED_LIBS=...
#          -DCOMPILER_LAUNCHER=...] -P run_consumer.cmake
#
# package:      cmake --install MHA_BINARY_DIR into WORK_DIR/prefix, then the consumer finds it
#               with find_package(mha CONFIG REQUIRED) through CMAKE_PREFIX_PATH.
# subdirectory: the consumer pulls the mha sources in with add_subdirectory.
# Compiler, generator and flags are those of the enclosing build, so that a sanitizer build
# (the asan preset puts -fsanitize into CMAKE_CXX_FLAGS) links its consumer the same way.
# WORK_DIR is wiped first: every run starts clean, and running twice is safe.
cmake_minimum_required(VERSION 3.25)

foreach(var MODE MHA_SOURCE_DIR MHA_BINARY_DIR WORK_DIR GENERATOR CXX_COMPILER VERSION)
  if(NOT DEFINED ${var} OR "${${var}}" STREQUAL "")
    message(FATAL_ERROR "run_consumer.cmake: -D${var}=... is required")
  endif()
endforeach()

function(run what)
  string(REPLACE ";" " " shown "${ARGN}")
  message(STATUS "[${MODE}] ${what}: ${shown}")
  execute_process(COMMAND ${ARGN} RESULT_VARIABLE rc)
  if(NOT rc EQUAL 0)
    message(FATAL_ERROR "[${MODE}] ${what} failed (${rc})")
  endif()
endfunction()

set(consumer_src "${CMAKE_CURRENT_LIST_DIR}/consumer")
set(consumer_bin "${WORK_DIR}/build")
set(prefix "${WORK_DIR}/prefix")
file(REMOVE_RECURSE "${WORK_DIR}")
file(MAKE_DIRECTORY "${WORK_DIR}")

set(config_args)
if(BUILD_TYPE)
  set(config_args --config "${BUILD_TYPE}")
endif()

set(configure -S "${consumer_src}" -B "${consumer_bin}" -G "${GENERATOR}"
  "-DCMAKE_CXX_COMPILER=${CXX_COMPILER}"
  "-DCMAKE_BUILD_TYPE=${BUILD_TYPE}"
  "-DCMAKE_CXX_FLAGS=${CXX_FLAGS}"
  "-DCMAKE_EXE_LINKER_FLAGS=${EXE_LINKER_FLAGS}"
  "-DCMAKE_SHARED_LINKER_FLAGS=${SHARED_LINKER_FLAGS}"
  "-DMHA_CONSUME=${MODE}"
  "-DMHA_EXPECTED_VERSION=${VERSION}")
if(MAKE_PROGRAM)
  list(APPEND configure "-DCMAKE_MAKE_PROGRAM=${MAKE_PROGRAM}")
endif()
if(COMPILER_LAUNCHER)
  list(APPEND configure "-DCMAKE_CXX_COMPILER_LAUNCHER=${COMPILER_LAUNCHER}")
endif()

if(MODE STREQUAL "package")
  run("install mha" "${CMAKE_COMMAND}" --install "${MHA_BINARY_DIR}" --prefix "${prefix}" ${config_args})
  # Ignore any other mha on the machine (user package registry, system prefixes): the consumer
  # must find the one just installed, and it checks that it did.
  list(APPEND configure "-DCMAKE_PREFIX_PATH=${prefix}" "-DMHA_EXPECTED_PREFIX=${prefix}"
    -DCMAKE_FIND_USE_PACKAGE_REGISTRY=OFF -DCMAKE_FIND_USE_SYSTEM_PACKAGE_REGISTRY=OFF)
elseif(MODE STREQUAL "subdirectory")
  list(APPEND configure "-DMHA_SOURCE_DIR=${MHA_SOURCE_DIR}")
  if(DEFINED SHARED_LIBS AND NOT SHARED_LIBS STREQUAL "")
    list(APPEND configure "-DBUILD_SHARED_LIBS=${SHARED_LIBS}")
  endif()
else()
  message(FATAL_ERROR "MODE must be package or subdirectory, got '${MODE}'")
endif()

run("configure consumer" "${CMAKE_COMMAND}" ${configure})
run("build consumer" "${CMAKE_COMMAND}" --build "${consumer_bin}" ${config_args})
run("run consumer" "${consumer_bin}/bin/consumer${CMAKE_EXECUTABLE_SUFFIX}")
